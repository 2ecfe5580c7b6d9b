// Reading a client's bytes as IMAP needs them: lines up to a length limit, and literals of an
// exact size. Pull-based (await a line, await n bytes) so a session reads its next command only
// when it is ready for it; the socket is paused while enough is buffered (back-pressure).
import type { Duplex } from 'node:stream';

const HIGH_WATER = 256 * 1024;
/** What is kept of an over-long line: its start (the tag) and its end (a literal it announces). */
const KEPT_HEAD = 64;
const KEPT_TAIL = 32;

export class LineTooLongError extends Error {
  constructor(
    readonly limit: number,
    /** The first bytes of the line, and its last ones (without the line end). */
    readonly head: Buffer,
    readonly tail: Buffer,
  ) {
    super(`line longer than ${limit} bytes`);
  }
}

export class ConnectionClosedError extends Error {
  constructor() {
    super('connection closed');
  }
}

export class Input {
  private chunks: Buffer[] = [];
  private buffered = 0;
  private socket: Duplex | null = null;
  private closed = false;
  private wake: (() => void) | null = null;
  private wanted = 0;
  /** Called whenever bytes arrive (the idle timer listens). */
  onActivity: () => void = () => {};

  private readonly onData = (chunk: Buffer) => {
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    this.onActivity();
    if (this.buffered > Math.max(HIGH_WATER, this.wanted)) this.socket?.pause();
    this.notify();
  };
  private readonly onEnd = () => {
    this.closed = true;
    this.notify();
  };

  attach(socket: Duplex): void {
    this.detach();
    this.socket = socket;
    socket.on('data', this.onData);
    socket.on('end', this.onEnd);
    socket.on('close', this.onEnd);
    socket.on('error', this.onEnd);
  }

  detach(): void {
    if (!this.socket) return;
    this.socket.off('data', this.onData);
    this.socket.off('end', this.onEnd);
    this.socket.off('close', this.onEnd);
    this.socket.off('error', this.onEnd);
    this.socket = null;
  }

  /** No more input: wakes a pending read with ConnectionClosedError. */
  close(): void {
    this.closed = true;
    this.detach();
    this.notify();
  }

  /** Forgets what the client sent ahead (after STARTTLS, RFC 3501 §6.2.1: no plaintext injection); returns how many bytes. */
  discardBuffered(): number {
    return this.takeBuffered().length;
  }

  /** What the client sent ahead, taken out (after COMPRESS it is compressed data, for the inflater). */
  takeBuffered(): Buffer {
    const taken = Buffer.concat(this.chunks, this.buffered);
    this.chunks = [];
    this.buffered = 0;
    return taken;
  }

  get hasBuffered(): boolean {
    return this.buffered > 0;
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = null;
    wake?.();
  }

  private async waitForData(): Promise<void> {
    if (this.closed) throw new ConnectionClosedError();
    this.socket?.resume();
    await new Promise<void>((resolve) => (this.wake = resolve));
  }

  /**
   * The next line without its CRLF (a bare LF is accepted too). An over-long line is skipped
   * whole, then rejected with its first and last bytes (LineTooLongError).
   */
  async readLine(limit: number): Promise<Buffer> {
    let scanned = 0;
    let head: Buffer | null = null;
    for (;;) {
      // look for LF from where the last scan stopped
      let offset = 0;
      for (let i = 0; i < this.chunks.length; i++) {
        const chunk = this.chunks[i]!;
        if (offset + chunk.length > scanned) {
          const from = Math.max(0, scanned - offset);
          const at = chunk.indexOf(0x0a, from);
          if (at >= 0) {
            const lineEnd = offset + at;
            const line = this.take(lineEnd + 1);
            const end = line.length >= 2 && line[line.length - 2] === 0x0d ? line.length - 2 : line.length - 1;
            if (head || lineEnd > limit + 1) {
              throw new LineTooLongError(limit, head ?? line.subarray(0, KEPT_HEAD), line.subarray(Math.max(0, end - KEPT_TAIL), end));
            }
            return line.subarray(0, end);
          }
        }
        offset += chunk.length;
      }
      scanned = this.buffered;
      if (this.buffered > limit + 2) {
        // keep nothing of an over-long line but its start and its last bytes, and wait for its end
        head ??= Buffer.from(this.peek(KEPT_HEAD));
        this.take(this.buffered - KEPT_TAIL);
        scanned = this.buffered;
      }
      await this.waitForData();
    }
  }

  /** Exactly n bytes (a literal). */
  async readBytes(n: number): Promise<Buffer> {
    this.wanted = n;
    try {
      while (this.buffered < n) await this.waitForData();
      return this.take(n);
    } finally {
      this.wanted = 0;
    }
  }

  /** Reads and drops n bytes without keeping them (a refused non-synchronizing literal). */
  async skipBytes(n: number): Promise<void> {
    let left = n;
    while (left > 0) {
      if (!this.buffered) await this.waitForData();
      const step = Math.min(left, this.buffered);
      this.take(step);
      left -= step;
    }
  }

  /** The first n bytes buffered (fewer if fewer are), left in the buffer. */
  private peek(n: number): Buffer {
    const parts: Buffer[] = [];
    let length = 0;
    for (const chunk of this.chunks) {
      if (length >= n) break;
      parts.push(chunk.subarray(0, n - length));
      length += parts[parts.length - 1]!.length;
    }
    return Buffer.concat(parts, length);
  }

  private take(n: number): Buffer {
    let result: Buffer;
    const first = this.chunks[0];
    if (first && first.length >= n) {
      result = first.subarray(0, n);
      if (first.length === n) this.chunks.shift();
      else this.chunks[0] = first.subarray(n);
    } else {
      const parts: Buffer[] = [];
      let left = n;
      while (left > 0) {
        const chunk = this.chunks[0]!;
        if (chunk.length <= left) {
          parts.push(chunk);
          this.chunks.shift();
          left -= chunk.length;
        } else {
          parts.push(chunk.subarray(0, left));
          this.chunks[0] = chunk.subarray(left);
          left = 0;
        }
      }
      result = Buffer.concat(parts, n);
    }
    this.buffered -= n;
    if (this.buffered < HIGH_WATER) this.socket?.resume();
    return result;
  }
}

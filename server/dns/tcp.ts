// DNS over TCP (RFC 1035 §4.2.2, RFC 7766): each message behind a two-byte length, several
// queries per connection (answered as they are ready), and a timeout for clients that go quiet
// or dribble a message byte by byte.
import type net from 'node:net';
import { QueryView } from './query.js';
import type { Responder } from './responder.js';

/** Queries of one connection waiting for an upstream at once; more and we stop reading. */
const MAX_PENDING = 16;

export interface TcpOptions {
  client: string;
  sequence: number;
  idleMs: number;
  onTimeout(): void;
  /** A bug, not bad input: logged, and this connection closed. */
  onError(error: Error): void;
}

export class TcpConnection {
  private buffered: Buffer = Buffer.alloc(0);
  private readonly view = new QueryView();
  private pending = 0;
  private partialTimer: NodeJS.Timeout | null = null;
  private closed = false;

  constructor(
    private readonly socket: net.Socket,
    private readonly responder: Responder,
    private readonly options: TcpOptions,
  ) {
    socket.setNoDelay(true);
    // RFC 7766 §6.2.3: close idle connections; nothing at all for idleMs and the client is gone.
    socket.setTimeout(options.idleMs, () => this.timeOut());
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', () => socket.destroy());
    socket.on('close', () => {
      this.closed = true;
      this.clearPartialTimer();
    });
    socket.on('drain', () => this.resumeIfIdle());
  }

  private onData(chunk: Buffer): void {
    this.buffered = this.buffered.length ? Buffer.concat([this.buffered, chunk]) : chunk;
    while (this.buffered.length >= 2 && !this.closed) {
      const length = this.buffered.readUInt16BE(0);
      if (length === 0) {
        // Not a DNS message at all: nothing sensible to answer.
        this.socket.destroy();
        return;
      }
      if (this.buffered.length < 2 + length) break;
      const message = this.buffered.subarray(2, 2 + length);
      this.buffered = this.buffered.subarray(2 + length);
      this.handle(message);
    }
    // A message begun but not finished must be finished within idleMs, however slowly it trickles in.
    if (this.buffered.length) {
      this.partialTimer ??= setTimeout(() => this.timeOut(), this.options.idleMs);
    } else this.clearPartialTimer();
  }

  private handle(message: Buffer): void {
    let reply;
    try {
      reply = this.responder.answer(message, this.view, { client: this.options.client, transport: 'tcp', sequence: this.options.sequence });
    } catch (error) {
      this.options.onError(error as Error);
      this.socket.destroy();
      return;
    }
    if (!(reply instanceof Promise)) {
      if (reply) this.write(reply);
      return;
    }
    this.pending++;
    if (this.pending >= MAX_PENDING) this.socket.pause();
    reply.then(
      (bytes) => {
        this.pending--;
        if (bytes) this.write(bytes);
        this.resumeIfIdle();
      },
      () => {
        this.pending--;
        this.resumeIfIdle();
      },
    );
  }

  private write(bytes: Buffer): void {
    if (this.closed || this.socket.destroyed) return;
    const framed = Buffer.allocUnsafe(bytes.length + 2);
    framed.writeUInt16BE(bytes.length, 0);
    bytes.copy(framed, 2);
    // A client that does not read its answers is not sent more: we stop reading its queries.
    if (!this.socket.write(framed)) this.socket.pause();
  }

  private resumeIfIdle(): void {
    if (!this.closed && this.pending < MAX_PENDING && !this.socket.writableNeedDrain) this.socket.resume();
  }

  private timeOut(): void {
    if (this.closed) return;
    this.options.onTimeout();
    this.socket.destroy();
  }

  private clearPartialTimer(): void {
    if (this.partialTimer) clearTimeout(this.partialTimer);
    this.partialTimer = null;
  }
}

// A plain line-oriented TCP/TLS client for protocol tests: send raw lines, read replies.
import { SocketReader } from './socket-reader.js';

export class LineClient {
  private constructor(private readonly reader: SocketReader) {}

  static async connect(port: number, options: { tls?: boolean; host?: string; localAddress?: string } = {}): Promise<LineClient> {
    const tls = options.tls ? { rejectUnauthorized: false } : undefined;
    return new LineClient(await SocketReader.connect(port, { host: options.host, localAddress: options.localAddress, tls, show: 'utf8' }));
  }

  get isClosed(): boolean {
    return this.reader.closed;
  }

  write(text: string): void {
    this.reader.socket.write(text);
  }

  /** Drops the connection with a TCP reset, as a client that crashes or loses its network does. */
  reset(): void {
    this.reader.socket.resetAndDestroy();
  }

  send(line: string): void {
    this.write(line + '\r\n');
  }

  /**
   * Reads until `done` returns how many bytes to consume, fails after timeoutMs. `done` sees the
   * unread bytes one character a byte (latin1); only what it consumes is decoded as UTF-8, so a
   * character split across TCP chunks comes out whole.
   */
  private async readUntil(done: (buffered: string) => number | null, timeoutMs: number, what: string): Promise<string> {
    const length = await this.reader.waitFor(() => done(this.reader.buffer.toString('latin1')), timeoutMs, what);
    return this.reader.consume(length).toString('utf8');
  }

  /** One SMTP reply (possibly multi-line: "250-..." lines then "250 ..."). */
  async smtpReply(timeoutMs = 10_000): Promise<{ code: number; text: string; lines: string[] }> {
    const raw = await this.readUntil(
      (buffered) => {
        const match = /(^|\r\n)\d{3} [^\r\n]*\r\n/.exec(buffered);
        return match ? match.index + match[0].length : null;
      },
      timeoutMs,
      'an SMTP reply',
    );
    const lines = raw.split('\r\n').filter(Boolean);
    const last = lines.at(-1)!;
    return { code: Number(last.slice(0, 3)), text: lines.map((l) => l.slice(4)).join('\n'), lines };
  }

  async line(timeoutMs = 10_000): Promise<string> {
    const raw = await this.readUntil(
      (b) => {
        const i = b.indexOf('\r\n');
        return i >= 0 ? i + 2 : null;
      },
      timeoutMs,
      'a line',
    );
    return raw.slice(0, -2);
  }

  async command(line: string): Promise<{ code: number; text: string; lines: string[] }> {
    this.send(line);
    return this.smtpReply();
  }

  /** STARTTLS: wraps the socket in TLS after the server said 220. */
  async startTls(): Promise<void> {
    await this.reader.startTls({ rejectUnauthorized: false });
  }

  async waitClosed(timeoutMs = 10_000): Promise<void> {
    await this.readUntil(() => (this.reader.closed ? this.reader.buffer.length : null), timeoutMs, 'the server to close').catch(() => {
      if (!this.reader.closed) throw new Error('still open');
    });
  }

  close(): void {
    this.reader.socket.destroy();
  }
}

// A plain line-oriented TCP/TLS client for protocol tests: send raw lines, read replies.
import net from 'node:net';
import tls from 'node:tls';

export class LineClient {
  private buffer = '';
  private waiters: Array<() => void> = [];
  private closed = false;

  private constructor(private socket: net.Socket) {
    this.attach(socket);
  }

  private attach(socket: net.Socket): void {
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      this.buffer += chunk;
      this.wake();
    });
    socket.on('close', () => {
      this.closed = true;
      this.wake();
    });
    socket.on('error', () => {});
  }

  private wake(): void {
    this.waiters.splice(0).forEach((w) => w());
  }

  static connect(port: number, options: { tls?: boolean; host?: string } = {}): Promise<LineClient> {
    const host = options.host ?? '127.0.0.1';
    return new Promise((resolve, reject) => {
      const socket = options.tls
        ? tls.connect({ port, host, rejectUnauthorized: false }, () => resolve(new LineClient(socket)))
        : net.connect({ port, host }, () => resolve(new LineClient(socket)));
      socket.once('error', reject);
    });
  }

  get isClosed(): boolean {
    return this.closed;
  }

  write(text: string): void {
    this.socket.write(text);
  }

  send(line: string): void {
    this.socket.write(line + '\r\n');
  }

  /** Reads until `done(buffered)` returns the length to consume; fails after timeoutMs. */
  private async readUntil(done: (buffered: string) => number | null, timeoutMs: number): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const length = done(this.buffer);
      if (length !== null) {
        const taken = this.buffer.slice(0, length);
        this.buffer = this.buffer.slice(length);
        return taken;
      }
      if (this.closed) throw new Error(`connection closed; unread: ${JSON.stringify(this.buffer)}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out; unread: ${JSON.stringify(this.buffer)}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** One SMTP reply (possibly multi-line: "250-..." lines then "250 ..."). */
  async smtpReply(timeoutMs = 10_000): Promise<{ code: number; text: string; lines: string[] }> {
    const raw = await this.readUntil((buffered) => {
      const match = /(^|\r\n)\d{3} [^\r\n]*\r\n/.exec(buffered);
      return match ? match.index + match[0].length : null;
    }, timeoutMs);
    const lines = raw.split('\r\n').filter(Boolean);
    const last = lines.at(-1)!;
    return { code: Number(last.slice(0, 3)), text: lines.map((l) => l.slice(4)).join('\n'), lines };
  }

  async line(timeoutMs = 10_000): Promise<string> {
    const raw = await this.readUntil((b) => {
      const i = b.indexOf('\r\n');
      return i >= 0 ? i + 2 : null;
    }, timeoutMs);
    return raw.slice(0, -2);
  }

  async command(line: string): Promise<{ code: number; text: string; lines: string[] }> {
    this.send(line);
    return this.smtpReply();
  }

  /** STARTTLS: wraps the socket in TLS after the server said 220. */
  async startTls(): Promise<void> {
    const plain = this.socket;
    plain.removeAllListeners('data');
    plain.removeAllListeners('close');
    await new Promise<void>((resolve, reject) => {
      const secure = tls.connect({ socket: plain, rejectUnauthorized: false }, () => resolve());
      secure.once('error', reject);
      this.socket = secure;
      this.attach(secure);
    });
  }

  async waitClosed(timeoutMs = 10_000): Promise<void> {
    await this.readUntil(() => (this.closed ? this.buffer.length : null), timeoutMs).catch(() => {
      if (!this.closed) throw new Error('still open');
    });
  }

  close(): void {
    this.socket.destroy();
  }
}

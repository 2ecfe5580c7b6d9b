// A raw IMAP client for protocol tests: exact bytes out, responses collected per tag, so
// tests can send what real clients never would (bad syntax, huge literals, pipelining).
import net from 'node:net';
import tls from 'node:tls';

export interface Reply {
  tag: string;
  status: string;
  text: string;
  /** Untagged and continuation lines seen before the tagged one, literals inlined. */
  lines: string[];
  raw: string;
}

export class RawImap {
  buffer = Buffer.alloc(0);
  private waiters: Array<() => void> = [];
  closed = false;
  private counter = 0;

  private constructor(public socket: net.Socket) {
    this.listen(socket);
  }

  private listen(socket: net.Socket): void {
    socket.on('data', (chunk: Buffer) => {
      this.buffer = Buffer.concat([this.buffer, chunk]);
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

  static async connect(port: number, options: { tls?: boolean } = {}): Promise<RawImap> {
    const socket = options.tls
      ? tls.connect({ host: '127.0.0.1', port, rejectUnauthorized: false })
      : net.connect({ host: '127.0.0.1', port });
    await new Promise<void>((resolve, reject) => {
      socket.once(options.tls ? 'secureConnect' : 'connect', () => resolve());
      socket.once('error', reject);
    });
    const client = new RawImap(socket);
    await client.readLine();
    return client;
  }

  /** Waits until `predicate` finds what it needs in the buffer (bounded by a timeout). */
  async waitFor<T>(predicate: () => T | null, timeoutMs = 5000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = predicate();
      if (found !== null) return found;
      if (this.closed) throw new Error(`connection closed; buffer: ${this.buffer.toString('latin1').slice(-500)}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out; buffer: ${this.buffer.toString('latin1').slice(-500)}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** One response line (literals inlined), consumed from the buffer. */
  async readLine(timeoutMs = 5000): Promise<string> {
    return this.waitFor(() => this.takeLine(), timeoutMs);
  }

  private takeLine(): string | null {
    let offset = 0;
    let text = '';
    for (;;) {
      const lf = this.buffer.indexOf(0x0a, offset);
      if (lf < 0) return null;
      const line = this.buffer.toString('latin1', offset, lf + 1);
      const literal = /\{(\d+)\}\r\n$/.exec(line);
      if (!literal) {
        text += line;
        this.buffer = this.buffer.subarray(lf + 1);
        return text.replace(/\r\n$/, '');
      }
      const size = Number(literal[1]);
      if (this.buffer.length < lf + 1 + size) return null;
      text += line + this.buffer.toString('latin1', lf + 1, lf + 1 + size);
      offset = lf + 1 + size;
    }
  }

  write(data: string | Buffer): void {
    this.socket.write(data);
  }

  nextTag(): string {
    return `t${++this.counter}`;
  }

  /** Sends `tag command` and collects responses up to the tagged one. */
  async command(command: string, timeoutMs = 5000): Promise<Reply> {
    const tag = this.nextTag();
    this.write(`${tag} ${command}\r\n`);
    return this.until(tag, timeoutMs);
  }

  async until(tag: string, timeoutMs = 5000): Promise<Reply> {
    const lines: string[] = [];
    const raw: string[] = [];
    for (;;) {
      const line = await this.readLine(timeoutMs);
      raw.push(line);
      if (line.startsWith(`${tag} `)) {
        const match = /^(\S+) (OK|NO|BAD) ?(.*)$/s.exec(line);
        return { tag, status: match?.[2] ?? '?', text: match?.[3] ?? line, lines, raw: raw.join('\n') };
      }
      lines.push(line);
    }
  }

  async login(user: string, password: string): Promise<Reply> {
    return this.command(`LOGIN "${user}" "${password}"`);
  }

  /** STARTTLS and wrap the socket. */
  async startTls(): Promise<Reply> {
    const reply = await this.command('STARTTLS');
    if (reply.status !== 'OK') return reply;
    const secure = tls.connect({ socket: this.socket, rejectUnauthorized: false });
    await new Promise<void>((resolve, reject) => {
      secure.once('secureConnect', () => resolve());
      secure.once('error', reject);
    });
    this.socket = secure;
    this.buffer = Buffer.alloc(0);
    this.listen(secure);
    return reply;
  }

  close(): void {
    this.socket.destroy();
  }
}

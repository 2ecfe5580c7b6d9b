// A raw IMAP client for protocol tests: exact bytes out, responses collected per tag, so
// tests can send what real clients never would (bad syntax, huge literals, pipelining).
import type net from 'node:net';
import { SocketReader } from './helpers/socket-reader.js';

export interface Reply {
  tag: string;
  status: string;
  text: string;
  /** Untagged and continuation lines seen before the tagged one, literals inlined. */
  lines: string[];
  raw: string;
}

export class RawImap {
  private counter = 0;

  private constructor(private readonly reader: SocketReader) {}

  static async connect(port: number, options: { tls?: boolean; localAddress?: string } = {}): Promise<RawImap> {
    const tls = options.tls ? { rejectUnauthorized: false } : undefined;
    const client = new RawImap(await SocketReader.connect(port, { tls, localAddress: options.localAddress }));
    await client.readLine();
    return client;
  }

  /** Connected and logged in (the reply to LOGIN is not checked: a test of LOGIN uses connect and login). */
  static async loggedIn(port: number, user: string, password: string): Promise<RawImap> {
    const client = await RawImap.connect(port);
    await client.login(user, password);
    return client;
  }

  get socket(): net.Socket {
    return this.reader.socket;
  }

  get closed(): boolean {
    return this.reader.closed;
  }

  /** Waits until `predicate` finds what it needs in the buffer (bounded by a timeout). */
  waitFor<T>(predicate: () => T | null, timeoutMs = 5000, what = 'a condition'): Promise<T> {
    return this.reader.waitFor(predicate, timeoutMs, what);
  }

  /** One response line (literals inlined), consumed from the buffer. */
  async readLine(timeoutMs = 5000): Promise<string> {
    return this.waitFor(() => this.takeLine(), timeoutMs, 'a response line');
  }

  private takeLine(): string | null {
    const buffer = this.reader.buffer;
    let offset = 0;
    let text = '';
    for (;;) {
      const lf = buffer.indexOf(0x0a, offset);
      if (lf < 0) return null;
      const line = buffer.toString('latin1', offset, lf + 1);
      const literal = /\{(\d+)\}\r\n$/.exec(line);
      if (!literal) {
        text += line;
        this.reader.consume(lf + 1);
        return text.replace(/\r\n$/, '');
      }
      const size = Number(literal[1]);
      if (buffer.length < lf + 1 + size) return null;
      text += line + buffer.toString('latin1', lf + 1, lf + 1 + size);
      offset = lf + 1 + size;
    }
  }

  write(data: string | Buffer): void {
    this.reader.write(data);
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

  /** APPEND with a non-synchronizing literal; optional flags ("\\Seen $Work") and date-time. */
  async append(mailbox: string, message: string | Buffer, options: { flags?: string; date?: string } = {}): Promise<Reply> {
    const bytes = Buffer.isBuffer(message) ? message : Buffer.from(message);
    const tag = this.nextTag();
    const flags = options.flags !== undefined ? ` (${options.flags})` : '';
    const date = options.date ? ` "${options.date}"` : '';
    this.write(Buffer.concat([Buffer.from(`${tag} APPEND ${mailbox}${flags}${date} {${bytes.length}+}\r\n`), bytes, Buffer.from('\r\n')]));
    return this.until(tag);
  }

  async login(user: string, password: string): Promise<Reply> {
    return this.command(`LOGIN "${user}" "${password}"`);
  }

  /** STARTTLS and wrap the socket. */
  async startTls(): Promise<Reply> {
    const reply = await this.command('STARTTLS');
    if (reply.status !== 'OK') return reply;
    this.reader.consume(this.reader.buffer.length); // plaintext after the OK is not part of the TLS session
    await this.reader.startTls({ rejectUnauthorized: false });
    return reply;
  }

  /** COMPRESS DEFLATE (RFC 4978), and both directions compressed after its OK. */
  async compress(): Promise<Reply> {
    const reply = await this.command('COMPRESS DEFLATE');
    if (reply.status === 'OK') this.reader.startDeflate();
    return reply;
  }

  /** Stops reading the connection (the server's output backs up) until resumeReading. */
  holdReading(): void {
    this.reader.holdReading();
  }

  resumeReading(): void {
    this.reader.resumeReading();
  }

  close(): void {
    this.socket.destroy();
  }
}

// POP3 test helpers: a raw client that shows the exact bytes on the wire, Python's poplib run as
// a real client, and putting mail straight into a user's INBOX.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { MessageRow } from '../../server/store/mailstore.js';
import type { TestEngine } from './engine.js';
import { SocketReader } from './socket-reader.js';

const READ_TIMEOUT_MS = 10_000;

/** A raw POP3 client: send lines, read status lines and multi-line bodies byte for byte. */
export class Pop3Client {
  greeting = '';

  private constructor(private readonly reader: SocketReader) {}

  static async connect(port: number, options: { tls?: boolean; ca?: Buffer | string; localAddress?: string } = {}): Promise<Pop3Client> {
    const tls = options.tls ? { ca: options.ca, servername: 'localhost' } : undefined;
    const client = new Pop3Client(await SocketReader.connect(port, { tls, localAddress: options.localAddress }));
    client.greeting = await client.readLine();
    return client;
  }

  private waitFor<T>(take: () => T | undefined, what: string): Promise<T> {
    return this.reader.waitFor(take, READ_TIMEOUT_MS, what);
  }

  /** One line without its CRLF. */
  readLine(): Promise<string> {
    return this.waitFor(() => {
      const end = this.reader.buffer.indexOf('\r\n');
      return end < 0 ? undefined : this.reader.consume(end + 2).toString('utf8', 0, end);
    }, 'a line');
  }

  /** The raw body of a multi-line reply: everything up to the terminating ".\r\n", still byte-stuffed. */
  readBody(): Promise<Buffer> {
    return this.waitFor(() => {
      const buffer = this.reader.buffer;
      if (buffer.subarray(0, 3).equals(Buffer.from('.\r\n'))) {
        this.reader.consume(3);
        return Buffer.alloc(0);
      }
      const end = buffer.indexOf('\r\n.\r\n');
      return end < 0 ? undefined : this.reader.consume(end + 5).subarray(0, end + 2);
    }, 'the end of a multi-line reply');
  }

  send(raw: string | Buffer): void {
    this.reader.socket.write(raw);
  }

  /** Sends a command, returns its status line. */
  async command(line: string): Promise<string> {
    this.send(`${line}\r\n`);
    return this.readLine();
  }

  /** Sends a command with a multi-line answer: the status line and, on +OK, the raw body. */
  async multi(line: string): Promise<{ status: string; body: Buffer }> {
    const status = await this.command(line);
    return { status, body: status.startsWith('+OK') ? await this.readBody() : Buffer.alloc(0) };
  }

  /** The lines of a multi-line reply, un-stuffed. */
  async lines(line: string): Promise<{ status: string; lines: string[] }> {
    const { status, body } = await this.multi(line);
    const text = body.toString('utf8');
    return { status, lines: text ? text.slice(0, -2).split('\r\n').map((l) => (l.startsWith('..') ? l.slice(1) : l)) : [] };
  }

  async login(user: string, password: string): Promise<string> {
    const reply = await this.command(`USER ${user}`);
    if (!reply.startsWith('+OK')) return reply;
    return this.command(`PASS ${password}`);
  }

  /** STLS and the handshake; the status line of STLS. */
  async startTls(ca: Buffer | string): Promise<string> {
    const reply = await this.command('STLS');
    if (reply.startsWith('+OK')) await this.handshake(ca);
    return reply;
  }

  /** The client side of the TLS handshake on the connection as it is (after +OK to STLS). */
  async handshake(ca: Buffer | string): Promise<void> {
    await this.reader.startTls({ ca, servername: 'localhost' });
  }

  /** Bytes received and not read yet. */
  unread(): string {
    return this.reader.buffer.toString('latin1');
  }

  /** Resolves when the server has closed the connection. */
  async closed(): Promise<void> {
    await this.waitFor(() => (this.reader.closed ? true : undefined), 'the server to close');
  }

  get isClosed(): boolean {
    return this.reader.closed;
  }

  /** Drops the connection without QUIT. */
  destroy(): void {
    this.reader.socket.destroy();
  }

  async quit(): Promise<string> {
    const reply = await this.command('QUIT');
    await this.closed();
    return reply;
  }
}

/** Undoes RFC 1939 byte-stuffing of a raw multi-line body. */
export function unstuff(body: Buffer): Buffer {
  const text = body.toString('latin1');
  return Buffer.from(text.replace(/(^|\r\n)\.\./g, '$1.'), 'latin1');
}

/** Puts a message straight into a user's INBOX (as delivery does), returns its index row. */
export async function deliver(test: TestEngine, address: string, content: string | Buffer): Promise<MessageRow> {
  const { accounts, mailStore } = test.engine.context;
  const user = accounts.findUser(address);
  if (!user) throw new Error(`no user ${address}`);
  const inbox = mailStore.getMailbox(user.id, 'INBOX')!;
  return mailStore.appendMessage(user, inbox, Buffer.isBuffer(content) ? content : Buffer.from(content), { inNew: true });
}

export function inboxRows(test: TestEngine, address: string): MessageRow[] {
  const { accounts, mailStore } = test.engine.context;
  const user = accounts.findUser(address)!;
  return mailStore.listMessages(mailStore.getMailbox(user.id, 'INBOX')!.id);
}

export function caFile(test: TestEngine): string {
  return path.join(test.dataDir, 'tls', 'ca.crt');
}

export function ca(test: TestEngine): Buffer {
  return fs.readFileSync(caFile(test));
}

/** Runs a program (python3, curl, fetchmail) without blocking the engine; resolves with its output. `input` is written to its stdin, which is then closed. */
export function run(
  file: string,
  args: string[],
  options: { env?: NodeJS.ProcessEnv; timeoutMs?: number; cwd?: string; input?: string } = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(
      file,
      args,
      { env: { ...process.env, ...options.env }, timeout: options.timeoutMs ?? 30_000, cwd: options.cwd, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
        resolve({ code, stdout: stdout.toString(), stderr: stderr.toString() });
      },
    );
    if (options.input !== undefined) child.stdin?.end(options.input);
  });
}

/**
 * Runs a Python script with poplib; `args` reach it as the JSON object ARGS, and whatever it
 * prints with `out(value)` comes back parsed. Fails with Python's traceback.
 */
export async function poplib(script: string, args: Record<string, unknown>): Promise<unknown> {
  const prelude = [
    'import json, os, poplib, ssl, sys',
    "ARGS = json.loads(os.environ['POP3_TEST_ARGS'])",
    'def out(value):',
    '    sys.stdout.write(json.dumps(value, default=lambda b: b.decode("utf-8", "surrogateescape") if isinstance(b, bytes) else str(b)))',
    '',
  ].join('\n');
  const result = await run('python3', ['-c', `${prelude}\n${script}`], { env: { POP3_TEST_ARGS: JSON.stringify(args) } });
  if (result.code !== 0) throw new Error(`python3 failed (${result.code}): ${result.stderr}`);
  return JSON.parse(result.stdout);
}

// One POP3 connection (RFC 1939). The session reads command lines (wire.ts), lets through only
// the commands its state allows (the table in commands/index.ts), runs one at a time in order —
// so pipelined commands (RFC 2449 PIPELINING) are answered in order — and writes the replies.
// It runs on a connection of the session host (server/net/), which owns the socket, the TLS
// handshake, the idle timer, the bad-command limit and the transcript.
import type net from 'node:net';
import type { User } from '../accounts/accounts.js';
import type { EngineContext } from '../context.js';
import type { SessionTranscript } from '../inspector/bus.js';
import type { Connection, HostedSession, StopReason } from '../net/connection.js';
import type { ServiceName } from '../settings/schema.js';
import { COMMANDS } from './commands/index.js';
import { MessageEncoder } from './encoder.js';
import { chunksOf, unlockMaildrop, type Maildrop, type MessageSource } from './maildrop.js';
import { replies } from './replies.js';
import { LineReader, parseCommand, type Command, type WireItem } from './wire.js';

/** RFC 1939 §3. UPDATE lasts only while QUIT removes the deleted messages. */
export type State = 'AUTHORIZATION' | 'TRANSACTION' | 'UPDATE';

/** Pipelined lines waiting beyond this pause reading from the client until they are worked off. */
const QUEUE_HIGH = 64;
const QUEUE_LOW = 8;
const TRANSCRIPT_LIST_LINES = 20;

export class Pop3Session implements HostedSession {
  readonly id: string;
  readonly client: string;
  readonly service: ServiceName;
  readonly transcript: SessionTranscript;
  state: State = 'AUTHORIZATION';
  /** The name given by USER, waiting for PASS. */
  pendingUser: string | null = null;
  /** Set on entering TRANSACTION. */
  user: User | null = null;
  maildrop: Maildrop | null = null;

  private readonly reader: LineReader;
  private readonly queue: WireItem[] = [];
  private wake: (() => void) | null = null;
  private paused = false;
  private ended = false;
  private closing = false;
  private readonly lineLimit: number;

  private readonly onData = (data: Buffer) => {
    this.touch();
    this.reader.push(data);
  };

  constructor(
    private readonly connection: Connection,
    readonly context: EngineContext,
  ) {
    this.id = connection.id;
    this.service = connection.service;
    this.client = connection.client;
    this.transcript = connection.transcript;
    this.lineLimit = context.settings().limits.lineLengthBytes;
    this.reader = new LineReader(this.lineLimit, (item) => this.enqueue(item));
  }

  /** Plain, or TLS after STLS or on 995: the host's socket. */
  private get socket() {
    return this.connection.socket;
  }

  get secure(): boolean {
    return this.connection.secure;
  }

  /** Greets and serves commands until the connection ends; an unexpected failure is the host's to log. */
  async run(): Promise<void> {
    try {
      this.listen(this.socket);
      this.send(replies.greeting());
      for (;;) {
        // Waits only when nothing is queued, and only for a command that did not finish at once.
        const item = this.queue.length ? this.dequeue() : await this.next();
        if (!item) break;
        const handling = this.handle(item);
        if (handling) await handling;
        if (this.socket.writableNeedDrain) await this.drained();
      }
    } finally {
      this.close();
    }
  }

  // ── commands ───────────────────────────────────────────────────────────────

  /** Runs one command; a promise only if its handler returned one. */
  private handle(item: WireItem): void | Promise<void> {
    if (item.kind === 'overlong') {
      this.transcript.client(`<line over ${this.lineLimit} bytes, ignored>`);
      return this.badCommand(replies.lineTooLong(this.lineLimit));
    }
    const command = parseCommand(item.text);
    const entry = COMMANDS.get(command.keyword);
    this.transcript.client(entry?.transcript ? entry.transcript(command) : item.text);
    if (!entry) return this.badCommand(replies.unknownCommand(command.keyword));
    if (!entry.states.includes(this.state)) return this.badCommand(replies.wrongState(command.keyword, this.state));
    let handling: void | Promise<void>;
    try {
      handling = entry.handler(this, command);
    } catch (error) {
      return this.failed(command, error);
    }
    if (handling) return handling.catch((error: unknown) => this.failed(command, error));
  }

  private failed(command: Command, error: unknown): void {
    this.context.log.error(this.service, `${command.keyword} failed: ${(error as Error).message}`, this.logContext());
    this.send(replies.internalError());
  }

  /** Unknown command, wrong state, bad syntax, over-long line: -ERR, and the one that reaches the limit closes the session. */
  badCommand(reply: string): void {
    this.send(reply);
    if (this.connection.badCommand()) {
      this.send(replies.tooManyBadCommands());
      this.close();
    }
  }

  /** The next item from the client (for AUTH's continuation line); null when the connection ended. */
  async next(): Promise<WireItem | null> {
    for (;;) {
      if (this.queue.length) return this.dequeue();
      if (this.ended || this.closing) return null;
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }

  /** The first queued item (there is one); reading resumes once the queue is short again. */
  private dequeue(): WireItem {
    const item = this.queue.shift()!;
    if (this.paused && this.queue.length <= QUEUE_LOW) {
      this.paused = false;
      this.socket.resume();
    }
    return item;
  }

  private enqueue(item: WireItem): void {
    this.queue.push(item);
    if (!this.paused && this.queue.length >= QUEUE_HIGH) {
      this.paused = true;
      this.socket.pause();
    }
    this.wakeUp();
  }

  private wakeUp(): void {
    const wake = this.wake;
    this.wake = null;
    wake?.();
  }

  // ── replies ────────────────────────────────────────────────────────────────

  send(line: string): void {
    if (this.ended || this.socket.writableEnded) return;
    this.socket.write(`${line}\r\n`);
    this.transcript.server(line);
    this.touch();
  }

  /** A multi-line reply (RFC 1939 §3): status, byte-stuffed lines, ".". */
  sendLines(status: string, lines: readonly string[]): void {
    if (this.ended || this.socket.writableEnded) return;
    let text = `${status}\r\n`;
    for (const line of lines) text += line.startsWith('.') ? `.${line}\r\n` : `${line}\r\n`;
    this.socket.write(`${text}.\r\n`);
    this.transcript.server(status);
    lines.slice(0, TRANSCRIPT_LIST_LINES).forEach((line) => this.transcript.server(line));
    if (lines.length > TRANSCRIPT_LIST_LINES) this.transcript.server(`<${lines.length - TRANSCRIPT_LIST_LINES} more lines>`);
    this.transcript.server('.');
    this.touch();
  }

  /** A whole RETR reply built in one buffer (`wholeReply`): one write. */
  sendReply(status: string, reply: Buffer): void {
    if (this.ended || this.socket.writableEnded) return;
    this.socket.write(reply);
    this.transcript.server(status);
    this.transcript.server(`<message ${reply.length - status.length - 2} bytes>`); // the body and its final "." in one line
    this.touch();
  }

  /** RETR / TOP: status, the message encoded for the wire (streamed when big), ".". */
  async sendMessage(status: string, source: MessageSource, encoder: MessageEncoder): Promise<void> {
    if (this.ended) {
      if (source.kind === 'file') await source.file.close();
      return;
    }
    let sent = 0;
    this.transcript.server(status);
    if (source.kind === 'whole') {
      const body = encoder.encode(source.bytes);
      const end = encoder.finish();
      this.socket.cork();
      this.socket.write(`${status}\r\n`);
      this.socket.write(body);
      this.socket.write(end);
      this.socket.uncork();
      sent = body.length + end.length;
    } else {
      try {
        this.socket.write(`${status}\r\n`);
        for await (const chunk of chunksOf(source.file)) {
          const out = encoder.encode(chunk);
          sent += out.length;
          if (out.length && !this.socket.write(out)) await this.drained();
          this.touch();
          if (encoder.done || this.ended) break;
        }
      } finally {
        await source.file.close();
      }
      const end = encoder.finish();
      sent += end.length;
      if (!this.ended && !this.socket.writableEnded) this.socket.write(end);
    }
    this.transcript.server(`<message ${sent} bytes>`); // the body and its final "." in one line
    this.touch();
  }

  private drained(): Promise<void> {
    return this.connection.drained();
  }

  // ── TLS ────────────────────────────────────────────────────────────────────

  /** STLS (RFC 2595 §4): +OK, then the handshake; what the client sent meanwhile is discarded. */
  async startTls(): Promise<void> {
    // Anything pipelined after STLS arrived in plaintext and must not be acted on.
    this.queue.length = 0;
    this.reader.reset();
    this.send(replies.stlsReady());
    this.socket.off('data', this.onData);
    this.paused = false;
    if (!(await this.connection.startTls())) return this.close();
    this.listen(this.socket);
    this.pendingUser = null; // RFC 2595 §4: forget what was learned before TLS
  }

  private listen(socket: net.Socket): void {
    socket.on('data', this.onData);
  }

  // ── ending ─────────────────────────────────────────────────────────────────

  private touch(): void {
    this.connection.touch();
  }

  /** Server shutdown or autologout: tell the client, close without UPDATE (RFC 1939 §3: nothing is deleted). */
  stop(reason: StopReason): void {
    if (!this.open) return;
    this.send(reason === 'idle' ? replies.idleTimeout() : replies.shuttingDown());
    this.close();
  }

  /** Ends the connection after the replies written so far; no UPDATE happens here. */
  close(): void {
    if (this.ended || this.closing) return;
    this.closing = true;
    this.wakeUp();
    this.connection.close();
  }

  /** Lets another session have the maildrop: at QUIT, or when the connection ends. */
  releaseMaildrop(): void {
    this.maildrop?.close();
    if (this.user) unlockMaildrop(this.context.pop3.locks, this.user.id, this.id);
  }

  /** False once the client is gone or the session is closing (checked after every wait). */
  get open(): boolean {
    return !this.ended && !this.closing;
  }

  /** Dovecot disable_plaintext_auth: may USER/PASS and AUTH PLAIN be used on this connection? */
  plaintextLoginAllowed(): boolean {
    return this.context.plaintextLoginAllowed(this.client, this.secure);
  }

  /** The connection is gone: the maildrop lock is released, a waiting read ends. */
  disconnected(): void {
    if (this.ended) return;
    this.ended = true;
    this.releaseMaildrop();
    this.wakeUp();
  }

  logContext(): { session: string; client: string; user?: string } {
    return { session: this.id, client: this.client, ...(this.user ? { user: this.user.address } : {}) };
  }
}

// One POP3 connection (RFC 1939). The session reads command lines (wire.ts), lets through only
// the commands its state allows (the table in commands/index.ts), runs one at a time in order —
// so pipelined commands (RFC 2449 PIPELINING) are answered in order — and writes the replies.
// It owns the socket, the TLS upgrade, the idle timer, the bad-command count and the transcript.
import crypto from 'node:crypto';
import type net from 'node:net';
import type tls from 'node:tls';
import type { User } from '../accounts/accounts.js';
import type { EngineContext } from '../context.js';
import type { SessionTranscript } from '../inspector/bus.js';
import { plainAddress } from '../net/interfaces.js';
import type { ServiceName } from '../settings/schema.js';
import { COMMANDS } from './commands/index.js';
import { MessageEncoder } from './encoder.js';
import { chunksOf, unlockMaildrop, type Maildrop, type MessageSource } from './maildrop.js';
import { replies } from './replies.js';
import { LineReader, parseCommand, type Command, type WireItem } from './wire.js';

/** RFC 1939 §3. UPDATE lasts only while QUIT removes the deleted messages. */
export type State = 'AUTHORIZATION' | 'TRANSACTION' | 'UPDATE';

export interface SessionSetup {
  context: EngineContext;
  service: ServiceName;
  socket: net.Socket;
  /** pop3s (995): TLS from the first byte (RFC 8314). */
  implicitTls: boolean;
  /** A reply to send instead of the greeting before closing (too many connections). */
  refusal?: string;
}

/** Pipelined lines waiting beyond this pause reading from the client until they are worked off. */
const QUEUE_HIGH = 64;
const QUEUE_LOW = 8;
const CLOSE_GRACE_MS = 2000;
const TRANSCRIPT_LIST_LINES = 20;

export class Pop3Session {
  readonly id = crypto.randomBytes(5).toString('hex');
  readonly client: string;
  readonly context: EngineContext;
  readonly service: ServiceName;
  readonly transcript: SessionTranscript;
  state: State = 'AUTHORIZATION';
  secure = false;
  /** The name given by USER, waiting for PASS. */
  pendingUser: string | null = null;
  /** Set on entering TRANSACTION. */
  user: User | null = null;
  maildrop: Maildrop | null = null;
  /** Resolves once the connection is closed and the maildrop lock released. */
  readonly closed: Promise<void>;

  private socket: net.Socket;
  private readonly reader: LineReader;
  private readonly queue: WireItem[] = [];
  private wake: (() => void) | null = null;
  private paused = false;
  private ended = false;
  private closing = false;
  private badCommands = 0;
  private idleTimer: NodeJS.Timeout;
  private readonly idleMs: number;
  /** When (performance.now(), a monotonic clock) a byte was last read or written: the idle timer checks it when it fires, cheaper than re-arming the timer every time. */
  private lastActivity = performance.now();
  private readonly lineLimit: number;
  private resolveClosed!: () => void;

  private readonly onData = (data: Buffer) => {
    this.touch();
    this.reader.push(data);
  };
  private readonly onClose = () => this.closedNow();
  private readonly onError = () => {
    // ECONNRESET and the like: 'close' follows and cleans up
  };

  constructor(private readonly setup: SessionSetup) {
    this.context = setup.context;
    this.service = setup.service;
    this.socket = setup.socket;
    this.client = plainAddress(setup.socket.remoteAddress ?? '');
    this.transcript = this.context.inspector.session(this.service, this.id, this.client);
    const { limits } = this.context.settings();
    this.lineLimit = limits.lineLengthBytes;
    this.reader = new LineReader(this.lineLimit, (item) => this.enqueue(item));
    this.closed = new Promise((resolve) => (this.resolveClosed = resolve));
    // RFC 1939 §3: an autologout timer of at least 10 minutes; the setting says how long.
    this.idleMs = limits.idleTimeoutSeconds * 1000;
    this.idleTimer = this.idleTimerFor(this.idleMs);
    this.socket.setNoDelay(true);
    this.socket.on('error', this.onError);
    this.socket.on('close', this.onClose);
  }

  /** Greets (after the TLS handshake on pop3s) and serves commands until the connection ends. */
  async run(): Promise<void> {
    this.transcript.event(`connected to ${this.service}`);
    try {
      if (this.setup.implicitTls && !(await this.handshake())) return this.close();
      if (this.setup.refusal) {
        this.send(this.setup.refusal);
        return this.close();
      }
      if (!this.setup.implicitTls) this.listen(this.socket);
      this.send(replies.greeting());
      for (;;) {
        // Waits only when nothing is queued, and only for a command that did not finish at once.
        const item = this.queue.length ? this.dequeue() : await this.next();
        if (!item) break;
        const handling = this.handle(item);
        if (handling) await handling;
        if (this.socket.writableNeedDrain) await this.drained();
      }
    } catch (error) {
      this.context.log.error(this.service, `session failed: ${(error as Error).message}`, this.logContext());
    }
    this.close();
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

  /** Unknown command, wrong state, bad syntax, over-long line: -ERR, and the one that reaches the limit closes the session (as IMAP). */
  badCommand(reply: string): void {
    this.send(reply);
    this.badCommands++;
    if (this.badCommands >= this.context.settings().limits.badCommandsPerSession) {
      this.send(replies.tooManyBadCommands());
      this.context.log.warn(this.service, 'closed after too many bad commands', this.logContext());
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
    if (this.ended) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        this.socket.off('drain', done);
        this.socket.off('close', done);
        resolve();
      };
      this.socket.on('drain', done);
      this.socket.on('close', done);
    });
  }

  // ── TLS ────────────────────────────────────────────────────────────────────

  /** STLS (RFC 2595 §4): +OK, then the handshake; what the client sent meanwhile is discarded. */
  async startTls(): Promise<void> {
    // Anything pipelined after STLS arrived in plaintext and must not be acted on.
    this.queue.length = 0;
    this.reader.reset();
    this.send(replies.stlsReady());
    if (!(await this.handshake())) return this.close();
    this.pendingUser = null; // RFC 2595 §4: forget what was learned before TLS
  }

  private handshake(): Promise<boolean> {
    const plain = this.socket;
    plain.off('data', this.onData);
    plain.off('close', this.onClose);
    // The TLS socket takes over the connection now, before the client's ClientHello can arrive.
    const secure: tls.TLSSocket = this.context.tls.upgrade(plain);
    this.socket = secure;
    this.paused = false;
    secure.on('error', this.onError);
    secure.on('close', this.onClose);
    return new Promise((resolve) => {
      const settle = (ok: boolean, error?: Error) => {
        secure.off('secure', succeeded);
        secure.off('error', failed);
        secure.off('close', closed);
        if (ok) {
          this.secure = true;
          const cipher = secure.getCipher();
          this.transcript.event(`TLS started (${secure.getProtocol() ?? 'TLS'}, ${cipher?.name ?? 'unknown cipher'})`);
          this.listen(secure);
        } else {
          this.transcript.event(`TLS handshake failed${error ? `: ${error.message}` : ''}`);
        }
        resolve(ok);
      };
      const succeeded = () => settle(true);
      const failed = (error: Error) => settle(false, error);
      const closed = () => settle(false);
      secure.once('secure', succeeded);
      secure.once('error', failed);
      secure.once('close', closed);
    });
  }

  private listen(socket: net.Socket): void {
    socket.on('data', this.onData);
  }

  // ── ending ─────────────────────────────────────────────────────────────────

  private touch(): void {
    this.lastActivity = performance.now();
  }

  private idleTimerFor(ms: number): NodeJS.Timeout {
    const timer = setTimeout(() => this.idle(), ms);
    timer.unref();
    return timer;
  }

  private idle(): void {
    if (this.ended) return;
    const quiet = performance.now() - this.lastActivity;
    if (quiet < this.idleMs) {
      this.idleTimer = this.idleTimerFor(this.idleMs - quiet);
      return;
    }
    this.transcript.event('idle timeout');
    this.send(replies.idleTimeout());
    this.close(); // RFC 1939 §3: an autologout does not enter UPDATE; nothing is deleted
  }

  /** Server shutdown: tell the client, close without UPDATE. */
  shutdown(): void {
    if (this.ended || this.closing) return;
    this.send(replies.shuttingDown());
    this.close();
  }

  /** Ends the connection after the replies written so far; no UPDATE happens here. */
  close(): void {
    if (this.ended || this.closing) return;
    this.closing = true;
    this.wakeUp();
    this.socket.end();
    setTimeout(() => this.socket.destroy(), CLOSE_GRACE_MS).unref();
  }

  /** Lets another session have the maildrop: at QUIT, or when the connection ends. */
  releaseMaildrop(): void {
    this.maildrop?.close();
    if (this.user) unlockMaildrop(this.context.mailStore, this.user.id, this.id);
  }

  /** False once the client is gone or the session is closing (checked after every wait). */
  get open(): boolean {
    return !this.ended && !this.closing;
  }

  /** Dovecot disable_plaintext_auth: may USER/PASS and AUTH PLAIN be used on this connection? */
  plaintextLoginAllowed(): boolean {
    return this.context.plaintextLoginAllowed(this.client, this.secure);
  }

  /** Drops the connection at once (server stop after the grace period). */
  destroy(): void {
    this.socket.destroy();
  }

  private closedNow(): void {
    if (this.ended) return;
    this.ended = true;
    clearTimeout(this.idleTimer);
    this.releaseMaildrop();
    this.transcript.event('closed');
    this.wakeUp();
    this.resolveClosed();
  }

  logContext(): { session: string; client: string; user?: string } {
    return { session: this.id, client: this.client, ...(this.user ? { user: this.user.address } : {}) };
  }
}

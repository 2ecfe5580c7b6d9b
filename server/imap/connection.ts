// One IMAP session on a connection of the session host (server/net/): reads commands (lines and
// literals, within the limits), dispatches them through the command table by state and writes
// responses in chunks, with back-pressure. The host does the listening, admission, TLS handshake,
// idle timer and the bad-command limit.
import type { EngineContext } from '../context.js';
import type { SessionTranscript } from '../inspector/bus.js';
import { REDACTED } from '../inspector/bus.js';
import type { Connection, HostedSession, StopReason } from '../net/connection.js';
import { COMMANDS } from './commands/index.js';
import type { CommandContext, Done, Wire } from './commands/types.js';
import { Args } from './parser/args.js';
import { readAwayRefused, readCommand } from './parser/command-reader.js';
import { ConnectionClosedError, Input } from './parser/input.js';
import { ImapSyntaxError, parseCommand } from './parser/tokens.js';
import { continuation, describe, failureReply, ImapError, tagged, untagged, type Piece } from './replies.js';
import { Session } from './session.js';

/** Queued output is written once this much is waiting (or at the end of a command). */
const OUTPUT_CHUNK = 64 * 1024;
/** Pieces larger than this are written as they are, not copied. */
const COPY_LIMIT = 16 * 1024;
/** Buffers response text is copied into: small for a few lines, large (about one write) for more. */
const SMALL_CHUNK = 4 * 1024;
const LARGE_CHUNK = OUTPUT_CHUNK + COPY_LIMIT;
const NO_CHUNK = Buffer.alloc(0);
/** How many responses of one command the transcript shows before summing up the rest. */
const TRANSCRIPT_RESPONSES = 20;

export class ImapConnection implements HostedSession {
  readonly session: Session;
  private readonly input = new Input();
  private readonly transcript: SessionTranscript;
  /** Buffers waiting to be written, and their total length. */
  private output: Buffer[] = [];
  private outputBytes = 0;
  /** Response text and small literals are copied into this buffer; [chunkStart, chunkEnd) is queued but not yet in `output`. */
  private chunk = NO_CHUNK;
  private chunkStart = 0;
  private chunkEnd = 0;
  private closed = false;
  private responsesThisCommand = 0;
  private writing: Promise<void> = Promise.resolve();

  constructor(
    private readonly connection: Connection,
    private readonly context: EngineContext,
  ) {
    this.session = new Session(context, connection.service, connection.id, connection.client, connection.secure);
    this.transcript = connection.transcript;
    this.input.onActivity = () => connection.touch();
    this.input.attach(connection.socket);
  }

  get id(): string {
    return this.session.id;
  }

  /** Runs the session until LOGOUT, a limit, or the client leaving; an unexpected failure is the host's to log. */
  async run(): Promise<void> {
    try {
      await this.sendNow(untagged(`OK [CAPABILITY ${this.session.capabilities().join(' ')}] LanPost IMAP ready`));
      while (!this.closed && this.session.state.name !== 'logout') await this.next();
    } catch (error) {
      if (!(error instanceof ConnectionClosedError) && !this.closed) throw error;
    } finally {
      this.close();
    }
  }

  /** Server shutdown or autologout: say BYE and close. */
  async stop(reason: StopReason): Promise<void> {
    if (this.closed) return;
    await this.sendNow(untagged(reason === 'idle' ? 'BYE Autologout; idle for too long' : 'BYE Server shutting down')).catch(() => {});
    this.close();
  }

  private limits() {
    const { limits } = this.context.settings();
    return { lineLength: limits.lineLengthBytes, literalSize: limits.messageSizeBytes };
  }

  private async next(): Promise<void> {
    const read = await readCommand(this.input, this.limits(), (text) => this.sendNow(continuation(text)));
    if (read.kind === 'refused') {
      this.transcript.client(read.transcript);
      const response = read.tag ? tagged(read.tag, read.status, read.text, read.code) : untagged(`BAD [${read.code}] ${read.text}`);
      await this.sendNow(response);
      if (read.close || (read.readAway !== null && !(await readAwayRefused(this.input, read.readAway, this.limits())))) {
        // RFC 7888 §4: too much to read away; BYE, with TOOBIG (§5)
        await this.sendNow(untagged(`BYE [${read.code}] ${read.text}; closing the connection`));
        this.transcript.event('closed: literal too large to read away');
        this.close();
        return;
      }
      if (read.status === 'BAD') await this.countBad();
      return;
    }
    this.transcript.client(redact(read.transcript));
    let parsed;
    try {
      parsed = parseCommand(read.wire);
    } catch (error) {
      const tag = /^([^\s]+)/.exec(read.wire.toString('latin1', 0, 64))?.[1];
      if (!(error instanceof ImapSyntaxError)) this.logFailure('parsing a command', error);
      const text = error instanceof ImapSyntaxError ? `Syntax error: ${error.message}` : 'Syntax error';
      await this.sendNow(tag && !/^[+*]/.test(tag) && !tag.includes('"') ? tagged(tag, 'BAD', text) : untagged(`BAD ${text}`));
      await this.countBad();
      return;
    }
    const { tag, name } = parsed;
    const spec = COMMANDS[name];
    if (!spec) {
      await this.sendNow(tagged(tag, 'BAD', `Unknown command ${name}`));
      await this.countBad();
      return;
    }
    if (!spec.states.includes(this.session.state.name)) {
      const text =
        this.session.state.name === 'not-authenticated' ? `${name} needs a login first` : this.session.state.name === 'authenticated' && spec.states.includes('selected') ? `${name} needs a selected mailbox` : `${name} is not allowed now`;
      await this.sendNow(tagged(tag, 'BAD', text));
      await this.countBad();
      return;
    }
    let args: unknown;
    try {
      args = spec.parse(new Args(parsed.args));
    } catch (error) {
      if (!(error instanceof ImapSyntaxError) && !(error instanceof ImapError)) {
        await this.sendNow(failureReply(tag, error, this.logFailure(`${name} arguments`, error)));
        return;
      }
      await this.sendNow(tagged(tag, 'BAD', `Syntax error in ${name}: ${error.message}`, error instanceof ImapError ? error.code : undefined));
      await this.countBad();
      return;
    }
    this.responsesThisCommand = 0;
    const ctx: CommandContext<unknown> = { tag, name, args, session: this.session, wire: this.wire(), context: this.context };
    let done: Done | void;
    try {
      done = await spec.handle(ctx);
    } catch (error) {
      if (error instanceof ConnectionClosedError) throw error;
      if (error instanceof ImapError || error instanceof ImapSyntaxError) {
        const status = error instanceof ImapError ? error.status : 'BAD';
        await this.sendUpdates(!spec.deferExpunges);
        await this.sendNow(tagged(tag, status, error.message, error instanceof ImapError ? error.code : undefined));
        if (status === 'BAD') await this.countBad();
        return;
      }
      await this.sendNow(failureReply(tag, error, this.logFailure(name, error)));
      return;
    }
    if (this.session.state.name !== 'logout') await this.sendUpdates(!spec.deferExpunges);
    await this.sendNow(tagged(tag, 'OK', done?.text ?? `${name} completed`, done?.code));
    done?.after?.();
  }

  /** The detail of an unexpected failure (paths, errno) goes to the server log only; returns its time. */
  private logFailure(what: string, error: unknown): number {
    const time = Date.now();
    this.context.log.error(this.session.service, `${what} failed: ${(error as Error)?.stack ?? error}`, { session: this.id, client: this.session.client });
    return time;
  }

  private async countBad(): Promise<void> {
    if (this.connection.badCommand()) {
      await this.sendNow(untagged('BYE Too many invalid commands'));
      this.close();
    }
  }

  /** Untagged EXPUNGE/EXISTS/FETCH for what changed in the selected mailbox. */
  private async sendUpdates(expunges: boolean): Promise<void> {
    const view = this.session.selectedOrNull;
    if (!view || !view.hasPending) return;
    for (const response of view.collectUpdates({ expunges, condstore: this.session.condstore, vanished: this.session.qresync })) await this.send(response);
  }

  private wire(): Wire {
    return {
      send: (pieces) => this.send(pieces),
      queue: (pieces) => this.queueResponse(pieces),
      queueData: (piece) => { if (this.closed) throw new ConnectionClosedError(); this.queue([piece]); return this.outputBytes >= OUTPUT_CHUNK; },
      flush: () => this.flush(),
      continuation: (text) => this.sendNow(continuation(text)),
      readLine: async () => {
        const line = await this.input.readLine(this.limits().lineLength);
        return line;
      },
      startTls: () => this.startTls(),
      flushUpdates: async (expunges) => {
        await this.sendUpdates(expunges);
        await this.flush();
      },
      close: () => this.close(),
      note: (text) => this.transcript.event(text),
    };
  }

  // ── output ─────────────────────────────────────────────────────────────────

  /** Queues a response; writes when enough is queued, waiting for the socket to drain. */
  async send(pieces: Piece[]): Promise<void> {
    if (this.queueResponse(pieces)) await this.flush();
  }

  /** Queues a response and writes everything now (tagged responses, continuations). */
  async sendNow(pieces: Piece[]): Promise<void> {
    if (this.closed) return;
    this.transcript.server(describe(pieces));
    this.queue(pieces);
    await this.flush();
  }

  /** Appends a response to the output: text and small data copied into the current chunk, large data queued as it is. */
  private queue(pieces: Piece[]): void {
    for (const piece of pieces) {
      if (typeof piece === 'string') {
        if (piece.length > COPY_LIMIT) this.queueBuffer(Buffer.from(piece, 'latin1'));
        else {
          this.reserve(piece.length);
          this.chunkEnd += this.chunk.write(piece, this.chunkEnd, 'latin1');
          this.outputBytes += piece.length;
        }
      } else if (piece.length > COPY_LIMIT) this.queueBuffer(piece);
      else {
        this.reserve(piece.length);
        this.chunkEnd += piece.copy(this.chunk, this.chunkEnd);
        this.outputBytes += piece.length;
      }
    }
  }

  private queueBuffer(data: Buffer): void {
    this.settleChunk();
    this.output.push(data);
    this.outputBytes += data.length;
  }

  /** Room for `length` more bytes in the chunk; a new chunk when the current one is full (written parts are never reused). */
  private reserve(length: number): void {
    if (this.chunk.length - this.chunkEnd >= length) return;
    this.settleChunk();
    this.chunk = Buffer.allocUnsafe(Math.max(this.outputBytes + length > SMALL_CHUNK ? LARGE_CHUNK : SMALL_CHUNK, length));
    this.chunkStart = this.chunkEnd = 0;
  }

  private settleChunk(): void {
    if (this.chunkEnd === this.chunkStart) return;
    this.output.push(this.chunk.subarray(this.chunkStart, this.chunkEnd));
    this.chunkStart = this.chunkEnd;
  }

  /** Queues a response without waiting; true when enough is queued that the caller should flush. */
  private queueResponse(pieces: Piece[]): boolean {
    if (this.closed) throw new ConnectionClosedError();
    if (this.responsesThisCommand < TRANSCRIPT_RESPONSES) this.transcript.server(describe(pieces));
    else if (this.responsesThisCommand === TRANSCRIPT_RESPONSES) this.transcript.server('… (further responses not shown)');
    this.responsesThisCommand++;
    this.queue(pieces);
    return this.outputBytes >= OUTPUT_CHUNK;
  }

  async flush(): Promise<void> {
    // writes stay in order even when IDLE pushes and a command's output meet
    const previous = this.writing;
    let release!: () => void;
    this.writing = new Promise((resolve) => (release = resolve));
    await previous;
    try {
      this.settleChunk();
      if (!this.output.length || this.closed) return;
      const buffers = this.output;
      this.output = [];
      this.outputBytes = 0;
      if (this.chunk.length > SMALL_CHUNK) {
        // an idle connection keeps no large buffer
        this.chunk = NO_CHUNK;
        this.chunkStart = this.chunkEnd = 0;
      }
      const socket = this.connection.socket;
      let room = true;
      if (buffers.length === 1) room = socket.write(buffers[0]!);
      else {
        // one writev for all of them, large literals not copied
        socket.cork();
        for (const data of buffers) room = socket.write(data);
        socket.uncork();
      }
      if (!room) await this.connection.drained();
      this.connection.touch();
    } finally {
      release();
    }
  }

  // ── TLS, closing ───────────────────────────────────────────────────────────

  private startTls(): void {
    // RFC 3501 §6.2.1: anything the client sent after STARTTLS before the handshake is discarded
    const readAhead = this.input.discardBuffered();
    this.input.detach();
    void this.connection.startTls(readAhead); // a failed handshake closes the connection
    this.session.secure = true;
    this.input.attach(this.connection.socket);
  }

  /** Ends the session: no more reading, the mailbox view released, the connection closed after what was written. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.session.logout();
    this.input.close();
    this.connection.close();
  }

  disconnected(): void {
    this.close();
  }
}

/** LOGIN passwords and AUTHENTICATE data never reach the transcript. */
function redact(line: string): string {
  return line
    .replace(/^(\S+ LOGIN (?:"(?:[^"\\]|\\.)*"|\S+)) .*$/i, `$1 ${REDACTED}`)
    .replace(/^(\S+ AUTHENTICATE \S+) .+$/i, `$1 ${REDACTED}`);
}

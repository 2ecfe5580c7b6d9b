// One accepted TCP connection as the session host keeps it, and what it offers the protocol
// session that runs on it: the current socket (plain, or TLS after an upgrade), the transcript,
// the TLS handshake (implicit, or STARTTLS / STLS), the idle timer, the bad-command count,
// back-pressure on writes and closing. The protocol keeps its wire, states and commands.
import crypto from 'node:crypto';
import type net from 'node:net';
import type tls from 'node:tls';
import type { EngineContext } from '../context.js';
import type { SessionTranscript } from '../inspector/bus.js';
import type { ServiceName } from '../settings/schema.js';
import type { Admission } from './admission.js';
import type { Drainable } from './drain.js';

/** Why the host ends a session: the service is stopping, or the client said nothing for too long. */
export type StopReason = 'shutdown' | 'idle';

/** What a protocol runs on each admitted connection (server/imap/connection.ts, server/pop3/session.ts). */
export interface HostedSession {
  /** Greets and serves commands until the session ends; the host closes the connection after. */
  run(): Promise<void>;
  /** Says the protocol's goodbye (`* BYE …`, `-ERR …`) and closes; the host waits for it only so long. */
  stop(reason: StopReason): void | Promise<void>;
  /** The socket is closed, by either side (called once): wake pending reads, release what the session holds. */
  disconnected(): void;
}

/** After close(): how long the client has to read what was written and close its side. */
const CLOSE_GRACE_MS = 2000;
/** How long a session's goodbye may take (a client that does not read blocks it) before the connection is closed anyway. */
const STOP_GRACE_MS = 2000;

export class Connection implements Drainable {
  readonly id = crypto.randomBytes(6).toString('hex');
  readonly transcript: SessionTranscript;
  /** The socket to read and write: replaced by the TLS socket when TLS starts. */
  socket: net.Socket;
  secure = false;
  session: HostedSession | null = null;
  /** Resolves once the socket is closed (and the admission released). */
  readonly closed: Promise<void>;

  private closing = false;
  private gone = false;
  private badCommands = 0;
  private readonly idleMs: number;
  private idleTimer: NodeJS.Timeout;
  /** When (performance.now(), a monotonic clock) a byte was last read or written: the idle timer checks it when it fires, cheaper than re-arming the timer every time. */
  private lastActivity = performance.now();
  private resolveClosed!: () => void;

  private readonly onClose = () => this.closedNow();
  private readonly onError = () => {
    // ECONNRESET and the like: 'close' follows and cleans up
  };

  constructor(
    private readonly context: EngineContext,
    readonly service: ServiceName,
    socket: net.Socket,
    readonly client: string,
    private readonly admission: Admission,
  ) {
    this.socket = socket;
    this.transcript = context.inspector.session(service, this.id, client);
    this.closed = new Promise((resolve) => (this.resolveClosed = resolve));
    // RFC 1939 §3 and RFC 3501 §5.4: an autologout timer of at least 10 (POP3) or 30 (IMAP) minutes; the setting says how long.
    this.idleMs = context.settings().limits.idleTimeoutSeconds * 1000;
    this.idleTimer = this.idleTimerFor(this.idleMs);
    socket.on('error', this.onError);
    socket.on('close', this.onClose);
    this.transcript.event('connected');
  }

  /** False once the connection is closing or closed. */
  get open(): boolean {
    return !this.closing && !this.gone;
  }

  /** The client or the server did something: the idle timer starts over. */
  touch(): void {
    this.lastActivity = performance.now();
  }

  /**
   * One more unknown, misplaced or malformed command (limits.badCommandsPerSession, the same rule
   * for every protocol): true when this one reaches the limit — the session says so and closes.
   */
  badCommand(): boolean {
    if (++this.badCommands < this.context.settings().limits.badCommandsPerSession) return false;
    this.transcript.event('too many bad commands');
    this.context.log.warn(this.service, `closed after ${this.badCommands} bad commands (limits.badCommandsPerSession)`, { session: this.id, client: this.client });
    return true;
  }

  /** Resolves when the socket can take more (back-pressure after a write returned false), or is closed. */
  drained(): Promise<void> {
    if (this.gone) return Promise.resolve();
    const socket = this.socket;
    return new Promise((resolve) => {
      const done = () => {
        socket.off('drain', done);
        socket.off('close', done);
        resolve();
      };
      socket.on('drain', done);
      socket.on('close', done);
    });
  }

  /** Writes one line (with CRLF) and shows it in the transcript. */
  say(line: string): void {
    if (this.gone || this.socket.writableEnded) return;
    this.socket.write(`${line}\r\n`);
    this.transcript.server(line);
  }

  // ── TLS ────────────────────────────────────────────────────────────────────

  /**
   * STARTTLS (RFC 3501 §6.2.1) / STLS (RFC 2595 §4), once the protocol's go-ahead is written and it
   * stopped reading the plain socket: what the client sent before the handshake is discarded, never
   * acted on (`readAhead`: bytes the protocol had already read and dropped). `socket` is the TLS
   * socket from now on. Resolves false when the handshake failed; the connection is closing then.
   */
  startTls(readAhead = 0): Promise<boolean> {
    let dropped = readAhead;
    if (this.socket.readableLength) {
      for (let chunk: Buffer | null; (chunk = this.socket.read() as Buffer | null) !== null; ) dropped += chunk.length;
    }
    if (dropped) this.transcript.event(`discarded ${dropped} bytes sent before the TLS handshake`);
    return this.handshake(false);
  }

  /** Implicit TLS (RFC 8314: 993, 995): the handshake before anything else. */
  acceptTls(): Promise<boolean> {
    return this.handshake(true);
  }

  private handshake(implicit: boolean): Promise<boolean> {
    const plain = this.socket;
    plain.off('close', this.onClose);
    // The TLS socket takes over the connection now, before the client's ClientHello can arrive;
    // it uses the certificate current at this moment, so a renewed or imported one applies to the next handshake.
    const secure: tls.TLSSocket = this.context.tls.upgrade(plain);
    this.socket = secure;
    secure.on('error', this.onError);
    secure.on('close', this.onClose);
    return new Promise((resolve) => {
      const deadline = setTimeout(() => secure.destroy(new Error('no handshake within limits.commandTimeoutSeconds')), this.context.settings().limits.commandTimeoutSeconds * 1000);
      deadline.unref();
      const settle = (ok: boolean, error?: Error) => {
        clearTimeout(deadline);
        secure.off('secure', succeeded);
        secure.off('error', failed);
        secure.off('close', closed);
        if (ok) {
          this.secure = true;
          const cipher = secure.getCipher();
          this.transcript.event(`TLS started (${secure.getProtocol() ?? 'TLS'}, ${cipher?.name ?? 'unknown cipher'})`);
        } else {
          this.transcript.event(`TLS handshake failed${error ? `: ${error.message}` : ''}`);
          if (implicit && error) this.context.log.warn(this.service, `TLS handshake failed: ${error.message}`, { client: this.client });
          this.close();
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

  // ── ending ─────────────────────────────────────────────────────────────────

  private idleTimerFor(ms: number): NodeJS.Timeout {
    const timer = setTimeout(() => this.idle(), ms);
    timer.unref();
    return timer;
  }

  private idle(): void {
    if (!this.open) return;
    const quiet = performance.now() - this.lastActivity;
    if (quiet < this.idleMs) {
      this.idleTimer = this.idleTimerFor(this.idleMs - quiet);
      return;
    }
    this.transcript.event('idle timeout');
    void this.stop('idle');
  }

  /** Ends the session with the protocol's goodbye (waiting for it only so long), then closes. */
  async stop(reason: StopReason): Promise<void> {
    if (!this.open) return;
    if (this.session) {
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<void>((resolve) => (timer = setTimeout(resolve, STOP_GRACE_MS)));
      await Promise.race([Promise.resolve(this.session.stop(reason)).catch(() => {}), late]);
      clearTimeout(timer);
    }
    this.close();
  }

  /** Graceful drain (drain.ts): the goodbye of a stopping service. */
  farewell(): Promise<void> {
    return this.stop('shutdown');
  }

  /** Ends the connection after what was written so far; destroyed if the client does not close its side in time. */
  close(): void {
    if (this.closing || this.gone) return;
    this.closing = true;
    const socket = this.socket;
    socket.end();
    setTimeout(() => socket.destroy(), CLOSE_GRACE_MS).unref();
  }

  /** Drops the connection at once. */
  destroy(): void {
    this.socket.destroy();
  }

  private closedNow(): void {
    if (this.gone) return;
    this.gone = true;
    clearTimeout(this.idleTimer);
    if (this.admission.ok) this.admission.release();
    this.transcript.event('closed');
    this.session?.disconnected();
    this.resolveClosed();
  }
}

// smtp-server, adjusted at four points where LanPost's policy is finer than its options:
//  - smtp-server holds every greeting 100 ms to catch clients that talk before it (spam bots do);
//    LanPost holds it only where such clients come from: port 25, outside the trusted networks.
//    Postfix's postscreen, which does the same, also sits only on port 25.
//  - AUTH is advertised in EHLO, and accepted, only where the plaintext-login policy allows it
//    (after STARTTLS, or from a trusted network); elsewhere AUTH gets 538 5.7.11 (RFC 4954 §6).
//  - an application reply that starts with its own enhanced status code ("5.7.1 Relay access
//    denied") keeps it, instead of the generic one smtp-server derives from the reply code.
//  - a client that makes too many errors (refused RCPT or MAIL, unknown or misplaced commands,
//    failed AUTH: every 4xx/5xx reply) is slowed down, then disconnected, as Postfix smtpd does.
//  - on submission, BURL (RFC 4468) builds the message from IMAP URLs instead of DATA.
// Connections are admitted by the engine's admission guard (server/net/admission.ts), as those of
// every other protocol, and a stopping server drains them as the session host does (net/drain.ts).
import type net from 'node:net';
import { Readable } from 'node:stream';
import type tls from 'node:tls';
import { SMTPServer, type SMTPServerDataStream, type SMTPServerOptions, type SMTPServerSession } from 'smtp-server';
import { SMTPConnection, type SMTPConnectionOptions } from 'smtp-server/lib/smtp-connection.js';
import type { Admission } from '../net/admission.js';
import { drain, type Drainable } from '../net/drain.js';
import { replies } from './replies.js';
import type { SmtpTranscriptLogger } from './transcript.js';

const ENHANCED_CODE = /^[245]\.\d{1,3}\.\d{1,3} /;

export interface ConnectionPolicy {
  /** One more connection from this address (the engine's admission guard): a ticket, or the limit it met. */
  admit(remoteAddress: string): Admission;
  /** May this session log in with a plaintext mechanism right now? */
  plaintextAuthAllowed(session: SMTPServerSession): boolean;
  /** Whether a client at this address gets the greeting pause that catches early talkers. */
  pausesGreeting(remoteAddress: string): boolean;
  /** Postfix smtpd_soft_error_limit, smtpd_hard_error_limit and smtpd_error_sleep_time. */
  errorLimits(): { soft: number; hard: number; sleepMs: number };
  /** The session is about to be closed for making `errors` errors. */
  tooManyErrors(session: SMTPServerSession, errors: number): void;
  /** BURL (submission only): the data of an IMAP URL for the logged-in user, null when it cannot be had. */
  burl?(session: SMTPServerSession, url: string): Promise<Buffer | null>;
}

/** smtp-server's own pause: a client that writes before the greeting gets 421 "You talk too soon". */
const GREETING_PAUSE_MS = 100;

const SHUTTING_DOWN = '4.3.2 Server shutting down, try again later';

class PolicyConnection extends SMTPConnection implements Drainable {
  private advertising = false;
  /** Error replies (4xx/5xx, except the closing 421) sent in this session. */
  private errors = 0;
  /** The pieces of the message BURL has fetched so far in this transaction. */
  private burlChunks: Buffer[] = [];
  private readonly admission: Admission;
  readonly closed: Promise<void>;
  private resolveClosed!: () => void;

  constructor(
    server: SMTPServer,
    socket: net.Socket | tls.TLSSocket,
    options: SMTPConnectionOptions | null | undefined,
    private readonly policy: ConnectionPolicy,
  ) {
    super(server, socket, options);
    this.admission = policy.admit(this.remoteAddress);
    this.closed = new Promise((resolve) => (this.resolveClosed = resolve));
  }

  override init(): void {
    this._setListeners(() => {
      // over limits.connectionsPerClient or limits.connectionsTotal (smtp-server's maxClients check, engine-wide)
      if (!this.admission.ok) {
        return this.send(421, (this.admission.reason === 'client' ? replies.tooManyConnections() : replies.tooManyClients(this.name)).message);
      }
      if (!this.policy.pausesGreeting(this.remoteAddress)) return this.connectionReady();
      setTimeout(() => this.connectionReady(), GREETING_PAUSE_MS).unref();
    });
  }

  override _onClose(): void {
    super._onClose();
    if (this.admission.ok) this.admission.release();
    this.resolveClosed();
  }

  /** Server stop: an idle session gets 421 now; one in the middle of DATA may finish its message. */
  farewell(): void {
    if (!this._dataStream) this.send(421, SHUTTING_DOWN);
  }

  /** Past the grace period: a message still arriving was never acknowledged, the client sends it again later. */
  destroy(): void {
    if (!this._closing) this.send(421, SHUTTING_DOWN);
    this._socket.destroy();
  }

  // Postfix smtpd: at the hard error limit the next command gets 421 and the connection closes;
  // from the soft limit on, every reply waits the error sleep time first (smtpd_chat_reply).
  override _onCommand(command: Buffer, callback?: () => void): void {
    const { soft, hard, sleepMs } = this.policy.errorLimits();
    if (this.errors >= hard) {
      this.policy.tooManyErrors(this.session, this.errors);
      return this.send(421, `4.7.0 ${this.name} Error: too many errors`);
    }
    if (this.errors < soft || !sleepMs) return super._onCommand(command, callback);
    setTimeout(() => {
      if (!this._closing) super._onCommand(command, callback);
    }, sleepMs).unref();
  }

  override _isSupported(command: string): boolean {
    if (command === 'AUTH' && this.advertising && !this.policy.plaintextAuthAllowed(this.session)) return false;
    if (command.trim().toUpperCase() === 'BURL' && !this.policy.burl) return false;
    return super._isSupported(command);
  }

  override _resetSession(): void {
    super._resetSession();
    this.burlChunks = [];
  }

  /**
   * BURL url [LAST] (RFC 4468 §3): after MAIL and RCPT, each URL's data is a piece of the message;
   * LAST ends it, and the message goes the way one sent with DATA goes.
   */
  handler_BURL(command: Buffer, callback: () => void): void {
    const [, url, last, ...extra] = command.toString().trim().split(/\s+/);
    if (!url || extra.length || (last !== undefined && last.toUpperCase() !== 'LAST')) {
      this.send(501, '5.5.4 Syntax: BURL imap-url [LAST]');
      return callback();
    }
    if (!this.session.user) this.send(530, '5.7.0 Authentication required');
    else if (!this.session.envelope.rcptTo.length) this.send(503, '5.5.1 Error: need MAIL and RCPT first');
    if (!this.session.user || !this.session.envelope.rcptTo.length) return callback();
    this.policy.burl!(this.session, url).then(
      (data) => {
        if (!data) {
          this.send(554, '5.6.6 Message content not available: the URL cannot be fetched');
          this._resetSession();
          return callback();
        }
        this.burlChunks.push(data);
        const size = this.burlChunks.reduce((sum, chunk) => sum + chunk.length, 0);
        if (this._isOversized(size)) {
          this.send(552, `5.3.4 Message size exceeds the limit of ${this._server.options.size} bytes`);
          this._resetSession();
        } else if (last) return this.submitBurl(Buffer.concat(this.burlChunks), callback);
        else this.send(250, `2.5.0 ${data.length} octets received, ${size} in all`);
        callback();
      },
      () => {
        this.send(451, '4.3.0 Local error in processing, try again later');
        callback();
      },
    );
  }

  /** The assembled message through the server's DATA hook, answered as DATA is. */
  private submitBurl(message: Buffer, callback: () => void): void {
    const stream = Object.assign(Readable.from([message]), { byteLength: message.length, sizeExceeded: false }) as unknown as SMTPServerDataStream;
    this._server.onData(stream, this.session, (error, reply) => {
      if (error) this.send((error as { responseCode?: number }).responseCode ?? 450, error.message);
      else this.send(250, typeof reply === 'string' ? reply : 'OK: message queued');
      this._transactionCounter++;
      this._resetSession();
      callback();
    });
  }

  override handler_EHLO(command: Buffer, callback: () => void): void {
    this.advertising = true;
    try {
      super.handler_EHLO(command, callback);
    } finally {
      this.advertising = false;
    }
  }

  override handler_AUTH(command: Buffer, callback: () => void): void {
    if (!this.policy.plaintextAuthAllowed(this.session)) {
      this.send(538, '5.7.11 Encryption required for requested authentication mechanism: use STARTTLS first');
      return callback();
    }
    super.handler_AUTH(command, callback);
  }

  override send(code: number, data?: string | string[] | null, context?: string | false): void {
    if (code >= 400 && code !== 421) this.errors++;
    // RFC 4468 §3: EHLO names BURL with the URL schemes it fetches
    if (this.advertising && code === 250 && Array.isArray(data) && this.policy.burl) data = [...data, 'BURL imap'];
    if (typeof data === 'string' && ENHANCED_CODE.test(data)) return super.send(code, data, false);
    super.send(code, data, context);
  }
}

export class PolicySmtpServer extends SMTPServer {
  private readonly open = new Set<PolicyConnection>();

  /**
   * `transcript` receives smtp-server's log calls directly (every C:/S: line), without the
   * generic wrapper its `logger` option puts around a logger: that wrapper costs more per line.
   */
  constructor(
    options: SMTPServerOptions,
    private readonly policy: ConnectionPolicy,
    transcript: SmtpTranscriptLogger,
  ) {
    super({ ...options, logger: false });
    this.logger = transcript as unknown as SMTPServer['logger'];
  }

  override connect(socket: net.Socket | tls.TLSSocket, socketOptions?: SMTPConnectionOptions | null): void {
    const connection = new PolicyConnection(this, socket, socketOptions, this.policy);
    this.connections.add(connection);
    // smtp-server forgets a connection once it is closing; the drain waits until it is closed
    this.open.add(connection);
    void connection.closed.then(() => this.open.delete(connection));
    connection.on('error', (error: Error) => this._onError(error));
    connection.on('connect', (data) => this._onClientConnect(data));
    connection.init();
  }

  /** Stop: no new connections, handshakes in progress dropped, open sessions drained (421). */
  async stopGracefully(graceMs: number): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this._pendingSockets.forEach((socket) => socket.destroy());
    await drain(this.open, graceMs);
    await closed;
  }
}

// SMTP on 25 (MX: mail for local users; relay only for the authenticated), 587 (submission:
// AUTH required) and 465 (submission over implicit TLS, RFC 8314). smtp-server is the session
// state machine; LanPost's policy lives in the hooks below.
import type { SMTPServerAddress, SMTPServerAuthentication, SMTPServerDataStream, SMTPServerSession } from 'smtp-server';
import type { Recipient, User } from '../accounts/accounts.js';
import { splitAddress } from '../accounts/accounts.js';
import type { EngineContext, Service, ServiceFactory } from '../context.js';
import { plainAddress } from '../net/interfaces.js';
import { listenTcp } from '../net/listener.js';
import type { ServiceName } from '../settings/schema.js';
import { burlData } from './burl.js';
import { PolicySmtpServer } from './connection.js';
import { missingHeaders, receivedHeader } from './headers.js';
import { replies } from './replies.js';
import { clientWentAway, smtpLogger } from './transcript.js';

type Mode = 'mx' | 'submission';
const SHUTDOWN_GRACE_MS = 5000;

interface SessionState {
  client: string;
  /** Recipients accepted at RCPT, with where they lead. */
  recipients: Map<string, Recipient>;
}

type Callback = (error?: Error | null) => void;

export const createSmtpService: ServiceFactory = (context, name) => new SmtpService(context, name);

class SmtpService implements Service {
  private server: PolicySmtpServer | null = null;
  private readonly mode: Mode;
  private readonly sessions = new Map<string, SessionState>();
  private readonly clients = new Map<string, string>();
  private readonly onCertificateChange = () => this.server?.updateSecureContext(this.context.tls.pem);

  constructor(
    private readonly context: EngineContext,
    readonly name: ServiceName,
  ) {
    this.mode = name === 'smtp' ? 'mx' : 'submission';
  }

  async start() {
    const { address, port } = this.context.settings().services[this.name];
    this.server = this.createServer();
    // A client's dropped connection is logged, with its session, by the transcript logger.
    this.server.on('error', (error) => {
      if (!clientWentAway(error)) this.context.log.error(this.name, error.message);
    });
    this.context.tls.on('change', this.onCertificateChange);
    return listenTcp(this.server.server, this.name, address, port);
  }

  async stop() {
    this.context.tls.off('change', this.onCertificateChange);
    const server = this.server;
    this.server = null;
    if (server?.server.listening) await server.stopGracefully(SHUTDOWN_GRACE_MS);
  }

  private createServer(): PolicySmtpServer {
    const settings = this.context.settings();
    const { limits } = settings;
    return new PolicySmtpServer(
      {
        ...this.context.tls.pem,
        secure: this.name === 'smtps',
        name: settings.hostname,
        banner: 'LanPost',
        size: limits.messageSizeBytes,
        rejectOversized: true,
        maxRecipients: limits.recipientsPerMessage,
        // TLS handshakes in progress on 465; sessions are admitted by the engine's guard (connection.ts)
        maxClients: limits.connectionsTotal,
        socketTimeout: limits.commandTimeoutSeconds * 1000,
        maxCommandLength: limits.lineLengthBytes,
        authMethods: ['PLAIN', 'LOGIN'],
        authOptional: this.mode === 'mx',
        allowInsecureAuth: true, // the policy connection decides per session, see connection.ts
        hideENHANCEDSTATUSCODES: false,
        disableReverseLookup: true,
        onConnect: (session, callback) => this.onConnect(session, callback),
        onAuth: (auth, session, callback) => void this.onAuth(auth, session, callback),
        onMailFrom: (address, session, callback) => this.onMailFrom(address, session, callback),
        onRcptTo: (address, session, callback) => this.onRcptTo(address, session, callback),
        onData: (stream, session, callback) => this.onData(stream, session, callback),
        onClose: (session) => this.onClose(session),
      },
      {
        admit: (remoteAddress) => this.context.admission.admit(this.name, plainAddress(remoteAddress)),
        plaintextAuthAllowed: (session) => this.context.plaintextLoginAllowed(session.remoteAddress, session.secure),
        pausesGreeting: (remoteAddress) => this.mode === 'mx' && !this.context.isTrusted(remoteAddress),
        errorLimits: () => {
          const { smtpSoftErrorLimit, smtpHardErrorLimit, smtpErrorSleepSeconds } = this.context.settings().limits;
          return { soft: smtpSoftErrorLimit, hard: smtpHardErrorLimit, sleepMs: smtpErrorSleepSeconds * 1000 };
        },
        burl: this.mode === 'submission' ? (session, url) => burlData(this.context, session.user!, url) : undefined,
        tooManyErrors: (session, errors) =>
          this.context.log.warn(this.name, `disconnected after ${errors} errors: too many errors`, {
            session: session.id,
            client: plainAddress(session.remoteAddress),
          }),
      },
      smtpLogger(this.name, this.context.inspector, this.context.log, this.clients),
    );
  }

  // ── hooks ──────────────────────────────────────────────────────────────────

  private onConnect(session: SMTPServerSession, callback: Callback): void {
    const client = plainAddress(session.remoteAddress);
    this.sessions.set(session.id, { client, recipients: new Map() });
    this.clients.set(session.id, client);
    this.context.inspector.emitLine({ service: this.name, session: session.id, client, direction: '*', text: 'connected' });
    callback();
  }

  private onClose(session: SMTPServerSession): void {
    const state = this.sessions.get(session.id);
    if (!state) return;
    this.sessions.delete(session.id);
    this.clients.delete(session.id);
    this.context.inspector.emitLine({ service: this.name, session: session.id, client: state.client, direction: '*', text: 'closed' });
  }

  private async onAuth(
    auth: SMTPServerAuthentication,
    session: SMTPServerSession,
    callback: (error: Error | null | undefined, response?: { user?: string }) => void,
  ): Promise<void> {
    const client = plainAddress(session.remoteAddress);
    try {
      const result = await this.context.accounts.login(auth.username ?? '', auth.password ?? '', client);
      if (result.ok) {
        this.context.log.info(this.name, `logged in (${auth.method})`, { session: session.id, client, user: result.user.address });
        return callback(null, { user: result.user.address });
      }
      this.context.log.warn(this.name, `login failed for ${auth.username}: ${result.reason}`, { session: session.id, client });
      if (result.reason === 'throttled') return callback(replies.throttled(result.retryAfterSeconds));
      return callback(result.reason === 'disabled' ? replies.accountDisabled() : replies.badCredentials());
    } catch (error) {
      this.context.log.error(this.name, `login check failed: ${(error as Error).message}`, { session: session.id, client });
      callback(replies.localError());
    }
  }

  private onMailFrom(address: SMTPServerAddress, session: SMTPServerSession, callback: Callback): void {
    const state = this.sessions.get(session.id);
    state?.recipients.clear();
    const sender = address.address.toLowerCase();
    if (this.mode === 'submission' && !session.user) return callback(replies.authRequired());
    // RFC 1870 §6.1: with too little space for the announced size (or any), a temporary 452.
    if (this.context.disk.refuses(announcedSize(address))) return callback(replies.insufficientStorage());
    if (session.user) {
      const user = this.context.accounts.findUser(session.user);
      const owned = user ? this.context.accounts.sendableAddresses(user) : new Set<string>();
      if (!owned.has(sender)) return callback(replies.senderNotOwned(address.address, session.user));
      return callback();
    }
    // Someone who has not logged in, from outside the trusted networks, may not claim a local sender.
    const { domain } = splitAddress(sender);
    if (sender && this.context.accounts.isLocalDomain(domain) && !this.context.isTrusted(session.remoteAddress)) {
      return callback(replies.senderNeedsAuth(address.address));
    }
    callback();
  }

  private onRcptTo(address: SMTPServerAddress, session: SMTPServerSession, callback: Callback): void {
    const accounts = this.context.accounts;
    const recipientAddress = address.address;
    if (!recipientAddress) return callback(replies.badAddress(recipientAddress));
    const recipient = accounts.resolveRecipient(recipientAddress);
    if (recipient.kind === 'foreign') {
      const settings = this.context.settings();
      const mayRelay = !!session.user || (settings.relay.fromTrustedNetworks && this.context.isTrusted(session.remoteAddress));
      if (!mayRelay) return callback(replies.relayDenied(recipientAddress));
    } else if (recipient.kind === 'unknown') {
      return callback(replies.unknownUser(recipientAddress));
    } else if (!recipient.forward.length && recipient.users.every((user) => this.overQuota(user, session))) {
      return callback(replies.mailboxFull(recipientAddress));
    }
    this.sessions.get(session.id)?.recipients.set(recipientAddress.toLowerCase(), recipient);
    callback();
  }

  /** Over quota already, or would be with the size the client announced (RFC 1870). */
  private overQuota(user: User, session: SMTPServerSession): boolean {
    const announced = session.envelope.mailFrom ? announcedSize(session.envelope.mailFrom) : 0;
    return this.context.accounts.overQuota(user.id, announced);
  }

  private onData(stream: SMTPServerDataStream, session: SMTPServerSession, callback: (error?: Error | null, message?: string) => void): void {
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('error', () => {
      // the client went away mid-message: nothing was acknowledged, nothing is kept
    });
    stream.on('end', () => {
      if (stream.sizeExceeded) return callback(replies.messageTooBig(this.context.settings().limits.messageSizeBytes));
      this.accept(Buffer.concat(chunks), session).then(
        (message) => callback(null, message),
        (error: Error) => {
          this.context.log.error(this.name, `delivery failed: ${error.message}`, { session: session.id });
          this.context.disk.noteWriteError(error);
          callback(replies.localError());
        },
      );
    });
  }

  /** Delivers locally and/or queues; resolves when durable, with the text of the 250 reply. */
  private async accept(body: Buffer, session: SMTPServerSession): Promise<string> {
    const settings = this.context.settings();
    const state = this.sessions.get(session.id);
    const users = new Map<number, User>();
    const remote = new Set<string>();
    const accepted = session.envelope.rcptTo.map((r) => r.address);
    for (const address of accepted) {
      const recipient = state?.recipients.get(address.toLowerCase()) ?? this.context.accounts.resolveRecipient(address);
      if (recipient.kind === 'foreign') remote.add(recipient.address);
      if (recipient.kind === 'local') {
        recipient.users.forEach((user) => users.set(user.id, user));
        recipient.forward.forEach((address) => remote.add(address));
      }
    }
    const now = new Date();
    const cipher = session.secure && session.tlsOptions ? session.tlsOptions : null;
    const trace = receivedHeader({
      helo: session.hostNameAppearsAs,
      clientAddress: plainAddress(session.remoteAddress),
      clientHostname: session.clientHostname || '',
      hostname: settings.hostname,
      protocol: session.transmissionType,
      tlsCipher: cipher ? { name: cipher.name, version: cipher.version ?? cipher.standardName ?? '' } : null,
      authenticatedAs: session.user ?? null,
      id: session.id.slice(-12).toUpperCase(),
      recipients: accepted,
      date: now,
    });
    const added = session.user ? missingHeaders(body, settings.hostname, now) : '';
    const result = await this.context.delivery.deliver({
      sender: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
      content: Buffer.concat([Buffer.from(trace + added), body]),
      localUsers: [...users.values()],
      remoteRecipients: [...remote],
      via: { service: this.name, session: session.id, client: plainAddress(session.remoteAddress), user: session.user ?? undefined },
    });
    return `2.0.0 Ok: queued as ${result.id}`;
  }
}

/** The SIZE= of MAIL FROM (RFC 1870), 0 when not given. */
function announcedSize(mailFrom: SMTPServerAddress): number {
  return Number(mailFrom.args && (mailFrom.args as Record<string, string>).SIZE) || 0;
}

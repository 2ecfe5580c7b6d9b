// One SMTP client session to a remote server, on nodemailer's SMTP connection (which brings
// EHLO, STARTTLS, AUTH, PIPELINING (RFC 2920) and SIZE (RFC 1870)). A session sends several
// messages in turn (RSET after a refused one) and turns every reply into per-recipient outcomes.
import net from 'node:net';
import type SMTPConnection from 'nodemailer/lib/smtp-connection';
import type { SessionTranscript } from '../../inspector/bus.js';
import { isTlsError, outcomeFromError, outcomeFromReply, type Outcome, type SmtpClientError } from './outcome.js';
import type { TlsPolicy } from './routing.js';
import { transcriptLogger } from './transcript.js';

/** How long close() waits for the server to answer QUIT and close. */
const CLOSE_WAIT_MS = 2000;

export interface Endpoint {
  /** An IP address, or a host name resolved by the system (routes, smarthost). */
  host: string;
  port: number;
  /** The host's name for SNI and certificate checks when `host` is an address (MX hosts). */
  servername?: string;
  /** How the host shows in logs and in the queue: "mx.example.org[192.0.2.1]:25". */
  label: string;
  /** How it was found, the session's first transcript line: "MX example.org: 10 mx.example.org [192.0.2.1]", a route, the smarthost. */
  foundBy: string;
  tls: TlsPolicy;
  rejectUnauthorized: boolean;
  auth: { user: string; pass: string } | null;
}

export interface ClientOptions {
  /** Our name in EHLO: the host name from settings. */
  clientName: string;
  connectTimeoutMs: number;
  commandTimeoutMs: number;
  /** Where a new session to `endpoint` writes its transcript (the inspector). */
  transcript(endpoint: Endpoint): SessionTranscript;
}

export interface SendReport {
  outcomes: Map<string, Outcome>;
  /** The session broke before the server answered anything for this message (worth one more try on a new connection). */
  lostBeforeReply: boolean;
}

/** The part of the connection's state nodemailer keeps private but a DATA failure needs: who was refused at RCPT. */
interface EnvelopeState {
  _envelope?: { rejectedErrors?: SmtpClientError[] } | false;
}

export class SmtpSession {
  /** Messages sent (or tried) over this session. */
  messages = 0;
  private broken = false;
  private readonly ended: Promise<void>;

  private constructor(
    private readonly connection: SMTPConnection,
    readonly endpoint: Endpoint,
    /** The session's transcript (the inspector's outbound session, which a message's path points at). */
    readonly transcript: SessionTranscript,
  ) {
    connection.on('error', () => (this.broken = true));
    this.ended = new Promise((resolve) =>
      connection.once('end', () => {
        this.broken = true;
        resolve();
      }),
    );
  }

  get usable(): boolean {
    return !this.broken;
  }

  /** Connects, says EHLO, upgrades to TLS as the policy says and logs in when there are credentials. */
  static async open(endpoint: Endpoint, options: ClientOptions): Promise<SmtpSession> {
    try {
      return await SmtpSession.connect(endpoint, options);
    } catch (error) {
      // An MX hop whose TLS handshake fails is tried once more in plaintext (Postfix smtp_tls_security_level=may).
      if (endpoint.tls === 'opportunistic' && isTlsError(error as SmtpClientError)) {
        return SmtpSession.connect({ ...endpoint, tls: 'none' }, options);
      }
      throw error;
    }
  }

  private static async connect(endpoint: Endpoint, options: ClientOptions): Promise<SmtpSession> {
    const servername = endpoint.servername ?? (net.isIP(endpoint.host) ? undefined : endpoint.host);
    // Loaded on the first outbound connection, not at start-up (memory of an idle engine).
    const { default: SmtpConnection } = await import('nodemailer/lib/smtp-connection');
    const transcript = options.transcript(endpoint);
    transcript.event(endpoint.foundBy);
    const connection = new SmtpConnection({
      host: endpoint.host,
      port: endpoint.port,
      name: options.clientName,
      secure: endpoint.tls === 'implicit',
      requireTLS: endpoint.tls === 'starttls',
      opportunisticTLS: endpoint.tls === 'opportunistic',
      ignoreTLS: endpoint.tls === 'none',
      servername,
      tls: { rejectUnauthorized: endpoint.rejectUnauthorized, servername },
      connectionTimeout: options.connectTimeoutMs,
      greetingTimeout: options.connectTimeoutMs,
      socketTimeout: options.commandTimeoutMs,
      logger: transcriptLogger(transcript),
      transactionLog: true,
    });
    const session = new SmtpSession(connection, endpoint, transcript);
    try {
      await new Promise<void>((resolve, reject) => {
        connection.once('error', reject);
        connection.connect((error) => (error ? reject(error) : resolve()));
      });
      if (endpoint.auth) {
        const auth = endpoint.auth;
        await new Promise<void>((resolve, reject) => connection.login({ user: auth.user, pass: auth.pass }, (error) => (error ? reject(error) : resolve())));
      }
    } catch (error) {
      connection.close();
      throw error;
    }
    return session;
  }

  /** Sends one message to recipients of one destination; every recipient gets an outcome. */
  async send(sender: string, recipients: string[], content: Buffer): Promise<SendReport> {
    const reused = this.messages > 0;
    this.messages++;
    const eightBit = content.some((byte) => byte > 0x7f);
    try {
      const info = await new Promise<SMTPConnection.SentMessageInfo>((resolve, reject) =>
        this.connection.send({ from: sender, to: recipients, size: content.length, use8BitMime: eightBit }, content, (error, result) =>
          error ? reject(error) : resolve(result!),
        ),
      );
      const outcomes = this.refusedAtRcpt(info.rejectedErrors as SmtpClientError[] | undefined);
      for (const recipient of info.accepted) outcomes.set(recipient, outcomeFromReply(info.response));
      return { outcomes: this.complete(outcomes, recipients, outcomeFromReply(info.response)), lostBeforeReply: false };
    } catch (caught) {
      const error = caught as SmtpClientError;
      const lostBeforeReply = reused && (!error.responseCode || error.responseCode === 421);
      // Recipients refused at RCPT keep their own reply; the rest share the error that ended the transaction.
      const refused = error.rejectedErrors ?? (error.command === 'DATA' ? (this.connection as unknown as EnvelopeState)._envelope || {} : {}).rejectedErrors;
      const outcomes = this.complete(this.refusedAtRcpt(refused), recipients, outcomeFromError(error));
      if (error.responseCode === 421 || !error.responseCode) this.broken = true;
      if (!this.broken) await this.reset();
      return { outcomes, lostBeforeReply };
    }
  }

  /** QUIT and close (RFC 5321 §4.1.1.10); a broken session is just closed. Resolves when the connection is gone. */
  close(): Promise<void> {
    if (this.broken) this.connection.close();
    else {
      this.broken = true;
      this.connection.quit();
    }
    return Promise.race([this.ended, new Promise<void>((resolve) => setTimeout(resolve, CLOSE_WAIT_MS).unref())]);
  }

  /** Drops the connection at once, mid-transaction too (engine stop): the server keeps nothing half-sent. */
  abort(): void {
    this.broken = true;
    this.connection.close();
  }

  private refusedAtRcpt(errors: SmtpClientError[] | undefined): Map<string, Outcome> {
    const outcomes = new Map<string, Outcome>();
    for (const error of errors ?? []) if (error.recipient) outcomes.set(error.recipient, outcomeFromError(error));
    return outcomes;
  }

  private complete(outcomes: Map<string, Outcome>, recipients: string[], rest: Outcome): Map<string, Outcome> {
    for (const recipient of recipients) if (!outcomes.has(recipient)) outcomes.set(recipient, rest);
    return outcomes;
  }

  private reset(): Promise<void> {
    return new Promise((resolve) =>
      this.connection.reset((error) => {
        if (error) this.broken = true;
        resolve();
      }),
    );
  }
}

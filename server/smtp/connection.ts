// smtp-server, adjusted at two points where LanPost's policy is finer than its options:
//  - AUTH is advertised in EHLO, and accepted, only where the plaintext-login policy allows it
//    (after STARTTLS, or from a trusted network); elsewhere AUTH gets 538 5.7.11 (RFC 4954 §6).
//  - an application reply that starts with its own enhanced status code ("5.7.1 Relay access
//    denied") keeps it, instead of the generic one smtp-server derives from the reply code.
import type net from 'node:net';
import type tls from 'node:tls';
import { SMTPServer, type SMTPServerOptions, type SMTPServerSession } from 'smtp-server';
import { SMTPConnection, type SMTPConnectionOptions } from 'smtp-server/lib/smtp-connection.js';
import type { SmtpTranscriptLogger } from './transcript.js';

const ENHANCED_CODE = /^[245]\.\d{1,3}\.\d{1,3} /;

export interface AuthPolicy {
  /** May this session log in with a plaintext mechanism right now? */
  plaintextAuthAllowed(session: SMTPServerSession): boolean;
}

class PolicyConnection extends SMTPConnection {
  private advertising = false;

  constructor(
    server: SMTPServer,
    socket: net.Socket | tls.TLSSocket,
    options: SMTPConnectionOptions | null | undefined,
    private readonly policy: AuthPolicy,
  ) {
    super(server, socket, options);
  }

  override _isSupported(command: string): boolean {
    if (command === 'AUTH' && this.advertising && !this.policy.plaintextAuthAllowed(this.session)) return false;
    return super._isSupported(command);
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
    if (typeof data === 'string' && ENHANCED_CODE.test(data)) return super.send(code, data, false);
    super.send(code, data, context);
  }
}

export class PolicySmtpServer extends SMTPServer {
  /**
   * `transcript` receives smtp-server's log calls directly (every C:/S: line), without the
   * generic wrapper its `logger` option puts around a logger: that wrapper costs more per line.
   */
  constructor(
    options: SMTPServerOptions,
    private readonly policy: AuthPolicy,
    transcript: SmtpTranscriptLogger,
  ) {
    super({ ...options, logger: false });
    this.logger = transcript as unknown as SMTPServer['logger'];
  }

  override connect(socket: net.Socket | tls.TLSSocket, socketOptions?: SMTPConnectionOptions | null): void {
    const connection = new PolicyConnection(this, socket, socketOptions, this.policy);
    this.connections.add(connection);
    connection.on('error', (error: Error) => this._onError(error));
    connection.on('connect', (data) => this._onClientConnect(data));
    connection.init();
  }

  /** Stop: idle sessions get 421 now; a session in the middle of DATA may finish its message. */
  stopGracefully(graceMs: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, graceMs + 1000);
      this.options.closeTimeout = graceMs;
      this.close(() => {
        clearTimeout(timer);
        resolve();
      });
      for (const connection of this.connections) {
        if (!connection._dataStream) {
          connection.send(421, '4.3.2 Server shutting down, try again later');
          connection.close();
        }
      }
    });
  }
}

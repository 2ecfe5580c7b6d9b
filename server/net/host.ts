// The session host of the TCP protocols written here (IMAP, POP3, and those to come): listens
// (plain, or implicit TLS), admits each connection through the engine's admission guard, runs the
// protocol's session on it, and on stop tells every session goodbye and waits for them, bounded.
// A protocol plugs in with a Protocol object; server/services.ts says which port speaks which.
import net from 'node:net';
import type { EngineContext, Service, ServiceFactory } from '../context.js';
import type { ServiceName } from '../settings/schema.js';
import type { RefusalReason } from './admission.js';
import { Connection, type HostedSession } from './connection.js';
import { drain } from './drain.js';
import { plainAddress } from './interfaces.js';
import { listenTcp } from './listener.js';

export interface Protocol {
  /** The line a connection over a limit gets instead of the greeting (IMAP `* BYE …`, POP3 `-ERR …`), then it is closed. */
  refusal(reason: RefusalReason): string;
  /** The session for an admitted connection (after the handshake on an implicit-TLS port). */
  session(connection: Connection, context: EngineContext): HostedSession;
  /** When a service speaking it starts or has stopped (caches to prune or to flush). */
  started?(context: EngineContext, service: ServiceName): void;
  stopped?(context: EngineContext, service: ServiceName): void;
}

export interface HostOptions {
  /** TLS from the first byte (RFC 8314), as on 993 and 995; otherwise the protocol may offer STARTTLS. */
  implicitTls?: boolean;
}

/** How long sessions have to say goodbye and close when their service stops. */
const SHUTDOWN_GRACE_MS = 3000;

/** A service table entry (server/services.ts): `protocol` served on the port of the service's settings. */
export function hostedService(protocol: Protocol, options: HostOptions = {}): ServiceFactory {
  return (context, name) => new SessionHost(context, name, protocol, options.implicitTls ?? false);
}

class SessionHost implements Service {
  private server: net.Server | null = null;
  private readonly connections = new Set<Connection>();

  constructor(
    private readonly context: EngineContext,
    readonly name: ServiceName,
    private readonly protocol: Protocol,
    private readonly implicitTls: boolean,
  ) {}

  async start() {
    const { address, port } = this.context.settings().services[this.name];
    const server = net.createServer({ noDelay: true }, (socket) => this.accept(socket));
    server.on('error', (error) => this.context.log.error(this.name, error.message));
    this.server = server;
    this.protocol.started?.(this.context, this.name);
    return listenTcp(server, this.name, address, port);
  }

  async stop() {
    const server = this.server;
    this.server = null;
    if (!server) return;
    const closed = new Promise<void>((resolve) => (server.listening ? server.close(() => resolve()) : resolve()));
    await drain(this.connections, SHUTDOWN_GRACE_MS);
    await closed;
    this.protocol.stopped?.(this.context, this.name);
  }

  private accept(socket: net.Socket): void {
    const client = plainAddress(socket.remoteAddress ?? '');
    const admission = this.context.admission.admit(this.name, client);
    const connection = new Connection(this.context, this.name, socket, client, admission);
    this.connections.add(connection);
    void connection.closed.then(() => this.connections.delete(connection));
    void this.serve(connection, admission.ok ? null : admission.reason);
  }

  private async serve(connection: Connection, refused: RefusalReason | null): Promise<void> {
    if (this.implicitTls && !(await connection.acceptTls())) return;
    if (refused) {
      connection.say(this.protocol.refusal(refused));
      return connection.close();
    }
    if (!connection.open) return;
    const session = this.protocol.session(connection, this.context);
    connection.session = session;
    try {
      await session.run();
    } catch (error) {
      this.context.log.error(this.name, `session failed: ${(error as Error).message}`, { session: connection.id, client: connection.client });
    } finally {
      connection.close();
    }
  }
}

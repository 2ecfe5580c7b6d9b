// POP3 on 110 (STLS offered, RFC 2595) and 995 (implicit TLS, RFC 8314): the listener, the
// connection limits and the set of open sessions. Both names use this factory; the sessions do the
// protocol (session.ts). TLS wraps each accepted socket with the certificate current at that
// moment, so a renewed or imported certificate applies to the next connection.
import net from 'node:net';
import type { EngineContext, Service, ServiceFactory } from '../context.js';
import { plainAddress } from '../net/interfaces.js';
import { listenTcp } from '../net/listener.js';
import type { ServiceName } from '../settings/schema.js';
import { replies } from './replies.js';
import { Pop3Session } from './session.js';

const SHUTDOWN_GRACE_MS = 3000;

export const createPop3Service: ServiceFactory = (context, name) => new Pop3Service(context, name);

class Pop3Service implements Service {
  private server: net.Server | null = null;
  private readonly sessions = new Set<Pop3Session>();
  private readonly perClient = new Map<string, number>();

  constructor(
    private readonly context: EngineContext,
    readonly name: ServiceName,
  ) {}

  async start() {
    const { address, port } = this.context.settings().services[this.name];
    const server = net.createServer({ noDelay: true }, (socket) => this.accept(socket));
    server.maxConnections = this.context.settings().limits.connectionsTotal;
    server.on('error', (error) => this.context.log.error(this.name, error.message));
    this.server = server;
    return listenTcp(server, this.name, address, port);
  }

  async stop() {
    const server = this.server;
    this.server = null;
    if (!server) return;
    const closed = new Promise<void>((resolve) => (server.listening ? server.close(() => resolve()) : resolve()));
    const sessions = [...this.sessions];
    sessions.forEach((session) => session.shutdown());
    const grace = new Promise<void>((resolve) => setTimeout(resolve, SHUTDOWN_GRACE_MS).unref());
    await Promise.race([Promise.all(sessions.map((s) => s.closed)), grace]);
    for (const session of this.sessions) session.destroy();
    await closed;
    this.context.pop3.wireSizes.flush();
  }

  private accept(socket: net.Socket): void {
    const client = plainAddress(socket.remoteAddress ?? '');
    const open = this.perClient.get(client) ?? 0;
    const limit = this.context.settings().limits.connectionsPerClient;
    const refusal = open >= limit ? replies.tooManyConnections() : undefined;
    if (refusal) this.context.log.warn(this.name, `refused connection: ${open} already open`, { client });
    this.perClient.set(client, open + 1);
    const session = new Pop3Session({ context: this.context, service: this.name, socket, implicitTls: this.name === 'pop3s', refusal });
    this.sessions.add(session);
    void session.closed.then(() => {
      this.sessions.delete(session);
      const left = (this.perClient.get(client) ?? 1) - 1;
      if (left > 0) this.perClient.set(client, left);
      else this.perClient.delete(client);
    });
    void session.run();
  }
}

// IMAP on 143 (STARTTLS) and 993 (implicit TLS, RFC 8314): a TCP or TLS listener handing each
// connection to a Connection, with the per-client and total connection limits.
import net from 'node:net';
import tls from 'node:tls';
import type { EngineContext, Service, ServiceFactory } from '../context.js';
import { plainAddress } from '../net/interfaces.js';
import { listenTcp } from '../net/listener.js';
import type { ServiceName } from '../settings/schema.js';
import { Connection } from './connection.js';

export const createImapService: ServiceFactory = (context, name) => new ImapService(context, name);

class ImapService implements Service {
  private server: net.Server | null = null;
  private readonly connections = new Set<Connection>();
  private readonly perClient = new Map<string, number>();
  private readonly onCertificateChange = () => {
    if (this.server instanceof tls.Server) this.server.setSecureContext({ ...this.context.tls.pem });
  };

  constructor(
    private readonly context: EngineContext,
    readonly name: ServiceName,
  ) {}

  async start() {
    const { address, port } = this.context.settings().services[this.name];
    const implicitTls = this.name === 'imaps';
    const server = implicitTls
      ? tls.createServer({ ...this.context.tls.pem }, (socket) => this.accept(socket, true))
      : net.createServer((socket) => this.accept(socket, false));
    server.on('error', (error) => this.context.log.error(this.name, error.message));
    if (implicitTls) {
      server.on('tlsClientError', (error) => this.context.log.warn(this.name, `TLS handshake failed: ${error.message}`));
    }
    this.server = server;
    this.context.tls.on('change', this.onCertificateChange);
    try {
      const pruned = this.context.mimeCache.prune();
      if (pruned) this.context.log.info(this.name, `dropped ${pruned} cached MIME structures of removed messages`);
    } catch (error) {
      this.context.log.warn(this.name, `MIME cache not pruned: ${(error as Error).message}`);
    }
    return listenTcp(server, this.name, address, port);
  }

  async stop() {
    this.context.tls.off('change', this.onCertificateChange);
    const server = this.server;
    this.server = null;
    if (!server) return;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    await Promise.all([...this.connections].map((c) => c.shutdown()));
    await closed;
    const cache = this.context.mimeCache;
    cache.flush();
    cache.helper.stop();
  }

  private accept(socket: net.Socket, secure: boolean): void {
    const { limits } = this.context.settings();
    const client = plainAddress(socket.remoteAddress ?? '');
    const open = this.perClient.get(client) ?? 0;
    socket.setNoDelay(true);
    if (open >= limits.connectionsPerClient || this.connections.size >= limits.connectionsTotal) {
      this.context.log.warn(this.name, `refused connection: too many connections`, { client });
      socket.end('* BYE Too many connections from your address, try again later\r\n');
      socket.on('error', () => {});
      return;
    }
    this.perClient.set(client, open + 1);
    const connection = new Connection(this.context, this.name, socket, secure, (c) => {
      if (!this.connections.delete(c)) return;
      const left = (this.perClient.get(client) ?? 1) - 1;
      if (left > 0) this.perClient.set(client, left);
      else this.perClient.delete(client);
    });
    this.connections.add(connection);
    void connection.run();
  }
}

// The DNS service: UDP and TCP on the same port of each listening address (by default the mail
// host's LAN address(es) and 127.0.0.1, never the wildcard, because systemd-resolved holds
// 127.0.0.53:53 and Windows connection sharing may hold UDP 53), the zones kept up to date
// with the settings, the machine's addresses and the DKIM key files.
import dgram from 'node:dgram';
import net from 'node:net';
import type { EngineContext, Service, ServiceFactory } from '../context.js';
import { plainAddress } from '../net/interfaces.js';
import { bindUdp, hostPort, listenTcp, type ServiceStatus } from '../net/listener.js';
import type { ServiceName, Settings } from '../settings/schema.js';
import { autoListenAddresses, mailHostAddresses } from './addresses.js';
import { Forwarder } from './forwarder.js';
import { QueryView } from './query.js';
import { Responder, type Exchange } from './responder.js';
import { currentZones, zoneInputs } from './source.js';
import { TcpConnection } from './tcp.js';
import { DnsTranscript } from './transcript.js';
import type { ZoneSet } from './zone.js';

/** How often the machine's addresses and the DKIM key files are looked at again. */
const RECHECK_MS = 2000;
/** Port 0 (tests): the UDP port picked may be taken for TCP; try a few others. */
const PORT_ATTEMPTS = 5;
const RECEIVE_BUFFER_BYTES = 4 * 1024 * 1024;

interface Listener {
  address: string;
  udp: dgram.Socket;
  tcp: net.Server;
}

export const createDnsService: ServiceFactory = (context, name) => new DnsService(context, name);

class DnsService implements Service {
  private readonly listeners: Listener[] = [];
  private readonly connections = new Set<net.Socket>();
  private readonly perClient = new Map<string, number>();
  private readonly transcript: DnsTranscript;
  private readonly forwarder: Forwarder;
  private readonly responder: Responder;
  private zoneSet: ZoneSet | null = null;
  private inputs = '';
  private seenSettings: Settings | null = null;
  private reportedProblems = new Set<string>();
  private timer: NodeJS.Timeout | null = null;
  private port = 0;
  private sequence = 0;
  private sendErrors = 0;
  private following = false;
  private readonly unavailable = new Set<string>();

  constructor(
    private readonly context: EngineContext,
    readonly name: ServiceName,
  ) {
    this.transcript = new DnsTranscript(context.inspector);
    this.forwarder = new Forwarder({
      upstreams: () => context.settings().dns.forwarding.upstreams,
      cacheEntries: () => context.settings().dns.forwarding.cacheEntries,
      ownEndpoints: () => this.listeners.map((l) => ({ address: l.address, port: this.port })),
    });
    this.responder = new Responder({
      zones: () => this.zoneSet?.zones ?? [],
      settings: () => context.settings(),
      forwarder: this.forwarder,
      isTrusted: (address) => context.isTrusted(address),
      transcript: this.transcript,
      beforeQuery: () => {
        if (context.settings() !== this.seenSettings) this.refresh();
      },
    });
  }

  async start(): Promise<ServiceStatus> {
    this.refresh();
    const settings = this.context.settings();
    const { address, port } = settings.services[this.name];
    const addresses = address === 'auto' ? autoListenAddresses(mailHostAddresses(settings)) : [address];
    const status = await this.listenAll(addresses, port);
    if (status.state === 'listening') {
      this.timer = setInterval(() => this.recheck(), RECHECK_MS);
      this.timer.unref();
    }
    return status;
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.transcript.close();
    for (const socket of this.connections) socket.destroy();
    await Promise.all(this.listeners.splice(0).map((listener) => closeListener(listener)));
  }

  // ── listening ──────────────────────────────────────────────────────────────

  /** UDP and TCP on one port on every address; any refusal is the service's state, all or nothing. */
  private async listenAll(addresses: string[], port: number): Promise<ServiceStatus> {
    let chosen = port;
    for (const [index, address] of addresses.entries()) {
      let result = await this.listen(address, chosen);
      for (let attempt = 1; port === 0 && index === 0 && result.status.state === 'in-use' && attempt < PORT_ATTEMPTS; attempt++) {
        result = await this.listen(address, 0);
      }
      if (!result.listener) {
        await Promise.all(this.listeners.splice(0).map((listener) => closeListener(listener)));
        return result.status;
      }
      this.listeners.push(result.listener);
      chosen = result.status.port;
    }
    this.port = chosen;
    return { name: this.name, address: addresses.join(','), port: chosen, state: 'listening', detail: 'listening' };
  }

  /** UDP first (it may pick the port), then TCP on the same port number. */
  private async listen(address: string, port: number): Promise<{ status: ServiceStatus; listener?: Listener }> {
    const family = net.isIPv6(address) ? 6 : 4;
    const udp = dgram.createSocket({
      type: family === 6 ? 'udp6' : 'udp4',
      // Replies go to the literal address the query came from: no resolver round trip per send.
      lookup: (host: string, _options: unknown, callback: (error: Error | null, address: string, family: number) => void) => callback(null, host, family),
    } as dgram.SocketOptions);
    const udpStatus = await bindUdp(udp, this.name, address, port);
    if (udpStatus.state !== 'listening') {
      udp.close();
      return { status: udpStatus };
    }
    const tcp = net.createServer((socket) => this.onConnection(socket));
    const tcpStatus = await listenTcp(tcp, this.name, address, udpStatus.port);
    if (tcpStatus.state !== 'listening') {
      udp.close();
      return { status: tcpStatus };
    }
    try {
      udp.setRecvBufferSize(RECEIVE_BUFFER_BYTES);
    } catch {
      // the system caps it; the default works too
    }
    this.serveUdp(udp);
    tcp.on('error', (error) => this.context.log.error(this.name, `tcp ${hostPort(address, udpStatus.port)}: ${error.message}`));
    return { status: udpStatus, listener: { address, udp, tcp } };
  }

  private serveUdp(udp: dgram.Socket): void {
    const view = new QueryView();
    const exchange: Exchange = { client: '', transport: 'udp', sequence: 0 };
    udp.on('message', (msg, rinfo) => {
      exchange.client = rinfo.address;
      exchange.sequence = ++this.sequence;
      let reply;
      try {
        reply = this.responder.answer(msg, view, exchange);
      } catch (error) {
        this.context.log.error(this.name, `query from ${exchange.client} failed: ${(error as Error).message}`);
        return;
      }
      if (reply instanceof Promise) reply.then((bytes) => bytes && send(bytes, rinfo.port, rinfo.address), () => {});
      else if (reply) send(reply, rinfo.port, rinfo.address);
    });
    // A forwarded answer may come back after the socket closed (service stopped): then it is dropped.
    const send = (bytes: Buffer, port: number, address: string) => {
      try {
        udp.send(bytes, port, address);
      } catch {
        // socket closed
      }
    };
    udp.on('error', (error) => {
      // A reply that cannot be sent (ENOBUFS under a flood, an ICMP error) is not worth more than a line a minute.
      if (this.sendErrors++ % 10_000 === 0) this.context.log.warn(this.name, `udp: ${error.message}`);
    });
  }

  private onConnection(socket: net.Socket): void {
    const client = plainAddress(socket.remoteAddress ?? '');
    const { connectionsPerClient, connectionsTotal } = this.context.settings().limits;
    const open = this.perClient.get(client) ?? 0;
    if (open >= connectionsPerClient || this.connections.size >= connectionsTotal) {
      socket.destroy();
      return;
    }
    this.perClient.set(client, open + 1);
    this.connections.add(socket);
    const sequence = ++this.sequence;
    socket.on('close', () => {
      this.connections.delete(socket);
      const left = (this.perClient.get(client) ?? 1) - 1;
      if (left > 0) this.perClient.set(client, left);
      else this.perClient.delete(client);
    });
    new TcpConnection(socket, this.responder, {
      client,
      sequence,
      idleMs: this.context.settings().dns.tcpIdleSeconds * 1000,
      onTimeout: () => this.transcript.event(`tcp-${sequence}`, client, 'connection closed: the client sent nothing in time'),
      onError: (error) => this.context.log.error(this.name, `query from ${client} failed: ${error.message}`, { client }),
    });
  }

  // ── keeping the zones current ──────────────────────────────────────────────

  /** Rebuilds the zones if anything they come from changed; a changed zone gets a new serial. */
  private refresh(): void {
    const settings = this.context.settings();
    this.seenSettings = settings;
    const inputs = zoneInputs(this.context.dataDir, settings);
    if (inputs === this.inputs && this.zoneSet) return;
    this.inputs = inputs;
    let next;
    try {
      next = currentZones(this.context.dataDir, settings, this.context.mailStore.meta);
    } catch (error) {
      this.context.log.error(this.name, `zone not rebuilt: ${(error as Error).message}`);
      return;
    }
    for (const problem of next.problems) {
      if (!this.reportedProblems.has(problem)) this.context.log.warn(this.name, problem);
    }
    this.reportedProblems = new Set(next.problems);
    const previous = this.zoneSet;
    this.zoneSet = next;
    this.responder.invalidate();
    if (!previous || previous.serial !== next.serial) {
      this.context.log.info(this.name, `zone ${settings.domain} serial ${next.serial} (${next.zones.map((z) => z.origin).join(', ')})`);
    }
  }

  private recheck(): void {
    this.refresh();
    const settings = this.context.settings();
    if (settings.services[this.name].address !== 'auto' || !this.listeners.length) return;
    if (this.following) return;
    this.following = true;
    void this.follow(autoListenAddresses(mailHostAddresses(settings))).finally(() => (this.following = false));
  }

  /** `auto` and the LAN address changed (DHCP, another network): listen on the new one, leave the old. */
  private async follow(wanted: string[]): Promise<void> {
    const current = this.listeners.map((l) => l.address);
    for (const listener of this.listeners.filter((l) => !wanted.includes(l.address))) {
      this.listeners.splice(this.listeners.indexOf(listener), 1);
      await closeListener(listener);
      this.context.log.info(this.name, `stopped listening on ${hostPort(listener.address, this.port)}: the address is gone`);
    }
    for (const address of wanted.filter((a) => !current.includes(a))) {
      const result = await this.listen(address, this.port);
      if (result.listener && this.timer) {
        this.listeners.push(result.listener);
        this.context.log.info(this.name, `listening on ${hostPort(address, this.port)} too`);
      } else if (result.listener) await closeListener(result.listener);
      else if (!this.unavailable.has(address)) {
        this.unavailable.add(address);
        this.context.log.warn(this.name, `${hostPort(address, this.port)}: ${result.status.detail}`);
      }
    }
  }
}

function closeListener(listener: Listener): Promise<void> {
  return new Promise((resolve) => {
    try {
      listener.udp.close();
    } catch {
      // already closed
    }
    listener.tcp.close(() => resolve());
  });
}

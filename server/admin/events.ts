// The one WebSocket of the window: live service states, log lines, transcript lines, queue
// changes, new mail and traffic. The client offers two subprotocols — `lanpost.v1` and
// `token.<token>` — because a browser cannot set an Authorization header on a WebSocket.
import crypto from 'node:crypto';
import type http from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { LogEntry } from '../log.js';
import type { TranscriptLine } from '../inspector/bus.js';
import type { ServiceStatus } from '../net/listener.js';
import type { MailboxChange } from '../store/mailstore.js';
import type { QueueChange } from '../delivery/queue.js';
import type { DiskStatus } from '../store/disk-space.js';
import { WS_PROTOCOL, WS_TOKEN_PREFIX, type LiveEvent, type TrafficHour } from './contract/index.js';
import type { AdminState } from './state.js';
/** A client this far behind (a projector on a slow laptop) misses events rather than growing memory. */
const MAX_BUFFERED_BYTES = 4 * 1024 * 1024;

export class EventHub {
  private readonly wss: WebSocketServer;
  private readonly detach: Array<() => void> = [];

  constructor(
    private readonly state: AdminState,
    private readonly token: string,
  ) {
    this.wss = new WebSocketServer({
      noServer: true,
      maxPayload: 64 * 1024,
      handleProtocols: (offered) => (offered.has(WS_PROTOCOL) ? WS_PROTOCOL : false),
    });
    this.wss.on('connection', (socket) => {
      this.send(socket, { type: 'hello', services: state.engine.statuses() });
      socket.on('message', () => {}); // clients only listen
    });
    const { context, engine } = state;
    this.on(engine.events, 'service', (status: ServiceStatus) => this.broadcast({ type: 'service', status }));
    this.on(context.log, 'entry', (entry: LogEntry) => this.broadcast({ type: 'log', entry }));
    this.on(context.inspector, 'line', (line: TranscriptLine) => this.broadcast({ type: 'inspector', line }));
    this.on(context.mailStore.changes, 'change', (change: MailboxChange) => this.onMail(change));
    this.on(context.disk, 'change', (disk: DiskStatus) => this.broadcast({ type: 'disk', disk }));
    this.on(state.traffic, 'hour', (hour: TrafficHour) => this.broadcast({ type: 'traffic', hour }));
    this.on(state.queue, 'change', (change: QueueChange) => this.broadcast({ type: 'queue', change: { kind: change.kind, id: change.id } }));
    this.on(context.paths, 'change', (change: { id: string; created: boolean }) => this.broadcast({ type: 'path', ...change }));
  }

  /** Checks the token (subprotocol), then upgrades; anything else gets a plain HTTP refusal. */
  upgrade(request: http.IncomingMessage, socket: Duplex, head: Buffer): void {
    const offered = (request.headers['sec-websocket-protocol'] ?? '').split(',').map((s) => s.trim());
    const given = offered.find((p) => p.startsWith(WS_TOKEN_PREFIX))?.slice(WS_TOKEN_PREFIX.length) ?? '';
    if (!safeEqual(given, this.token) || !offered.includes(WS_PROTOCOL)) {
      socket.end('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    this.wss.handleUpgrade(request, socket, head, (ws) => this.wss.emit('connection', ws, request));
  }

  /** Tells every window the settings changed (another window, or the CLI). */
  settingsChanged(): void {
    this.broadcast({ type: 'settings' });
  }

  close(): void {
    for (const off of this.detach) off();
    for (const client of this.wss.clients) client.terminate();
    this.wss.close();
  }

  private on(emitter: NodeJS.EventEmitter, event: string, listener: (...args: never[]) => void): void {
    emitter.on(event, listener as (...args: unknown[]) => void);
    this.detach.push(() => emitter.off(event, listener as (...args: unknown[]) => void));
  }

  private onMail(change: MailboxChange): void {
    if (!this.wss.clients.size) return;
    const mailbox = this.state.context.mailStore.mailboxById(change.mailboxId);
    const user = mailbox && this.state.context.accounts.userById(mailbox.user_id);
    if (!mailbox || !user) return;
    this.broadcast({ type: 'mail', mail: { user: user.address, mailbox: mailbox.name, kind: change.kind, count: change.uids.length } });
  }

  private broadcast(event: LiveEvent): void {
    if (!this.wss.clients.size) return;
    const text = JSON.stringify(event);
    for (const client of this.wss.clients) this.send(client, text);
  }

  private send(client: WebSocket, event: LiveEvent | string): void {
    if (client.readyState !== client.OPEN || client.bufferedAmount > MAX_BUFFERED_BYTES) return;
    client.send(typeof event === 'string' ? event : JSON.stringify(event));
  }
}

export function safeEqual(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && crypto.timingSafeEqual(a, b);
}

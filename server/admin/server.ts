// The admin API: HTTP JSON on 127.0.0.1 only, a bearer token made at every start, the Host
// header checked (DNS rebinding), no cookies, no CORS; one WebSocket for live events; and the
// built window (renderer/dist) for everything outside /api/.
import crypto from 'node:crypto';
import http from 'node:http';
import type net from 'node:net';
import type { Engine } from '../engine.js';
import { EVENTS_PATH } from './contract/index.js';
import { EventHub, safeEqual } from './events.js';
import { errorReply, matchRoute, parseRequest, readJsonBody, type Download, type Handlers } from './router.js';
import { backupRoutes } from './routes/backup.js';
import { classicRoutes } from './routes/classic.js';
import { certificateRoutes } from './routes/certificates.js';
import { classRoutes } from './routes/classes.js';
import { dnsRoutes } from './routes/dns.js';
import { firewallRoutes } from './routes/firewall.js';
import { liveRoutes } from './routes/live.js';
import { overviewRoutes } from './routes/overview.js';
import { pathRoutes } from './routes/paths.js';
import { queueRoutes } from './routes/queue.js';
import { settingsRoutes } from './routes/settings.js';
import { setupRoutes } from './routes/setup.js';
import { userRoutes } from './routes/users.js';
import { AdminState } from './state.js';
import { rendererDir } from '../built-pages.js';
import { securityHeaders, serveStatic } from './static.js';
import { Traffic } from './traffic.js';

export interface AdminApi {
  url: string;
  token: string;
  port: number;
  close(): Promise<void>;
}

const LOOPBACK = '127.0.0.1';

/** A handler for every route of the contract (the compiler says if one is missing). */
const HANDLERS: Handlers = { ...overviewRoutes, ...setupRoutes, ...settingsRoutes, ...userRoutes, ...certificateRoutes, ...firewallRoutes, ...liveRoutes, ...queueRoutes, ...dnsRoutes, ...backupRoutes, ...pathRoutes, ...classRoutes, ...classicRoutes };

export async function startAdminApi(engine: Engine, port: number): Promise<AdminApi> {
  const token = crypto.randomBytes(24).toString('base64url');
  const traffic = new Traffic(engine.context.db, (message) => engine.context.log.error('admin', message));
  const { queue } = engine.context;
  const stopCounting = traffic.follow(engine.context.delivery, queue);
  const state = new AdminState(engine, traffic, queue);
  const hub = new EventHub(state, token);
  const staticDir = rendererDir();
  let boundPort = port;

  const server = http.createServer((request, response) => {
    handle(state, token, boundPort, staticDir, request, response).catch((error: Error) => {
      engine.context.log.error('admin', error.stack ?? error.message);
      if (!response.headersSent) sendJson(response, 500, { error: `internal error: ${error.message}` });
      else response.destroy();
    });
  });
  server.on('upgrade', (request, socket, head) => {
    // A refused client may reset the connection while the refusal is written; that is no error.
    socket.on('error', () => socket.destroy());
    const refusal = checkRequest(request, boundPort);
    if (refusal || new URL(request.url ?? '/', 'http://x').pathname !== EVENTS_PATH) {
      socket.end(`HTTP/1.1 ${refusal ? `${refusal.status} ${refusal.error}` : '404 Not Found'}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
      return;
    }
    hub.upgrade(request, socket, head);
  });
  // Settings changed (by this or another window, or the CLI): tell every window.
  const onSettings = () => hub.settingsChanged();
  engine.events.on('settings', onSettings);

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port, host: LOOPBACK }, () => resolve());
  });
  boundPort = (server.address() as net.AddressInfo).port;
  return {
    url: `http://${LOOPBACK}:${boundPort}/#token=${token}`,
    token,
    port: boundPort,
    close: () =>
      new Promise((resolve) => {
        stopCounting();
        engine.events.off('settings', onSettings);
        hub.close();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/**
 * DNS rebinding: a page from another site that resolves its name to 127.0.0.1 sends its own Host.
 * Browsers send an Origin with cross-site requests and WebSockets; only our own is accepted.
 */
function checkRequest(request: http.IncomingMessage, port: number): { status: number; error: string } | null {
  const allowedHosts = [`${LOOPBACK}:${port}`, `localhost:${port}`];
  if (!allowedHosts.includes(request.headers.host ?? '')) return { status: 421, error: 'Misdirected Request' };
  const origin = request.headers.origin;
  if (origin !== undefined && !allowedHosts.map((h) => `http://${h}`).includes(origin)) return { status: 403, error: 'Forbidden' };
  return null;
}

function tokenMatches(header: string | undefined, token: string): boolean {
  return safeEqual(header?.startsWith('Bearer ') ? header.slice(7) : '', token);
}

async function handle(
  state: AdminState,
  token: string,
  port: number,
  staticDir: string,
  request: http.IncomingMessage,
  response: http.ServerResponse,
): Promise<void> {
  const refusal = checkRequest(request, port);
  if (refusal?.status === 421) return sendJson(response, 421, { error: 'unexpected Host header' });
  if (refusal) return sendJson(response, 403, { error: 'requests from other web pages are refused' });
  const url = new URL(request.url ?? '/', `http://${request.headers.host}`);
  if (!url.pathname.startsWith('/api/')) {
    if (request.method !== 'GET' && request.method !== 'HEAD') return sendJson(response, 405, { error: 'only GET here' });
    return serveStatic(staticDir, url.pathname, port, response);
  }
  if (!tokenMatches(request.headers.authorization, token)) return sendJson(response, 401, { error: 'missing or wrong token' });
  const match = matchRoute(request.method ?? 'GET', url.pathname);
  if (match === null) return sendJson(response, 404, { error: `no such endpoint: ${request.method} ${url.pathname}` });
  if (match === 'method') return sendJson(response, 405, { error: `${request.method} is not allowed on ${url.pathname}` });
  const { key, spec } = match.route;
  let answer: unknown;
  try {
    const body = await readJsonBody(request);
    const parsed = parseRequest(spec, { params: match.params, query: url.searchParams, body });
    // The parsed request has the shape the route's handler is typed with: both come from the contract.
    answer = await (HANDLERS[key] as (request: object) => unknown)({ state, ...parsed });
  } catch (error) {
    const known = errorReply(error);
    if (!known) throw error;
    return sendJson(response, known.status, known.body);
  }
  if (spec.download) {
    const { filename, contentType, body } = answer as Download;
    response.writeHead(200, {
      'content-type': contentType,
      'content-length': Buffer.byteLength(body),
      'content-disposition': `attachment; filename="${filename.replace(/[^\w.@-]/g, '_')}"`,
      'cache-control': 'no-store',
      ...securityHeaders(port),
    });
    response.end(body);
    return;
  }
  sendJson(response, spec.status ?? 200, answer);
}

function sendJson(response: http.ServerResponse, code: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(code, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
  });
  response.end(text);
}

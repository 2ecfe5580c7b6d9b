// The admin API: HTTP JSON on 127.0.0.1 only, a bearer token made at every start, the Host
// header checked (DNS rebinding), no cookies, no CORS.
import crypto from 'node:crypto';
import http from 'node:http';
import type net from 'node:net';
import type { Engine } from '../engine.js';
import { lanAddresses } from '../net/interfaces.js';
import type { StatusResponse } from './types.js';

export interface AdminApi {
  url: string;
  token: string;
  port: number;
  close(): Promise<void>;
}

const LOOPBACK = '127.0.0.1';

export async function startAdminApi(engine: Engine, port: number): Promise<AdminApi> {
  const token = crypto.randomBytes(24).toString('base64url');
  const server = http.createServer((request, response) => {
    handle(engine, token, boundPort, request, response).catch((error: Error) => {
      engine.context.log.error('admin', error.message);
      if (!response.headersSent) sendJson(response, 500, { error: 'internal error' });
    });
  });
  let boundPort = port;
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
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function tokenMatches(header: string | undefined, token: string): boolean {
  const given = Buffer.from(header?.startsWith('Bearer ') ? header.slice(7) : '');
  const expected = Buffer.from(token);
  return given.length === expected.length && crypto.timingSafeEqual(given, expected);
}

async function handle(engine: Engine, token: string, port: number, request: http.IncomingMessage, response: http.ServerResponse): Promise<void> {
  const allowedHosts = [`${LOOPBACK}:${port}`, `localhost:${port}`];
  if (!allowedHosts.includes(request.headers.host ?? '')) return sendJson(response, 421, { error: 'unexpected Host header' });
  const url = new URL(request.url ?? '/', `http://${request.headers.host}`);
  if (!url.pathname.startsWith('/api/')) return sendJson(response, 404, { error: 'the window is served in a later version' });
  if (!tokenMatches(request.headers.authorization, token)) return sendJson(response, 401, { error: 'missing or wrong token' });
  if (request.method === 'GET' && url.pathname === '/api/status') return sendJson(response, 200, status(engine));
  sendJson(response, 404, { error: `no such endpoint: ${request.method} ${url.pathname}` });
}

function status(engine: Engine): StatusResponse {
  const settings = engine.context.settings();
  return {
    hostname: settings.hostname,
    domain: settings.domain,
    lanAddresses: lanAddresses().map((a) => a.address),
    services: engine.statuses(),
    users: engine.context.accounts.listUsers().length,
  };
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

// Talking to the admin API of a test engine: fetch with the token, the WebSocket, raw requests.
import http from 'node:http';
import net from 'node:net';
import WebSocket from 'ws';
import type { LiveEvent } from '../../server/admin/types.js';
import type { TestEngine } from './engine.js';

/** Answers are read loosely in tests: each test checks the fields it cares about. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Loose = any;

export interface ApiAnswer<T = Loose> {
  status: number;
  body: T;
}

export function adminBase(test: TestEngine): string {
  return new URL(test.engine.adminUrl).origin;
}

/** fetch against the admin API; `token: null` sends none. */
export async function api<T = Loose>(
  test: TestEngine,
  path: string,
  options: { method?: string; body?: unknown; token?: string | null; headers?: Record<string, string> } = {},
): Promise<ApiAnswer<T>> {
  const token = options.token === undefined ? test.engine.adminToken : options.token;
  const headers: Record<string, string> = { ...options.headers };
  if (token !== null) headers.authorization = `Bearer ${token}`;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(adminBase(test) + path, {
    method: options.method ?? (options.body === undefined ? 'GET' : 'POST'),
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
    signal: AbortSignal.timeout(20_000),
  });
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON (a page or a download)
  }
  return { status: response.status, body: body as T };
}

/** A request with a Host header of our choosing (fetch does not allow setting Host). */
export function rawRequest(test: TestEngine, path: string, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  const url = new URL(adminBase(test));
  return new Promise((resolve, reject) => {
    const request = http.request({ host: url.hostname, port: url.port, path, headers, timeout: 10_000 }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
    });
    request.on('timeout', () => request.destroy(new Error('timeout')));
    request.on('error', reject);
    request.end();
  });
}

/** The live event stream, collected; `waitFor` resolves with the first event matching (bounded). */
export class LiveEvents {
  readonly events: LiveEvent[] = [];
  private waiters: Array<{ test: (e: LiveEvent) => boolean; resolve: (e: LiveEvent) => void }> = [];

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data) => {
      const event = JSON.parse(String(data)) as LiveEvent;
      this.events.push(event);
      this.waiters = this.waiters.filter((w) => {
        if (!w.test(event)) return true;
        w.resolve(event);
        return false;
      });
    });
  }

  static open(test: TestEngine, protocols = ['lanpost.v1', `token.${test.engine.adminToken}`], headers: Record<string, string> = {}): Promise<LiveEvents> {
    const url = adminBase(test).replace('http:', 'ws:') + '/api/events';
    const socket = new WebSocket(url, protocols, { headers, handshakeTimeout: 10_000 });
    return new Promise((resolve, reject) => {
      socket.once('open', () => resolve(new LiveEvents(socket)));
      socket.once('error', reject);
      socket.once('unexpected-response', (_request, response) => reject(new Error(`refused: ${response.statusCode}`)));
    });
  }

  waitFor<T extends LiveEvent>(test: (e: LiveEvent) => boolean, timeoutMs = 15_000): Promise<T> {
    const found = this.events.find(test);
    if (found) return Promise.resolve(found as T);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no such event arrived')), timeoutMs);
      this.waiters.push({
        test,
        resolve: (e) => {
          clearTimeout(timer);
          resolve(e as T);
        },
      });
    });
  }

  close(): void {
    this.socket.close();
  }
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

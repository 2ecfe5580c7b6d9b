// Talking to the admin API of a test engine: fetch with the token, the WebSocket, raw requests.
// Every JSON answer of an /api/ route, and every live event, is checked against the admin
// contract (server/admin/contract): an answer the contract does not describe fails the test.
import http from 'node:http';
import net from 'node:net';
import WebSocket from 'ws';
import type { z } from 'zod/v3';
import { apiError, liveEvent, type LiveEvent } from '../../server/admin/contract/index.js';
import { matchRoute } from '../../server/admin/router.js';
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
  const method = options.method ?? (options.body === undefined ? 'GET' : 'POST');
  const response = await fetch(adminBase(test) + path, {
    method,
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
  if (typeof body !== 'string') checkAnswer(method, path, response.status, body);
  return { status: response.status, body: body as T };
}

/** Checks a JSON answer against the contract: the route's response, or the shape of every refusal. */
export function checkAnswer(method: string, path: string, status: number, body: unknown): void {
  const pathname = new URL(path, 'http://x').pathname;
  if (!pathname.startsWith('/api/')) return;
  const match = matchRoute(method, pathname);
  const schema = status >= 400 ? apiError : match && match !== 'method' ? match.route.spec.response : undefined;
  if (!schema) throw new Error(`${method} ${path} answered ${status} with JSON, but the contract has no JSON answer for it`);
  conforms(schema, body, `${method} ${path} (${status})`);
}

function conforms(schema: z.ZodTypeAny, value: unknown, what: string): void {
  const result = schema.safeParse(value);
  if (!result.success) {
    const issues = result.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    throw new Error(`${what} does not match the admin contract: ${issues}`);
  }
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
  private waiters: Array<{ test: (e: LiveEvent) => boolean; resolve: (e: LiveEvent) => void; reject: (error: Error) => void }> = [];
  /** The first event the contract does not describe: waitFor and close throw it. */
  private mismatch: Error | null = null;

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data) => {
      const event = JSON.parse(String(data)) as LiveEvent;
      try {
        conforms(liveEvent, event, `the live event ${String(data).slice(0, 200)}`);
      } catch (error) {
        this.mismatch ??= error as Error;
        for (const waiter of this.waiters.splice(0)) waiter.reject(this.mismatch);
        return;
      }
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
    if (this.mismatch) return Promise.reject(this.mismatch);
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
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      });
    });
  }

  close(): void {
    this.socket.close();
    if (this.mismatch) throw this.mismatch;
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

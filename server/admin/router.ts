// The admin API's plumbing: a table of routes (method + path pattern → handler), JSON bodies
// with a size limit, and errors turned into 4xx answers with words (and fields, for settings).
import type http from 'node:http';
import { AccountError } from '../accounts/accounts.js';
import { QueueError } from '../delivery/queue.js';
import { SettingsError, type SettingsProblem } from '../settings/schema.js';
import { CertificateError } from '../tls/certificates.js';
import type { AdminState } from './state.js';
import type { ApiErrorBody } from './types.js';

const MAX_BODY_BYTES = 1024 * 1024;

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly problems?: SettingsProblem[],
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** A file to download (CA certificate, zone file, CSR). */
export interface Download {
  download: { filename: string; contentType: string; body: string };
}

export type Reply = { status?: number; json: unknown } | Download;

export interface Request {
  state: AdminState;
  params: Record<string, string>;
  query: URLSearchParams;
  /** The parsed JSON body (POST/PUT/PATCH), {} when there is none. */
  body: Record<string, unknown>;
}

export type Handler = (request: Request) => Promise<Reply> | Reply;

export interface Route {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** e.g. /api/users/:address */
  path: string;
  handler: Handler;
}

export const json = (body: unknown, status = 200): Reply => ({ status, json: body });

export function matchRoute(routes: Route[], method: string, pathname: string): { route: Route; params: Record<string, string> } | null | 'method' {
  let pathMatched = false;
  for (const route of routes) {
    const params = matchPath(route.path, pathname);
    if (!params) continue;
    pathMatched = true;
    if (route.method === method) return { route, params };
  }
  return pathMatched ? 'method' : null;
}

function matchPath(pattern: string, pathname: string): Record<string, string> | null {
  const want = pattern.split('/');
  const have = pathname.split('/');
  if (want.length !== have.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < want.length; i++) {
    const part = want[i]!;
    if (part.startsWith(':')) {
      try {
        params[part.slice(1)] = decodeURIComponent(have[i]!);
      } catch {
        return null;
      }
    } else if (part !== have[i]) return null;
  }
  return params;
}

/** Reads a JSON object body; only application/json is accepted (a plain HTML form cannot send it). */
export async function readJsonBody(request: http.IncomingMessage): Promise<Record<string, unknown>> {
  if (request.method === 'GET' || request.method === 'HEAD') return {};
  // Read to the end even when too large, so that the client gets the 413 rather than a reset.
  const { body, size } = await new Promise<{ body: Buffer; size: number }>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let total = 0;
    request.on('data', (chunk: Buffer) => {
      total += chunk.length;
      if (total <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    request.on('end', () => resolve({ body: Buffer.concat(chunks), size: total }));
    request.on('error', reject);
  });
  if (size > MAX_BODY_BYTES) throw new ApiError(413, `the request body is larger than ${MAX_BODY_BYTES} bytes`);
  if (!size) return {};
  if (!/^application\/json\b/i.test(request.headers['content-type'] ?? '')) throw new ApiError(415, 'send JSON with Content-Type: application/json');
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch (error) {
    throw new ApiError(400, `the body is not valid JSON (${(error as Error).message})`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new ApiError(400, 'the body must be a JSON object');
  return parsed as Record<string, unknown>;
}

/** Domain errors of the engine → status and body. Unknown errors are the caller's 500. */
export function errorReply(error: unknown): { status: number; body: ApiErrorBody } | null {
  if (error instanceof ApiError) return { status: error.status, body: { error: error.message, ...(error.problems ? { problems: error.problems } : {}) } };
  if (error instanceof SettingsError) return { status: 400, body: { error: error.message, problems: error.problems } };
  if (error instanceof AccountError) return { status: 400, body: { error: error.message, problems: [{ field: accountField(error.message), reason: error.message }] } };
  if (error instanceof CertificateError) return { status: 400, body: { error: error.message } };
  if (error instanceof QueueError) return { status: 404, body: { error: error.message } };
  return null;
}

/** Which form field an account error is about, so the window can show it next to that field. */
function accountField(message: string): string {
  if (message.startsWith('password')) return 'password';
  if (message.startsWith('quota')) return 'quotaBytes';
  if (message.includes('target') || message.includes('points at') || message.includes('itself')) return 'targets';
  return 'address';
}

// ── small readers for request bodies ────────────────────────────────────────

export function stringField(body: Record<string, unknown>, name: string, options: { optional?: boolean } = {}): string {
  const value = body[name];
  if (value === undefined && options.optional) return '';
  if (typeof value !== 'string') throw new ApiError(400, `${name} must be text`, [{ field: name, reason: 'must be text' }]);
  return value;
}

export function optionalNumber(body: Record<string, unknown>, name: string): number | undefined {
  const value = body[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new ApiError(400, `${name} must be a number`, [{ field: name, reason: 'must be a number' }]);
  return value;
}

export function optionalBoolean(body: Record<string, unknown>, name: string): boolean | undefined {
  const value = body[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'boolean') throw new ApiError(400, `${name} must be true or false`, [{ field: name, reason: 'must be true or false' }]);
  return value;
}

export function stringList(body: Record<string, unknown>, name: string): string[] {
  const value = body[name];
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) {
    throw new ApiError(400, `${name} must be a list of texts`, [{ field: name, reason: 'must be a list of texts' }]);
  }
  return value as string[];
}

// The admin API's plumbing: the contract's routes as a table (method + path pattern), JSON bodies
// with a size limit, each request parsed with its route's schemas before the handler runs, and
// errors turned into 4xx answers with words (and the fields they concern).
import type http from 'node:http';
import type { z } from 'zod/v3';
import { AccountError } from '../accounts/accounts.js';
import { BackupError } from '../backup/backup.js';
import { QueueError } from '../delivery/queue.js';
import { SettingsError } from '../settings/schema.js';
import { CertificateError } from '../tls/certificates.js';
import { contract, type ApiErrorBody, type JsonRoute, type ParsedRequestOf, type Problem, type ResponseOf, type RouteKey, type RouteSpec } from './contract/index.js';
import type { AdminState } from './state.js';

const MAX_BODY_BYTES = 1024 * 1024;

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly problems?: Problem[],
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** A file to download (CA certificate, zone file). */
export interface Download {
  filename: string;
  contentType: string;
  body: string;
}

/** A route's handler: gets the parsed request, returns the route's answer (JSON, or a file). */
type Handler<K extends RouteKey> = (request: { state: AdminState } & ParsedRequestOf<K>) => Answer<K> | Promise<Answer<K>>;
type Answer<K extends RouteKey> = K extends JsonRoute ? ResponseOf<K> : Download;
/** One handler for every route of the contract (each page's file gives its part). */
export type Handlers = { [K in RouteKey]: Handler<K> };

export interface Route {
  key: RouteKey;
  method: string;
  /** e.g. /api/users/:address */
  path: string;
  spec: RouteSpec;
}

/** The contract as a table, in its order. */
export const ROUTES: Route[] = Object.entries(contract).map(([key, spec]) => {
  const [method, path] = key.split(' ') as [string, string];
  return { key: key as RouteKey, method, path, spec };
});

export function matchRoute(method: string, pathname: string): { route: Route; params: Record<string, string> } | null | 'method' {
  let pathMatched = false;
  for (const route of ROUTES) {
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

/** The words for a value of the wrong type (the same as the settings' where they overlap). */
const inWords: z.ZodErrorMap = (issue, context) => {
  if (issue.code === 'invalid_type') {
    const words: Record<string, string> = { string: 'must be text', number: 'must be a number', boolean: 'must be true or false', array: 'must be a list', object: 'must be an object' };
    if (words[issue.expected]) return { message: words[issue.expected]! };
  }
  return { message: context.defaultError };
};

/**
 * Parses what the route's contract says it takes: path parameters (a path that names nothing
 * is a 404 with the schema's sentence), the query and the body (400, naming every bad field by
 * its path, e.g. quotaBytes or targets.0). Parts the contract does not name are left out.
 */
export function parseRequest(spec: RouteSpec, raw: { params: Record<string, string>; query: URLSearchParams; body: Record<string, unknown> }): Record<string, unknown> {
  const parsed: Record<string, unknown> = {};
  if (spec.params) {
    const result = spec.params.safeParse(raw.params);
    if (!result.success) throw new ApiError(404, result.error.issues[0]!.message);
    parsed.params = result.data;
  }
  for (const part of ['query', 'body'] as const) {
    const schema = spec[part];
    if (!schema) continue;
    const input = part === 'query' ? Object.fromEntries([...new Set(raw.query.keys())].map((name) => [name, raw.query.get(name)])) : raw.body;
    const result = schema.safeParse(input, { errorMap: inWords });
    if (!result.success) {
      const problems = result.error.issues.map((issue) => ({ field: issue.path.join('.') || `(${part})`, reason: issue.message }));
      throw new ApiError(400, problems.map((p) => `${p.field} ${p.reason}`).join('; '), problems);
    }
    parsed[part] = result.data;
  }
  return parsed;
}

/** Domain errors of the engine → status and body. Unknown errors are the caller's 500. */
export function errorReply(error: unknown): { status: number; body: ApiErrorBody } | null {
  if (error instanceof ApiError) return { status: error.status, body: { error: error.message, ...(error.problems ? { problems: error.problems } : {}) } };
  if (error instanceof SettingsError) return { status: 400, body: { error: error.message, problems: error.problems } };
  if (error instanceof AccountError) return { status: 400, body: { error: error.message, problems: [{ field: error.field, reason: error.message }] } };
  if (error instanceof CertificateError) return { status: 400, body: { error: error.message } };
  if (error instanceof QueueError) return { status: 404, body: { error: error.message } };
  if (error instanceof BackupError) return { status: 409, body: { error: error.message } };
  return null;
}

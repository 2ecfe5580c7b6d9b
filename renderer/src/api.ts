// The admin API from the window, typed by the admin contract: `api.call('PATCH /api/users/:address',
// { params: { address }, body: { disabled: true } })` answers that route's response type, and a
// route the contract does not have does not compile. Fetch with the bearer token (never a
// cookie), errors with the server's words and fields, downloads through a blob (a plain link
// could not carry the token). Only types come from the server: no zod in the window's bundle.
import type { ApiErrorBody, DownloadRoute, JsonRoute, Problem, RequestOf, ResponseOf, RouteKey } from '../../server/admin/contract/index.js';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly problems: Problem[] = [],
  ) {
    super(message);
  }

  /** The reason for one form field (or a sub-field of it, e.g. trustedNetworks.0). */
  reasonFor(field: string): string | undefined {
    return this.problems.find((p) => p.field === field || p.field.startsWith(`${field}.`))?.reason;
  }
}

/** The request argument: required where the route has path parameters or a body. */
export type RequestArgs<K extends RouteKey> = Partial<RequestOf<K>> extends RequestOf<K> ? [request?: RequestOf<K>] : [request: RequestOf<K>];

/** Whatever a call threw, as an ApiError (a network failure or a bug becomes status 0). */
export function asApiError(failure: unknown): ApiError {
  return failure instanceof ApiError ? failure : new ApiError(0, String(failure));
}

export interface Api {
  call<K extends JsonRoute>(route: K, ...request: RequestArgs<K>): Promise<ResponseOf<K>>;
  download<K extends DownloadRoute>(route: K, ...request: RequestArgs<K>): Promise<void>;
  token: string;
}

interface AnyRequest {
  params?: Record<string, string>;
  query?: Record<string, string | undefined>;
  body?: unknown;
}

/** 'DELETE /api/aliases/:address' and { params, query } → the method and the URL. */
export function routeUrl(route: RouteKey, request: AnyRequest = {}): { method: string; url: string } {
  const [method, pattern] = route.split(' ') as [string, string];
  const path = pattern.replace(/:(\w+)/g, (_, name: string) => encodeURIComponent(request.params?.[name] ?? ''));
  const query = new URLSearchParams(Object.entries(request.query ?? {}).filter((entry): entry is [string, string] => entry[1] !== undefined));
  return { method, url: query.size ? `${path}?${query}` : path };
}

export function createApi(token: string): Api {
  async function call(route: RouteKey, request: AnyRequest = {}): Promise<never> {
    const { method, url } = routeUrl(route, request);
    const { body } = request;
    let response: Response;
    try {
      response = await fetch(url, {
        method,
        headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
        credentials: 'omit',
        cache: 'no-store',
      });
    } catch {
      throw new ApiError(0, 'LanPost does not answer. Is it still running?');
    }
    const text = await response.text();
    let parsed: unknown = null;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      parsed = { error: text };
    }
    if (!response.ok) {
      const error = (parsed ?? {}) as Partial<ApiErrorBody>;
      throw new ApiError(response.status, error.error ?? `HTTP ${response.status}`, error.problems ?? []);
    }
    return parsed as never;
  }
  return {
    token,
    call: (route, ...request) => call(route, request[0]),
    async download(route, ...request) {
      const { url } = routeUrl(route, request[0]);
      const response = await fetch(url, { headers: { authorization: `Bearer ${token}` }, credentials: 'omit' });
      if (!response.ok) throw new ApiError(response.status, `HTTP ${response.status}`);
      const name = /filename="([^"]+)"/.exec(response.headers.get('content-disposition') ?? '')?.[1] ?? 'download';
      saveBlob(await response.blob(), name);
    },
  };
}

export function saveBlob(blob: Blob, filename: string): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = filename;
  document.body.append(link);
  link.click();
  link.remove();
  window.setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/**
 * The token arrives in the address's fragment (#token=…, never sent to any server); it is kept
 * for this tab only (sessionStorage) and removed from the address bar.
 */
export function takeToken(): string | null {
  const match = /(?:^#|&)token=([\w-]+)/.exec(window.location.hash);
  if (match) {
    sessionStorage.setItem('lanpost.token', match[1]!);
    history.replaceState(null, '', window.location.pathname + '#/overview');
    return match[1]!;
  }
  return sessionStorage.getItem('lanpost.token');
}

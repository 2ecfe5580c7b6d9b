// The admin API from the window: fetch with the bearer token (never a cookie), errors with the
// server's words and fields, downloads through a blob (a plain link could not carry the token).
import type { ApiErrorBody, SettingsProblem } from '../../server/admin/types.js';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly problems: SettingsProblem[] = [],
  ) {
    super(message);
  }

  /** The reason for one form field (or a sub-field of it, e.g. trustedNetworks.0). */
  reasonFor(field: string): string | undefined {
    return this.problems.find((p) => p.field === field || p.field.startsWith(`${field}.`))?.reason;
  }
}

export interface Api {
  get<T>(path: string): Promise<T>;
  send<T>(method: 'POST' | 'PATCH' | 'PUT' | 'DELETE', path: string, body?: unknown): Promise<T>;
  download(path: string): Promise<void>;
  token: string;
}

export function createApi(token: string): Api {
  async function request<T>(method: string, path: string, body?: unknown): Promise<T> {
    let response: Response;
    try {
      response = await fetch(path, {
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
    return parsed as T;
  }
  return {
    token,
    get: (path) => request('GET', path),
    send: (method, path, body) => request(method, path, body),
    async download(path) {
      const response = await fetch(path, { headers: { authorization: `Bearer ${token}` }, credentials: 'omit' });
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

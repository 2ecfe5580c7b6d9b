// What every page gets: the API client, the live event stream, and a way to say "saved".
import { createContext, useContext, useEffect, useRef, useState } from 'react';
import type { GetRoute, LiveEvent, ResponseOf } from '../../server/admin/contract/index.js';
import { asApiError, type Api, type ApiError, type RequestArgs } from './api.js';
import type { LiveConnection } from './live.js';

export interface AppContextValue {
  api: Api;
  live: LiveConnection;
  notify(message: string): void;
  navigate(page: string): void;
}

export const AppContext = createContext<AppContextValue | null>(null);

export function useApp(): AppContextValue {
  const value = useContext(AppContext);
  if (!value) throw new Error('useApp outside AppContext');
  return value;
}

/** Calls `handler` for every live event; the latest handler is used without resubscribing. */
export function useLive(handler: (event: LiveEvent) => void): void {
  const { live } = useApp();
  const latest = useRef(handler);
  latest.current = handler;
  useEffect(() => live.subscribe((event) => latest.current(event)), [live]);
}

/** Loads a GET route, reloads on demand; `reload` is debounced when called from live events. */
export function useResource<K extends GetRoute>(
  route: K,
  ...request: RequestArgs<K>
): { data: ResponseOf<K> | null; error: Error | null; reload(): void; reloadSoon(): void } {
  const { api } = useApp();
  const [data, setData] = useState<ResponseOf<K> | null>(null);
  const [error, setError] = useState<Error | null>(null);
  const [generation, setGeneration] = useState(0);
  const timer = useRef<number | null>(null);
  // The request is compared by value: a page passes a new object at every render.
  const requestKey = JSON.stringify(request);
  useEffect(() => {
    let cancelled = false;
    api.call(route, ...(JSON.parse(requestKey) as RequestArgs<K>)).then(
      (value) => {
        if (!cancelled) {
          setData(value);
          setError(null);
        }
      },
      (failure: Error) => !cancelled && setError(failure),
    );
    return () => {
      cancelled = true;
    };
  }, [api, route, requestKey, generation]);
  useEffect(() => () => void (timer.current !== null && window.clearTimeout(timer.current)), []);
  return {
    data,
    error,
    reload: () => setGeneration((g) => g + 1),
    reloadSoon: () => {
      if (timer.current !== null) return;
      timer.current = window.setTimeout(() => {
        timer.current = null;
        setGeneration((g) => g + 1);
      }, 300);
    },
  };
}

/**
 * A form's action: `busy` while it runs, and the refusal kept as an ApiError (its problems go next
 * to the form's fields). `run` resolves with that refusal, or null when the action succeeded.
 */
export function useSubmit(): { busy: boolean; error: ApiError | null; setError(error: ApiError | null): void; run(action: () => Promise<void>): Promise<ApiError | null> } {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const run = async (action: () => Promise<void>): Promise<ApiError | null> => {
    setBusy(true);
    setError(null);
    try {
      await action();
      return null;
    } catch (failure) {
      const refusal = asApiError(failure);
      setError(refusal);
      return refusal;
    } finally {
      setBusy(false);
    }
  };
  return { busy, error, setError, run };
}

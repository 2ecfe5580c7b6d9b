// When to start the engine again after it died: doubling waits, capped, and a run that lasted
// long enough counts as healthy (the next crash starts again from the shortest wait).

export interface BackoffOptions {
  /** Wait after the first crash. */
  baseMs: number;
  /** Longest wait between two starts. */
  maxMs: number;
  /** An engine that ran this long before dying was healthy: the crash count starts over. */
  stableMs: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { baseMs: 1000, maxMs: 60_000, stableMs: 60_000 };

export interface RestartPlan {
  /** Crashes in a row, this one included. */
  crashes: number;
  /** Wait before the next start. */
  delayMs: number;
}

/**
 * @param previousCrashes crashes in a row before this one (0 after a healthy run or at first)
 * @param uptimeMs how long the engine that just died had been running (0: it never got ready)
 */
export function planRestart(previousCrashes: number, uptimeMs: number, options: BackoffOptions = DEFAULT_BACKOFF): RestartPlan {
  const crashes = uptimeMs >= options.stableMs ? 1 : previousCrashes + 1;
  const delayMs = Math.min(options.maxMs, options.baseMs * 2 ** Math.min(crashes - 1, 30));
  return { crashes, delayMs };
}

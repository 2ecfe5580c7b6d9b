// Stopping a service gracefully: every open session is told (IMAP `* BYE`, POP3 `-ERR`, SMTP 421)
// and closes; whatever is still open when the grace period ends is cut off.

export interface Drainable {
  /** Says goodbye and starts closing (a session in the middle of something may finish it first). */
  farewell(): void | Promise<void>;
  /** Resolves once the connection is closed. */
  readonly closed: Promise<void>;
  /** Drops the connection at once. */
  destroy(): void;
}

export async function drain(sessions: Iterable<Drainable>, graceMs: number): Promise<void> {
  const all = [...sessions];
  if (!all.length) return;
  for (const session of all) void (async () => session.farewell())().catch(() => {});
  let timer: NodeJS.Timeout | undefined;
  const grace = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, graceMs);
    timer.unref();
  });
  await Promise.race([Promise.all(all.map((session) => session.closed)), grace]);
  clearTimeout(timer);
  for (const session of all) session.destroy();
}

// Login throttling per client address and per account: after a few failures each further attempt
// waits a little longer; after more, logins are refused for a while (4xx / [UNAVAILABLE]).
export interface ThrottleSettings {
  delayAfterFailures: number;
  lockAfterFailures: number;
  lockSeconds: number;
}

export type ThrottleVerdict = { allowed: true; delayMs: number } | { allowed: false; retryAfterSeconds: number };

interface Record {
  failures: number;
  lastFailureAt: number;
  lockedUntil: number;
}

const MAX_DELAY_MS = 5000;

export class LoginThrottle {
  private readonly records = new Map<string, Record>();

  constructor(private settings: () => ThrottleSettings) {}

  /** Before checking a password: may this attempt go ahead, and after what delay? */
  check(clientAddress: string, account: string, now = Date.now()): ThrottleVerdict {
    this.forgetStale(now);
    let worst = 0;
    for (const key of this.keys(clientAddress, account)) {
      const record = this.records.get(key);
      if (!record) continue;
      if (record.lockedUntil <= now && now - record.lastFailureAt > this.settings().lockSeconds * 1000) {
        this.records.delete(key); // quiet for a lock period: forgiven
        continue;
      }
      if (record.lockedUntil > now) return { allowed: false, retryAfterSeconds: Math.ceil((record.lockedUntil - now) / 1000) };
      worst = Math.max(worst, record.failures);
    }
    const over = worst - this.settings().delayAfterFailures + 1;
    return { allowed: true, delayMs: over > 0 ? Math.min(MAX_DELAY_MS, 500 * 2 ** (over - 1)) : 0 };
  }

  failed(clientAddress: string, account: string, now = Date.now()): void {
    const { lockAfterFailures, lockSeconds } = this.settings();
    for (const key of this.keys(clientAddress, account)) {
      const record = this.records.get(key) ?? { failures: 0, lastFailureAt: 0, lockedUntil: 0 };
      record.failures++;
      record.lastFailureAt = now;
      if (record.failures >= lockAfterFailures) {
        record.lockedUntil = now + lockSeconds * 1000;
        record.failures = 0;
      }
      this.records.set(key, record);
    }
  }

  succeeded(clientAddress: string, account: string): void {
    this.records.delete(`account:${account.toLowerCase()}`);
    this.records.delete(`client:${clientAddress}`);
  }

  private keys(clientAddress: string, account: string): string[] {
    return [`client:${clientAddress}`, `account:${account.toLowerCase()}`];
  }

  /** Failures are forgotten after a quiet lock period; keeps the map bounded. */
  private forgetStale(now: number): void {
    if (this.records.size < 1000) return;
    const horizon = this.settings().lockSeconds * 1000;
    for (const [key, record] of this.records) {
      if (record.lockedUntil < now && now - record.lastFailureAt > horizon) this.records.delete(key);
    }
  }
}

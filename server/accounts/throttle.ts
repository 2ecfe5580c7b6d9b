// Login throttling, on the model of Dovecot's auth penalty and fail2ban. Failures are charged to
// the client address, never to the account alone, so nobody on the LAN can lock a colleague out:
//  - per (address, account): after `delayAfterFailures` failures from the address each further
//    attempt waits (0.5 s, doubling, at most 5 s); after `lockAfterFailures` the address is
//    blocked for that account for `lockSeconds`. The account still works from other addresses.
//  - per address, across accounts: after `addressLockAfterFailures` the address is blocked for
//    every account for `lockSeconds` (one address trying many accounts).
//  - per account, across addresses: after `accountDelayAfterFailures` each attempt on it waits,
//    but it is never blocked (an attack from many addresses slows the account down, no more).
// An attempt is reserved before its password is checked and counts as a pending failure until it
// settles, so parallel attempts cannot get past a limit: those over it wait for earlier ones.
// Failures are forgotten after `lockSeconds` without another one.
export interface ThrottleSettings {
  delayAfterFailures: number;
  lockAfterFailures: number;
  lockSeconds: number;
  addressLockAfterFailures: number;
  accountDelayAfterFailures: number;
}

/** A block that just started: `account` null means every account. */
export interface ThrottleBlock {
  client: string;
  account: string | null;
  until: number;
  failures: number;
}

/** The outcome of a reserved attempt; the first call counts, later ones do nothing. */
export interface LoginAttempt {
  /** Wrong password or unknown user: a failure for the address, the pair and the account. */
  failed(): void;
  /** The right password: the pair's failures are forgiven. */
  succeeded(): void;
  /** Neither (e.g. an error, a disabled account): only the reservation goes. */
  release(): void;
}

export type Reservation = { allowed: false; retryAfterSeconds: number } | { allowed: true; delayMs: number; attempt: LoginAttempt };

interface Counter {
  /** Settled failures since the counter was last reset (at a block, or forgiven). */
  failures: number;
  /** Attempts reserved and not settled yet. */
  pending: number;
  lastFailureAt: number;
  blockedUntil: number;
}

const FIRST_DELAY_MS = 500;
const MAX_DELAY_MS = 5000;
/** Past this many counters in a map, stale ones are swept out; keeps memory bounded. */
const SWEEP_AT = 1000;

export class LoginThrottle {
  private readonly pairs = new Map<string, Counter>();
  private readonly addresses = new Map<string, Counter>();
  private readonly accounts = new Map<string, Counter>();
  /** Attempts waiting for an attempt from the same address to settle. */
  private readonly waiting = new Map<string, Array<() => void>>();

  constructor(
    private readonly settings: () => ThrottleSettings,
    private readonly onBlock: (block: ThrottleBlock) => void = () => {},
  ) {}

  /**
   * Before checking a password: refused while the address is blocked (for this account or all);
   * otherwise reserved, after waiting while attempts in flight would take it over a limit.
   */
  async reserve(clientAddress: string, account: string): Promise<Reservation> {
    const accountKey = account.toLowerCase();
    for (;;) {
      const outcome = this.tryReserve(clientAddress, accountKey, Date.now());
      if (outcome !== 'wait') return outcome;
      await this.nextSettlement(clientAddress);
    }
  }

  /** Resolves when an attempt from this address settles (each settlement wakes every waiter). */
  private nextSettlement(client: string): Promise<void> {
    return new Promise((resolve) => this.waiting.set(client, [...(this.waiting.get(client) ?? []), resolve]));
  }

  private tryReserve(client: string, account: string, now: number): Reservation | 'wait' {
    this.sweep(now);
    const settings = this.settings();
    const pair = this.counter(this.pairs, pairKey(client, account), now);
    const address = this.counter(this.addresses, client, now);
    const onAccount = this.counter(this.accounts, account, now);
    // A limit lowered while failures were counted takes effect now.
    if (!pair.pending && pair.failures >= settings.lockAfterFailures) this.block(pair, client, account, now);
    if (!address.pending && address.failures >= settings.addressLockAfterFailures) this.block(address, client, null, now);
    const blockedUntil = Math.max(pair.blockedUntil, address.blockedUntil);
    if (blockedUntil > now) return { allowed: false, retryAfterSeconds: Math.ceil((blockedUntil - now) / 1000) };
    // Attempts in flight may all fail: one more would go past the limit, so it waits for them.
    if (pair.failures + pair.pending >= settings.lockAfterFailures) return 'wait';
    if (address.failures + address.pending >= settings.addressLockAfterFailures) return 'wait';

    const delayMs = Math.max(
      penaltyDelay(address.failures + address.pending, settings.delayAfterFailures),
      penaltyDelay(onAccount.failures + onAccount.pending, settings.accountDelayAfterFailures),
    );
    const counters = [pair, address, onAccount];
    counters.forEach((c) => c.pending++);
    let settled = false;
    const settle = (outcome: 'failed' | 'succeeded' | 'released') => {
      if (settled) return;
      settled = true;
      counters.forEach((c) => c.pending--);
      if (outcome === 'failed') this.recordFailure(pair, address, onAccount, client, account, Date.now());
      if (outcome === 'succeeded') this.forgive(pair, address, onAccount, client, account);
      this.wake(client);
    };
    return {
      allowed: true,
      delayMs,
      attempt: { failed: () => settle('failed'), succeeded: () => settle('succeeded'), release: () => settle('released') },
    };
  }

  private recordFailure(pair: Counter, address: Counter, onAccount: Counter, client: string, account: string, now: number): void {
    const settings = this.settings();
    for (const counter of [pair, address, onAccount]) {
      counter.failures++;
      counter.lastFailureAt = now;
    }
    if (pair.failures >= settings.lockAfterFailures) this.block(pair, client, account, now);
    if (address.failures >= settings.addressLockAfterFailures) this.block(address, client, null, now);
  }

  /** The right password: this address's failures on this account were typos, not guesses. */
  private forgive(pair: Counter, address: Counter, onAccount: Counter, client: string, account: string): void {
    address.failures = Math.max(0, address.failures - pair.failures);
    onAccount.failures = Math.max(0, onAccount.failures - pair.failures);
    pair.failures = 0;
    if (!pair.pending && pair.blockedUntil <= Date.now()) this.pairs.delete(pairKey(client, account));
  }

  private block(counter: Counter, client: string, account: string | null, now: number): void {
    const failures = counter.failures;
    counter.blockedUntil = now + this.settings().lockSeconds * 1000;
    counter.failures = 0;
    this.onBlock({ client, account, until: counter.blockedUntil, failures });
  }

  private wake(client: string): void {
    const waiters = this.waiting.get(client);
    if (!waiters) return;
    this.waiting.delete(client);
    waiters.forEach((resolve) => resolve());
  }

  /** The live counter for a key: a fresh one when none, or when the old one went stale (never one in flight). */
  private counter(map: Map<string, Counter>, key: string, now: number): Counter {
    const existing = map.get(key);
    if (existing && !this.isStale(existing, now)) return existing;
    const fresh: Counter = { failures: 0, pending: 0, lastFailureAt: 0, blockedUntil: 0 };
    map.set(key, fresh);
    return fresh;
  }

  private isStale(counter: Counter, now: number): boolean {
    return !counter.pending && counter.blockedUntil <= now && now - counter.lastFailureAt > this.settings().lockSeconds * 1000;
  }

  private sweep(now: number): void {
    for (const map of [this.pairs, this.addresses, this.accounts]) {
      if (map.size < SWEEP_AT) continue;
      for (const [key, counter] of map) if (this.isStale(counter, now)) map.delete(key);
    }
  }
}

function pairKey(client: string, account: string): string {
  return `${client} ${account}`;
}

/** No delay below `after` failures; then 0.5 s, doubling with each failure, at most 5 s. */
function penaltyDelay(failures: number, after: number): number {
  return failures < after ? 0 : Math.min(MAX_DELAY_MS, FIRST_DELAY_MS * 2 ** (failures - after));
}

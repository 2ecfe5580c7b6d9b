// Mail accounts and aliases (the classic MySQL users table + Postfix virtual aliases), logins
// with throttling, and where a recipient address leads.
import fs from 'node:fs';
import path from 'node:path';
import type { Db } from '../store/db.js';
import type { MailStore } from '../store/mailstore.js';
import type { Log } from '../log.js';
import type { Settings } from '../settings/schema.js';
import { bcryptHash, hashPassword, passwordProblem, verifyPassword } from './password.js';
import { LoginThrottle, type ThrottleBlock } from './throttle.js';

export interface User {
  id: number;
  address: string;
  display_name: string;
  quota_bytes: number;
  disabled: number;
  maildir: string;
  created_at: number;
}

/** The form field an account error is about (the admin API names it next to the sentence). */
export type AccountField = 'address' | 'password' | 'quotaBytes' | 'targets' | 'name' | 'prefix' | 'count' | 'csv';

/** An account to make. */
export interface NewUser {
  address: string;
  password: string;
  displayName?: string;
  quotaBytes?: number;
}

export class AccountError extends Error {
  constructor(
    message: string,
    readonly field: AccountField,
  ) {
    super(message);
    this.name = 'AccountError';
  }
}

export type LoginResult =
  | { ok: true; user: User }
  | { ok: false; reason: 'invalid' | 'disabled' }
  | { ok: false; reason: 'throttled'; retryAfterSeconds: number };

/** Where mail for an address goes: local mailboxes and/or onward to other domains. */
export type Recipient =
  | { kind: 'local'; users: User[]; forward: string[] }
  | { kind: 'unknown' }
  | { kind: 'foreign'; address: string };

/**
 * RFC 5322 dot-atoms without `/`: the local part names the Maildir folder, so `x/y` would nest
 * inside x's. No leading, trailing or double dot, no `\`, NUL or control characters.
 */
const LOCAL_PART = /^[a-z0-9!#$%&'*+=?^_`{|}~-]+(\.[a-z0-9!#$%&'*+=?^_`{|}~-]+)*$/;
const MAX_ALIAS_DEPTH = 10;

export function splitAddress(address: string): { local: string; domain: string } {
  const at = address.lastIndexOf('@');
  return at < 0 ? { local: address, domain: '' } : { local: address.slice(0, at), domain: address.slice(at + 1) };
}

export class Accounts {
  readonly throttle: LoginThrottle;
  private readonly q;

  constructor(
    private readonly db: Db,
    private readonly dataDir: string,
    private readonly mailStore: MailStore,
    private readonly settings: () => Settings,
    /** Where login blocks are reported (the engine's log); none for the command line. */
    private readonly log: Log | null = null,
  ) {
    this.throttle = new LoginThrottle(
      () => this.settings().authThrottle,
      (block) => this.reportBlock(block),
    );
    this.q = {
      user: db.prepare<[string]>('SELECT * FROM users WHERE address = ?'),
      userById: db.prepare<[number]>('SELECT * FROM users WHERE id = ?'),
      users: db.prepare('SELECT * FROM users ORDER BY address'),
      insertUser: db.prepare(
        'INSERT INTO users (address, password_hash, bcrypt_hash, display_name, quota_bytes, maildir, created_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING *',
      ),
      setPassword: db.prepare<[string, string, number]>('UPDATE users SET password_hash = ?, bcrypt_hash = ? WHERE id = ?'),
      setBcrypt: db.prepare<[string, number]>('UPDATE users SET bcrypt_hash = ? WHERE id = ? AND bcrypt_hash IS NULL'),
      exported: db.prepare('SELECT id, address, bcrypt_hash, disabled, maildir FROM users ORDER BY address'),
      deleteUser: db.prepare<[number]>('DELETE FROM users WHERE id = ?'),
      aliasTargets: db.prepare<[string]>('SELECT target FROM aliases WHERE address = ? ORDER BY target'),
      aliases: db.prepare('SELECT address, target FROM aliases ORDER BY address, target'),
      insertAlias: db.prepare<[string, string]>('INSERT OR IGNORE INTO aliases (address, target) VALUES (?, ?)'),
      deleteAlias: db.prepare<[string]>('DELETE FROM aliases WHERE address = ?'),
      deleteAliasTarget: db.prepare<[string, string]>('DELETE FROM aliases WHERE address = ? AND target = ?'),
      aliasesTargeting: db.prepare<[string]>('SELECT DISTINCT address FROM aliases WHERE target = ?'),
    };
  }

  /** Lower-cases and trims; a bare name gets the origin domain (Postfix myorigin). */
  normalize(input: string): string {
    const address = input.trim().toLowerCase();
    return address.includes('@') ? address : `${address}@${this.settings().origin}`;
  }

  isLocalDomain(domain: string): boolean {
    return this.settings().localDomains.includes(domain.toLowerCase());
  }

  private checkLocalAddress(address: string): void {
    const { local, domain } = splitAddress(address);
    if (!LOCAL_PART.test(local) || local.length > 64) {
      throw new AccountError(`'${address}' is not a valid mail address (letters, digits and . _ + - before the @)`, 'address');
    }
    if (!this.isLocalDomain(domain)) {
      throw new AccountError(
        `${domain} is not a local domain of this server (local domains: ${this.settings().localDomains.join(', ')})`,
        'address',
      );
    }
  }

  // ── users ──────────────────────────────────────────────────────────────────

  findUser(input: string): User | undefined {
    return this.q.user.get(this.normalize(input)) as User | undefined;
  }

  /** The user's quota as it is now (not as it was at login) and what their mailboxes hold; null without a quota. */
  quota(userId: number): { limit: number; used: number } | null {
    const limit = this.userById(userId)?.quota_bytes ?? 0;
    return limit ? { limit, used: this.mailStore.usageBytes(userId) } : null;
  }

  /** Would `bytes` more go over the user's quota? (SMTP RCPT with SIZE, IMAP APPEND and COPY, JMAP import) */
  overQuota(userId: number, bytes: number): boolean {
    const quota = this.quota(userId);
    return quota !== null && quota.used + bytes > quota.limit;
  }

  userById(id: number): User | undefined {
    return this.q.userById.get(id) as User | undefined;
  }

  listUsers(): User[] {
    return this.q.users.all() as User[];
  }

  async addUser(input: string, password: string, options: { displayName?: string; quotaBytes?: number } = {}): Promise<User> {
    return (await this.addUsers([{ address: input, password, ...options }]))[0]!;
  }

  /**
   * Makes accounts all at once or none: each is checked first (address, not taken, not given
   * twice, password), then all are written in one transaction, in which `alongside` runs too.
   */
  async addUsers(list: readonly NewUser[], alongside?: (users: User[]) => void): Promise<User[]> {
    const seen = new Set<string>();
    const checked = list.map((entry) => {
      const address = this.checkNewAddress(entry.address);
      if (seen.has(address)) throw new AccountError(`${address} is given twice`, 'address');
      seen.add(address);
      const problem = passwordProblem(entry.password);
      if (problem) throw new AccountError(`password ${problem}`, 'password');
      return { ...entry, address };
    });
    const hashes = await Promise.all(checked.map((entry) => Promise.all([hashPassword(entry.password), bcryptHash(entry.password)])));
    const defaultQuota = this.settings().defaultQuotaBytes;
    return this.db.transaction(() => {
      const users = checked.map((entry, i) => {
        if (this.findUser(entry.address)) throw new AccountError(`${entry.address} already exists`, 'address');
        const created = this.q.insertUser.get(entry.address, hashes[i]![0], hashes[i]![1], entry.displayName ?? '', entry.quotaBytes ?? defaultQuota, this.freeMaildirPath(entry.address), Date.now()) as User;
        this.mailStore.ensureUserMailboxes(created);
        return created;
      });
      alongside?.(users);
      return users;
    })();
  }

  /** A new account's address, normalized; AccountError when it is not a local address or is taken. */
  checkNewAddress(input: string): string {
    const address = this.normalize(input);
    this.checkLocalAddress(address);
    if (this.findUser(address)) throw new AccountError(`${address} already exists`, 'address');
    return address;
  }

  /** mail/<domain>/<local>/Maildir, relative to the data folder; never reuses a folder on disk. */
  private freeMaildirPath(address: string): string {
    const { local, domain } = splitAddress(address);
    let candidate = path.join('mail', domain, local, 'Maildir');
    for (let n = 2; fs.existsSync(path.join(this.dataDir, candidate)); n++) {
      candidate = path.join('mail', domain, `${local}.${n}`, 'Maildir');
    }
    return candidate;
  }

  async setPassword(input: string, password: string): Promise<void> {
    await this.setPasswords([{ address: input, password }]);
  }

  /** New passwords for accounts, all in one transaction. */
  async setPasswords(changes: ReadonlyArray<{ address: string; password: string }>): Promise<void> {
    const users = changes.map((change) => {
      const user = this.requireUser(change.address);
      const problem = passwordProblem(change.password);
      if (problem) throw new AccountError(`password ${problem}`, 'password');
      return user;
    });
    const hashes = await Promise.all(changes.map((change) => Promise.all([hashPassword(change.password), bcryptHash(change.password)])));
    this.db.transaction(() => users.forEach((user, i) => this.q.setPassword.run(hashes[i]![0], hashes[i]![1], user.id)))();
  }

  /** Every account as `lanpost export dovecot` hands it over: the bcrypt hash, null until the next login of an older account. */
  exportedAccounts(): Array<{ id: number; address: string; bcryptHash: string | null; disabled: boolean; maildir: string }> {
    return (this.q.exported.all() as Array<{ id: number; address: string; bcrypt_hash: string | null; disabled: number; maildir: string }>).map((row) => ({
      id: row.id,
      address: row.address,
      bcryptHash: row.bcrypt_hash,
      disabled: !!row.disabled,
      maildir: row.maildir,
    }));
  }

  /** An account made before bcrypt hashes were kept gets one from its next login (see password.ts). */
  private keepBcrypt(user: { id: number; address: string }, password: string): void {
    bcryptHash(password)
      .then((hash) => this.q.setBcrypt.run(hash, user.id))
      .catch((error: Error) => this.log?.error('auth', `could not keep the bcrypt hash of ${user.address}: ${error.message}`));
  }

  updateUser(input: string, changes: { displayName?: string; quotaBytes?: number; disabled?: boolean }): User {
    const user = this.requireUser(input);
    if (changes.displayName !== undefined) this.db.prepare('UPDATE users SET display_name = ? WHERE id = ?').run(changes.displayName, user.id);
    if (changes.quotaBytes !== undefined) {
      if (!Number.isInteger(changes.quotaBytes) || changes.quotaBytes < 0) throw new AccountError('quota must be a whole number of bytes, 0 for none', 'quotaBytes');
      this.db.prepare('UPDATE users SET quota_bytes = ? WHERE id = ?').run(changes.quotaBytes, user.id);
    }
    if (changes.disabled !== undefined) this.db.prepare('UPDATE users SET disabled = ? WHERE id = ?').run(changes.disabled ? 1 : 0, user.id);
    return this.userById(user.id)!;
  }

  /**
   * Removes the account. Its mail is kept: the Maildir is renamed aside
   * (mail/<domain>/<local>.deleted-<time>) so nothing is lost and a new account starts empty.
   */
  deleteUser(input: string): { keptMailIn: string } {
    const user = this.requireUser(input);
    const userDir = path.dirname(path.join(this.dataDir, user.maildir));
    const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '');
    const kept = `${userDir}.deleted-${stamp}`;
    this.db.transaction(() => {
      this.q.deleteUser.run(user.id);
      this.q.deleteAlias.run(user.address);
    })();
    if (fs.existsSync(userDir)) fs.renameSync(userDir, kept);
    return { keptMailIn: path.relative(this.dataDir, kept) };
  }

  private requireUser(input: string): User {
    const user = this.findUser(input);
    if (!user) throw new AccountError(`no such user: ${this.normalize(input)}`, 'address');
    return user;
  }

  /**
   * Checks a login, throttled per client address (see throttle.ts): the attempt is reserved
   * before the password is checked, and waits the throttle delay first.
   */
  async login(username: string, password: string, clientAddress: string): Promise<LoginResult> {
    const address = this.normalize(username);
    const reservation = await this.throttle.reserve(clientAddress, address);
    if (!reservation.allowed) return { ok: false, reason: 'throttled', retryAfterSeconds: reservation.retryAfterSeconds };
    const { attempt } = reservation;
    try {
      if (reservation.delayMs) await new Promise((resolve) => setTimeout(resolve, reservation.delayMs));
      const user = this.q.user.get(address) as (User & { password_hash: string; bcrypt_hash: string | null }) | undefined;
      // Unknown users cost the same hashing time as known ones, so timing does not reveal which exist.
      const ok = await verifyPassword(password, user?.password_hash ?? DUMMY_HASH);
      if (!user || !ok) {
        attempt.failed();
        return { ok: false, reason: 'invalid' };
      }
      if (user.disabled) return { ok: false, reason: 'disabled' };
      attempt.succeeded();
      if (!user.bcrypt_hash) this.keepBcrypt(user, password);
      return { ok: true, user };
    } finally {
      attempt.release(); // a disabled account or an error: neither a failure nor a success
    }
  }

  private reportBlock({ client, account, until, failures }: ThrottleBlock): void {
    const when = new Date(until).toISOString().replace(/\.\d{3}Z$/, 'Z');
    const what = account ? `log in as ${account}` : 'log in to any account';
    this.log?.warn('auth', `login blocked: ${client} may not ${what} until ${when} (${failures} failed logins)`, {
      client,
      ...(account ? { user: account } : {}),
    });
  }

  // ── aliases ────────────────────────────────────────────────────────────────

  /** Adds targets to an alias (several targets make a distribution list). */
  addAlias(input: string, targets: string[]): void {
    const address = this.normalize(input);
    this.checkLocalAddress(address);
    if (!targets.length) throw new AccountError('an alias needs at least one target address', 'targets');
    const normalized = targets.map((t) => this.normalize(t));
    for (const target of normalized) {
      if (!/^[^@\s]+@[^@\s]+\.?[^@\s]*$/.test(target)) throw new AccountError(`'${target}' is not a mail address`, 'targets');
      if (target === address) throw new AccountError('an alias cannot point at itself', 'targets');
    }
    this.db.transaction(() => normalized.forEach((t) => this.q.insertAlias.run(address, t)))();
  }

  /** Removes a whole alias, or one target of it. Returns how many entries went. */
  removeAlias(input: string, target?: string): number {
    const address = this.normalize(input);
    const result = target ? this.q.deleteAliasTarget.run(address, this.normalize(target)) : this.q.deleteAlias.run(address);
    if (!result.changes) throw new AccountError(target ? `${address} does not point at ${target}` : `no such alias: ${address}`, 'address');
    return result.changes;
  }

  listAliases(): Array<{ address: string; targets: string[] }> {
    const grouped = new Map<string, string[]>();
    for (const row of this.q.aliases.all() as Array<{ address: string; target: string }>) {
      grouped.set(row.address, [...(grouped.get(row.address) ?? []), row.target]);
    }
    return [...grouped].map(([address, targets]) => ({ address, targets }));
  }

  /** The addresses an authenticated user may send as: their own and the aliases that reach them. */
  sendableAddresses(user: User): Set<string> {
    const result = new Set([user.address]);
    const frontier = [user.address];
    while (frontier.length) {
      const target = frontier.pop()!;
      for (const { address } of this.q.aliasesTargeting.all(target) as Array<{ address: string }>) {
        if (!result.has(address)) {
          result.add(address);
          frontier.push(address);
        }
      }
    }
    return result;
  }

  // ── recipients ─────────────────────────────────────────────────────────────

  /** Expands aliases and lists (depth-limited, loop-safe) into local users and onward addresses. */
  resolveRecipient(input: string): Recipient {
    const address = this.normalize(input);
    if (!this.isLocalDomain(splitAddress(address).domain)) return { kind: 'foreign', address };
    const users = new Map<number, User>();
    const forward = new Set<string>();
    const seen = new Set<string>();
    const visit = (current: string, depth: number): void => {
      if (seen.has(current) || depth > MAX_ALIAS_DEPTH) return;
      seen.add(current);
      if (!this.isLocalDomain(splitAddress(current).domain)) {
        forward.add(current);
        return;
      }
      const targets = (this.q.aliasTargets.all(current) as Array<{ target: string }>).map((r) => r.target);
      if (targets.length) {
        for (const target of targets) visit(target, depth + 1);
        return;
      }
      const user = this.q.user.get(current) as User | undefined;
      if (user) users.set(user.id, user);
    };
    visit(address, 0);
    if (!users.size && !forward.size) return { kind: 'unknown' };
    return { kind: 'local', users: [...users.values()], forward: [...forward] };
  }

  /** After the mail domain changed: accounts and aliases on the old domain move to the new one. */
  renameDomain(oldDomain: string, newDomain: string): number {
    const swap = (address: string) => {
      const { local, domain } = splitAddress(address);
      return domain === oldDomain ? `${local}@${newDomain}` : address;
    };
    let moved = 0;
    this.db.transaction(() => {
      for (const user of this.listUsers()) {
        const next = swap(user.address);
        if (next !== user.address && !this.q.user.get(next)) {
          this.db.prepare('UPDATE users SET address = ? WHERE id = ?').run(next, user.id);
          moved++;
        }
      }
      for (const { address, target } of this.q.aliases.all() as Array<{ address: string; target: string }>) {
        this.db.prepare('UPDATE OR IGNORE aliases SET address = ?, target = ? WHERE address = ? AND target = ?').run(
          swap(address),
          swap(target),
          address,
          target,
        );
      }
    })();
    return moved;
  }
}

const DUMMY_HASH = 'scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=';

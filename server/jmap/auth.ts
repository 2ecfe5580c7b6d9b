// Who a JMAP request comes from: HTTP Basic (RFC 7617) with the mail address and password, checked
// by the same login and throttle as IMAP, POP3 and SMTP AUTH (accounts/throttle.ts). A password
// that was right is remembered for a short while (as a hash, with the password hash it matched),
// so that a client sending Basic with every request does not pay the password hashing each time;
// a changed password or a disabled account ends that at once. A client may also trade its Basic
// credentials for a short-lived bearer token (POST /jmap/token): the webmail keeps the token, not
// the password, and clients that only speak Bearer (jmap-jam) work too.
import crypto from 'node:crypto';
import type { User } from '../accounts/accounts.js';
import type { EngineContext } from '../context.js';
import { WebError } from '../web/replies.js';
import type { WebRequest } from '../web/request.js';

const REMEMBER_MS = 60_000;
/** Bounds the memory of remembered logins and of tokens. */
const MAX_REMEMBERED = 1000;
/** A bearer token lives this long; then the client logs in again. */
export const TOKEN_SECONDS = 3600;
const CHALLENGE = { 'www-authenticate': 'Basic realm="LanPost JMAP", charset="UTF-8", Bearer realm="LanPost JMAP"' };

interface Remembered {
  userId: number;
  passwordHash: string;
  until: number;
}

export class JmapAuth {
  private readonly remembered = new Map<string, Remembered>();
  /** Bearer tokens (as their SHA-256), kept in memory only: an engine restart ends them. */
  private readonly tokens = new Map<string, Remembered>();

  constructor(private readonly context: EngineContext) {}

  /** A new bearer token for the user of a Basic-authenticated request. */
  async issueToken(request: WebRequest): Promise<string> {
    const user = (await this.basicUser(request)) as User & { password_hash: string };
    if (this.tokens.size >= MAX_REMEMBERED) forgetExpired(this.tokens);
    if (this.tokens.size >= MAX_REMEMBERED) throw new WebError(503, 'Service Unavailable: too many sessions are open; try again later', { 'retry-after': '60' });
    const token = crypto.randomBytes(32).toString('base64url');
    this.tokens.set(hashOf(token), { userId: user.id, passwordHash: user.password_hash, until: Date.now() + TOKEN_SECONDS * 1000 });
    return token;
  }

  /** The user of the request (Bearer token or Basic), or a 401 (with the challenge), 403 or 429 refusal. */
  async user(request: WebRequest): Promise<User> {
    const bearer = /^Bearer\s+([A-Za-z0-9_-]+)\s*$/i.exec(request.headers.authorization ?? '');
    if (!bearer) return this.basicUser(request);
    const key = hashOf(bearer[1]!);
    const user = this.stillValid(this.tokens.get(key));
    if (user) return user;
    this.tokens.delete(key);
    throw new WebError(401, 'Unauthorized: the token is unknown or expired; log in again', CHALLENGE);
  }

  /** The user of a remembered login, while it lasts and the password and account are unchanged. */
  private stillValid(known: Remembered | undefined): User | null {
    if (!known || known.until <= Date.now()) return null;
    const user = this.context.accounts.userById(known.userId) as (User & { password_hash: string }) | undefined;
    return user && !user.disabled && user.password_hash === known.passwordHash ? user : null;
  }

  private async basicUser(request: WebRequest): Promise<User> {
    const header = request.headers.authorization ?? '';
    const basic = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
    if (!basic) throw new WebError(401, 'Unauthorized: log in with your mail address and password (HTTP Basic)', CHALLENGE);
    const decoded = Buffer.from(basic[1]!, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 1) throw new WebError(401, 'Unauthorized: the Basic credentials are not address:password', CHALLENGE);
    const username = decoded.slice(0, colon);
    const password = decoded.slice(colon + 1);
    const key = hashOf(`${username}\0${password}`);
    const known = this.stillValid(this.remembered.get(key));
    if (known) return known;
    this.remembered.delete(key);
    const result = await this.context.accounts.login(username, password, request.client);
    if (result.ok) {
      const user = result.user as User & { password_hash: string };
      if (this.remembered.size >= MAX_REMEMBERED) forgetExpired(this.remembered);
      if (this.remembered.size < MAX_REMEMBERED) this.remembered.set(key, { userId: user.id, passwordHash: user.password_hash, until: Date.now() + REMEMBER_MS });
      return user;
    }
    this.context.log.warn('jmap', `login failed for ${username} (${result.reason})`, { client: request.client });
    if (result.reason === 'throttled') {
      throw new WebError(429, `Too Many Requests: too many failed logins; try again in ${result.retryAfterSeconds} seconds`, { 'retry-after': String(result.retryAfterSeconds) });
    }
    if (result.reason === 'disabled') throw new WebError(403, 'Forbidden: this account is disabled');
    throw new WebError(401, 'Unauthorized: wrong address or password', CHALLENGE);
  }
}

function hashOf(secret: string): string {
  return crypto.createHash('sha256').update(secret).digest('base64');
}

function forgetExpired(map: Map<string, Remembered>): void {
  const now = Date.now();
  for (const [key, entry] of map) if (entry.until <= now) map.delete(key);
}

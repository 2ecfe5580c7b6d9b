// Password hashing with scrypt (node:crypto) and constant-time comparison.
// Stored form: scrypt$N$r$p$salt(base64)$hash(base64), so parameters can be raised later.
// Beside it, the same password as bcrypt (bcryptjs), the one strong scheme both LanPost and
// Dovecot 2.3 read (BLF-CRYPT): it is what `lanpost export dovecot` hands over; logins here check scrypt.
import crypto from 'node:crypto';
import { promisify } from 'node:util';
import bcrypt from 'bcryptjs';

const scrypt = promisify(crypto.scrypt) as (password: string, salt: Buffer, keylen: number, options: crypto.ScryptOptions) => Promise<Buffer>;

const COST = { N: 16384, r: 8, p: 1 };
const KEY_LENGTH = 32;

export async function hashPassword(password: string): Promise<string> {
  const salt = crypto.randomBytes(16);
  const hash = await limitedScrypt(password, salt, KEY_LENGTH, COST);
  return ['scrypt', COST.N, COST.r, COST.p, salt.toString('base64'), hash.toString('base64')].join('$');
}

/** bcrypt's cost: 2^11 rounds, about a fifth of a second. */
const BCRYPT_COST = 11;

/** The password as bcrypt ("$2b$11$…"), which Dovecot reads as {BLF-CRYPT}. */
export function bcryptHash(password: string): Promise<string> {
  return bcrypt.hash(password, BCRYPT_COST);
}

/**
 * At most this many scrypt computations at once: each holds 16 MB, and the thread that ran it
 * tends to keep that memory, so unbounded parallel logins would inflate the engine for good.
 */
const MAX_CONCURRENT_HASHES = 2;
let hashing = 0;
const waitingForHash: Array<() => void> = [];

async function limitedScrypt(password: string, salt: Buffer, keylen: number, options: crypto.ScryptOptions): Promise<Buffer> {
  if (hashing >= MAX_CONCURRENT_HASHES) await new Promise<void>((resolve) => waitingForHash.push(resolve));
  hashing++;
  try {
    return await scrypt(password, salt, keylen, options);
  } finally {
    hashing--;
    waitingForHash.shift()?.();
  }
}

/**
 * Recently verified logins, so that a mail client checking every few minutes, or opening several
 * connections, does not pay for scrypt each time (Dovecot's auth cache does the same). Keyed by
 * the stored hash, so a password change invalidates the entry; the value is an HMAC of the
 * password under a key that lives only in this process's memory.
 */
const VERIFIED_TTL_MS = 15 * 60_000;
const VERIFIED_MAX = 1000;
const cacheKey = crypto.randomBytes(32);
const verified = new Map<string, { digest: Buffer; expires: number }>();

function passwordDigest(password: string): Buffer {
  return crypto.createHmac('sha256', cacheKey).update(password).digest();
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, saltText, hashText] = stored.split('$');
  if (scheme !== 'scrypt' || !saltText || !hashText) return false;
  const digest = passwordDigest(password);
  const cached = verified.get(stored);
  if (cached && cached.expires > Date.now() && crypto.timingSafeEqual(cached.digest, digest)) return true;
  const expected = Buffer.from(hashText, 'base64');
  const actual = await limitedScrypt(password, Buffer.from(saltText, 'base64'), expected.length, {
    N: Number(n),
    r: Number(r),
    p: Number(p),
  });
  const ok = crypto.timingSafeEqual(actual, expected);
  if (ok) {
    if (verified.size >= VERIFIED_MAX) verified.delete(verified.keys().next().value!);
    verified.set(stored, { digest, expires: Date.now() + VERIFIED_TTL_MS });
  }
  return ok;
}

/** A password that is easy to read out loud and type: 4 groups of 4 from an unambiguous alphabet. */
export function generatePassword(): string {
  const alphabet = 'abcdefghjkmnpqrstuvwxyz23456789';
  const groups: string[] = [];
  for (let g = 0; g < 4; g++) {
    let group = '';
    for (let i = 0; i < 4; i++) group += alphabet[crypto.randomInt(alphabet.length)];
    groups.push(group);
  }
  return groups.join('-');
}

/** Checks a new password; returns the reason it is refused, or null. */
export function passwordProblem(password: string): string | null {
  if (password.length < 8) return 'must be at least 8 characters';
  if (password.length > 1024) return 'must be at most 1024 characters';
  if (/[\r\n\0]/.test(password)) return 'must not contain line breaks or NUL';
  return null;
}

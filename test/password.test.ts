// Password hashing: scrypt, constant-time checks, and the short-lived cache of verified logins.
import { describe, expect, it } from 'vitest';
import { hashPassword, passwordProblem, verifyPassword } from '../server/accounts/password.js';

describe('passwords', () => {
  it('hashes with scrypt and verifies, also from the cache, and a changed password invalidates the old one', async () => {
    const stored = await hashPassword('right password');
    expect(stored).toMatch(/^scrypt\$16384\$8\$1\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
    expect(await verifyPassword('right password', stored)).toBe(true);
    expect(await verifyPassword('wrong password', stored)).toBe(false);
    expect(await verifyPassword('right password', stored)).toBe(true); // cached
    expect(await verifyPassword('wrong password', stored)).toBe(false); // the cache never says yes to another password
    const changed = await hashPassword('new password 1');
    expect(await verifyPassword('right password', changed)).toBe(false);
    expect(await verifyPassword('new password 1', changed)).toBe(true);
    expect(await verifyPassword('anything', 'plain-text-in-db')).toBe(false);
  });

  it('runs many logins at once without failing', async () => {
    const stored = await hashPassword('many at once');
    const results = await Promise.all(Array.from({ length: 8 }, (_, i) => verifyPassword(i % 2 ? 'many at once' : 'nope', stored)));
    expect(results).toEqual([false, true, false, true, false, true, false, true]);
  });

  it('refuses passwords that are too short or hold line breaks', () => {
    expect(passwordProblem('short')).toBe('must be at least 8 characters');
    expect(passwordProblem('with\nnewline')).toBe('must not contain line breaks or NUL');
    expect(passwordProblem('long enough')).toBeNull();
  });
});

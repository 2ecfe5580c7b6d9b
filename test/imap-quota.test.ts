// QUOTA (RFC 9208) from LanPost's per-user quota: GETQUOTAROOT and GETQUOTA report the STORAGE
// resource (KiB used, KiB allowed) of the one root "", SETQUOTA is refused, the limit is read as the
// administrator set it now (not at login), and APPEND and COPY past it answer NO [OVERQUOTA]. STATUS
// SIZE (RFC 8438), DELETED (RFC 9051) and DELETED-STORAGE (RFC 9208 §5.1). Python's imaplib and raw
// exchanges.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestEngine, type TestEngine } from './helpers/engine.js';
import { RawImap } from './imap-helpers.js';

const run = promisify(execFile);
let test: TestEngine;
const LIMITED = 'quota@lanpost.lan';
const FREE = 'free@lanpost.lan';
const PASSWORD = 'correct horse battery';
const LIMIT = 64 * 1024;

beforeAll(async () => {
  test = await startTestEngine({ users: { [FREE]: PASSWORD } });
  await test.addUser(LIMITED, PASSWORD, { quotaBytes: LIMIT });
});
afterAll(() => test.stop());

function message(bytes: number): string {
  const head = 'Subject: filler\r\n\r\n';
  return head + 'x'.repeat(bytes - head.length - 2) + '\r\n';
}

async function append(c: RawImap, mailbox: string, text: string) {
  return c.command(`APPEND ${mailbox} {${text.length}+}\r\n${text}`);
}

const PYTHON = `
import imaplib, json, sys
M = imaplib.IMAP4('127.0.0.1', int(sys.argv[1]))
M.login(sys.argv[2], sys.argv[3])
out = {'caps': [c for c in M.capabilities if c.startswith('QUOTA')]}
typ, data = M.getquotaroot('INBOX')
out['getquotaroot'] = [typ, [[d.decode() for d in group] for group in data]]
typ, data = M.getquota('""')
out['getquota'] = [typ, [d.decode() for d in data]]
typ, data = M.setquota('""', '(STORAGE 1)')
out['setquota'] = [typ, [d.decode() for d in data]]
M.logout()
print(json.dumps(out))
`;

describe('QUOTA', () => {
  it('reports the user’s quota and usage to Python’s imaplib and refuses SETQUOTA', async () => {
    const c = await RawImap.loggedIn(test.port('imap'), LIMITED, PASSWORD);
    expect((await append(c, 'INBOX', message(3000))).status).toBe('OK');
    c.close();
    const { stdout } = await run('python3', ['-c', PYTHON, String(test.port('imap')), LIMITED, PASSWORD], { timeout: 20_000 });
    const out = JSON.parse(stdout);
    expect(out.caps).toEqual(['QUOTA', 'QUOTA=RES-STORAGE']);
    expect(out.getquotaroot).toEqual(['OK', [['INBOX ""'], ['"" (STORAGE 3 64)']]]);
    expect(out.getquota).toEqual(['OK', ['"" (STORAGE 3 64)']]);
    expect(out.setquota).toEqual(['NO', [expect.stringMatching(/^\[NOPERM\] /)]]);
  });

  it('has no quota root for a user without a limit, and knows no other root', async () => {
    const c = await RawImap.loggedIn(test.port('imap'), FREE, PASSWORD);
    expect((await c.command('GETQUOTAROOT INBOX')).lines).toEqual(['* QUOTAROOT INBOX']);
    const none = await c.command('GETQUOTA ""');
    expect([none.status, none.text]).toEqual(['NO', expect.stringMatching(/^\[NONEXISTENT\] /)]);
    expect((await c.command('GETQUOTAROOT Nowhere')).status).toBe('NO');
    expect((await c.command('SETQUOTA "" (STORAGE)')).status).toBe('BAD');
    c.close();
  });

  it('reads the limit as the administrator sets it now, and refuses APPEND and COPY past it with OVERQUOTA', async () => {
    const c = await RawImap.loggedIn(test.port('imap'), LIMITED, PASSWORD);
    await c.command('CREATE Copies');
    test.engine.context.accounts.updateUser(LIMITED, { quotaBytes: 8 * 1024 });
    expect((await c.command('GETQUOTA ""')).lines).toEqual(['* QUOTA "" (STORAGE 3 8)']);
    expect((await append(c, 'INBOX', message(4000))).status).toBe('OK');
    const full = await append(c, 'INBOX', message(4000));
    expect([full.status, full.text]).toEqual(['NO', expect.stringMatching(/^\[OVERQUOTA\] /)]);
    await c.command('SELECT INBOX');
    const copy = await c.command('COPY 1:* Copies');
    expect([copy.status, copy.text]).toEqual(['NO', expect.stringMatching(/^\[OVERQUOTA\] /)]);
    // a move takes no more room than before
    expect((await c.command('MOVE 1 Copies')).status).toBe('OK');
    test.engine.context.accounts.updateUser(LIMITED, { quotaBytes: LIMIT });
    c.close();
  });
});

describe('STATUS SIZE, DELETED and DELETED-STORAGE', () => {
  it('counts the bytes of a mailbox, and the messages marked \\Deleted and their KiB', async () => {
    const c = await RawImap.loggedIn(test.port('imap'), FREE, PASSWORD);
    await c.command('CREATE Sized');
    for (const bytes of [1000, 2000, 3000]) await append(c, 'Sized', message(bytes));
    expect((await c.command('STATUS Sized (SIZE DELETED DELETED-STORAGE)')).lines).toEqual(['* STATUS Sized (SIZE 6000 DELETED 0 DELETED-STORAGE 0)']);
    await c.command('SELECT Sized');
    await c.command('STORE 2:3 +FLAGS.SILENT (\\Deleted)');
    expect((await c.command('STATUS Sized (MESSAGES DELETED DELETED-STORAGE)')).lines).toEqual(['* STATUS Sized (MESSAGES 3 DELETED 2 DELETED-STORAGE 5)']);
    c.close();
  });
});

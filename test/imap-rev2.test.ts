// IMAP4rev2 (RFC 9051), advertised beside IMAP4rev1 and switched on by ENABLE IMAP4rev2: no \Recent
// and no RECENT, ESEARCH as SEARCH's only answer, a LIST of the mailbox in SELECT's answer, UTF-8
// mailbox names; and SEARCHRES (RFC 5182, "$"), part of its base. Raw exchanges after the RFCs'
// examples, and Python's imaplib.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestEngine, type TestEngine } from './helpers/engine.js';
import { RawImap } from './imap-helpers.js';

const run = promisify(execFile);
let test: TestEngine;
const PASSWORD = 'correct horse battery';
const USERS = ['rita@lanpost.lan', 'sam@lanpost.lan', 'tess@lanpost.lan', 'uli@lanpost.lan'];
const [RITA, SAM, TESS, ULI] = USERS as [string, string, string, string];

function message(n: number, from = `Sender ${n} <s${n}@example.org>`): string {
  return `From: ${from}\r\nTo: x@lanpost.lan\r\nSubject: message ${n}\r\n\r\nbody ${n}\r\n`;
}

/** A session of `user` with IMAP4rev2 enabled. */
async function rev2Session(user: string): Promise<RawImap> {
  const c = await RawImap.loggedIn(test.port('imap'), user, PASSWORD);
  expect((await c.command('ENABLE IMAP4rev2')).lines).toEqual(['* ENABLED IMAP4rev2']);
  return c;
}

/** A reply's lines as UTF-8 (RawImap reads octets as latin1). */
async function utf8Lines(c: RawImap, command: string): Promise<string[]> {
  return (await c.command(command)).lines.map((line) => Buffer.from(line, 'latin1').toString('utf8'));
}

beforeAll(async () => {
  test = await startTestEngine({ users: Object.fromEntries(USERS.map((user) => [user, PASSWORD])) });
});
afterAll(() => test.stop());

describe('IMAP4rev2 mode', () => {
  it('is advertised beside IMAP4rev1, with SEARCHRES, and switched on by ENABLE', async () => {
    const c = await RawImap.connect(test.port('imap'));
    const caps = (await c.command('CAPABILITY')).lines[0]!.split(' ');
    expect(caps.slice(0, 4)).toEqual(['*', 'CAPABILITY', 'IMAP4rev1', 'IMAP4rev2']);
    expect(caps).toContain('SEARCHRES');
    c.close();
    const enabled = await rev2Session(RITA);
    // a second ENABLE names nothing new
    expect((await enabled.command('ENABLE IMAP4rev2')).lines).toEqual(['* ENABLED']);
    enabled.close();
  });

  it('answers SELECT without RECENT or UNSEEN but with a LIST of the mailbox, and never shows \\Recent', async () => {
    const rev1 = await RawImap.loggedIn(test.port('imap'), RITA, PASSWORD);
    for (const n of [1, 2]) expect((await rev1.append('INBOX', message(n))).status).toBe('OK');
    const rev2 = await rev2Session(RITA);
    const selected = await rev2.command('SELECT INBOX');
    expect(selected.text).toBe('[READ-WRITE] SELECT completed');
    expect(selected.lines).toContain('* 2 EXISTS');
    expect(selected.lines).toContain('* LIST (\\HasNoChildren) "/" INBOX');
    expect(selected.lines.filter((line) => /RECENT|\[UNSEEN /.test(line))).toEqual([]);
    expect((await rev2.command('FETCH 1:* (FLAGS)')).lines).toEqual(['* 1 FETCH (FLAGS ())', '* 2 FETCH (FLAGS ())']);
    // a message arriving meanwhile: EXISTS alone
    expect((await rev1.append('INBOX', message(3))).status).toBe('OK');
    const noop = await rev2.command('NOOP');
    expect(noop.lines).toEqual(['* 3 EXISTS']);
    // the rev2 session took no \Recent: a rev1 session still gets them
    const rev1Selected = await rev1.command('EXAMINE INBOX');
    expect(rev1Selected.lines).toContain('* 3 RECENT');
    // SELECT while selected says [CLOSED] first (RFC 9051 §6.3.2)
    const examined = await rev2.command('EXAMINE INBOX');
    expect(examined.lines[0]).toBe('* OK [CLOSED] Previous mailbox closed');
    expect(examined.text).toBe('[READ-ONLY] EXAMINE completed');
    rev1.close();
    rev2.close();
  });

  it('answers SEARCH with ESEARCH only (RFC 9051 §6.4.4 examples), SORT unchanged', async () => {
    const c = await rev2Session(RITA);
    await c.command('SELECT INBOX');
    expect((await c.command('STORE 2 +FLAGS.SILENT (\\Flagged)')).status).toBe('OK');
    const tag = c.nextTag();
    c.write(`${tag} SEARCH FLAGGED\r\n`);
    expect((await c.until(tag)).lines).toEqual([`* ESEARCH (TAG "${tag}") ALL 2`]);
    const uidTag = c.nextTag();
    c.write(`${uidTag} UID SEARCH ALL\r\n`);
    expect((await c.until(uidTag)).lines).toEqual([`* ESEARCH (TAG "${uidTag}") UID ALL 1:3`]);
    const noneTag = c.nextTag();
    c.write(`${noneTag} SEARCH TEXT "string not in mailbox"\r\n`);
    expect((await c.until(noneTag)).lines).toEqual([`* ESEARCH (TAG "${noneTag}")`]);
    // CHARSET is still allowed (unlike after UTF8=ACCEPT alone)
    expect((await c.command('SEARCH CHARSET UTF-8 ALL')).status).toBe('OK');
    expect((await c.command('SORT (SUBJECT) UTF-8 ALL')).lines).toEqual(['* SORT 1 2 3']);
    c.close();
  });

  it('takes and gives mailbox names in UTF-8, and still answers LSUB, CHECK and STATUS DELETED SIZE', async () => {
    const c = await rev2Session(SAM);
    expect((await c.command('CREATE "Grüße/日本"')).status).toBe('OK');
    expect(await utf8Lines(c, 'LIST "" "Grüße*"')).toEqual(['* LIST (\\HasChildren) "/" "Grüße"', '* LIST (\\HasNoChildren) "/" "Grüße/日本"']);
    expect((await c.command('CREATE "Grüße/日本"')).text).toMatch(/^\[ALREADYEXISTS\]/);
    expect(await utf8Lines(c, 'SELECT "Grüße"')).toContain('* LIST (\\HasChildren) "/" "Grüße"');
    // names are kept in NFC (RFC 9051 §5.1): a decomposed "ü" names the same mailbox, and SELECT says so
    const decomposed = 'Gru\u0308ße';
    expect((await c.command(`CREATE "${decomposed}"`)).text).toMatch(/^\[ALREADYEXISTS\]/);
    expect(await utf8Lines(c, `SELECT "${decomposed}"`)).toContain(`* LIST (\\HasChildren) "/" "Grüße" ("OLDNAME" ("${decomposed}"))`);
    expect((await c.command('CHECK')).status).toBe('OK');
    expect((await c.command('SUBSCRIBE "Grüße/日本"')).status).toBe('OK');
    expect(await utf8Lines(c, 'LSUB "" "Grüße/*"')).toEqual(['* LSUB () "/" "Grüße/日本"']);
    expect((await c.append('"Grüße/日本"', message(1), { flags: '\\Deleted' })).status).toBe('OK');
    expect((await utf8Lines(c, 'STATUS "Grüße/日本" (MESSAGES DELETED SIZE)'))[0]).toMatch(/^\* STATUS "Grüße\/日本" \(MESSAGES 1 DELETED 1 SIZE \d+\)$/);
    expect((await c.command('SELECT "Nowhere"')).text).toMatch(/^\[NONEXISTENT\]/);
    c.close();
    // a rev1 session sees the same mailbox in modified UTF-7
    const rev1 = await RawImap.loggedIn(test.port('imap'), SAM, PASSWORD);
    expect((await rev1.command('LIST "" Gr*')).lines).toEqual(['* LIST (\\HasChildren) "/" Gr&APwA3w-e', '* LIST (\\HasNoChildren) "/" Gr&APwA3w-e/&ZeVnLA-']);
    rev1.close();
  });

  it('lets Python’s imaplib enable it, select and search (the answer an ESEARCH)', async () => {
    const script = `
import imaplib, json, sys
M = imaplib.IMAP4('127.0.0.1', int(sys.argv[1]))
M.login(sys.argv[2], sys.argv[3])
out = {'enable': M.enable('IMAP4rev2')[0], 'enabled': [d.decode() for d in M.response('ENABLED')[1]]}
typ, data = M.select('INBOX')
out['select'] = [typ, data[0].decode()]
out['list'] = [d.decode() for d in M.response('LIST')[1]]
out['recent'] = M.response('RECENT')[1]
out['search'] = M.search(None, 'ALL')[0]
out['esearch'] = [d.decode() for d in M.response('ESEARCH')[1]]
M.logout()
print(json.dumps(out))
`;
    const { stdout } = await run('python3', ['-c', script, String(test.port('imap')), RITA, PASSWORD], { timeout: 20_000 });
    const out = JSON.parse(stdout);
    expect([out.enable, out.enabled]).toEqual(['OK', ['IMAP4rev2']]);
    expect(out.select).toEqual(['OK', '3']);
    expect(out.list).toEqual(['(\\HasNoChildren) "/" INBOX']);
    expect(out.recent).toEqual([null]);
    expect(out.search).toBe('OK');
    expect(out.esearch).toEqual([expect.stringMatching(/^\(TAG "\w+"\) ALL 1:3$/)]);
  });
});

describe('SEARCHRES (RFC 5182)', () => {
  let c: RawImap;
  beforeAll(async () => {
    c = await RawImap.loggedIn(test.port('imap'), TESS, PASSWORD);
    // 2, 5, 10 and 11 flagged; 5 is from Smith (RFC 4731's example mailbox)
    for (let n = 1; n <= 12; n++) {
      const from = n === 5 ? 'John Smith <smith@example.org>' : undefined;
      const reply = await c.append('INBOX', message(n, from), { flags: [2, 5, 10, 11].includes(n) ? '\\Flagged' : '' });
      if (reply.status !== 'OK') throw new Error(reply.raw);
    }
    await c.command('SELECT INBOX');
  });
  afterAll(() => c.close());

  it('keeps the result of RETURN (SAVE) as "$" without an ESEARCH, for FETCH, STORE and SEARCH (§2.5 examples)', async () => {
    const saved = await c.command('SEARCH RETURN (SAVE) FLAGGED SINCE 1-Feb-1994 NOT FROM "Smith"');
    expect([saved.status, saved.lines]).toEqual(['OK', []]);
    expect((await c.command('FETCH $ (UID)')).lines).toEqual(['* 2 FETCH (UID 2)', '* 10 FETCH (UID 10)', '* 11 FETCH (UID 11)']);
    expect((await c.command('UID FETCH $ (UID)')).lines).toEqual(['* 2 FETCH (UID 2)', '* 10 FETCH (UID 10)', '* 11 FETCH (UID 11)']);
    expect((await c.command('STORE $ +FLAGS (\\Answered)')).lines).toHaveLength(3);
    expect((await c.command('SEARCH $ ANSWERED')).lines).toEqual(['* SEARCH 2 10 11']);
    expect((await c.command('UID SEARCH UID $ NOT 10')).lines).toEqual(['* SEARCH 2 11']);
  });

  it('saves only MIN and MAX when only they are asked for, and answers them (§2.4)', async () => {
    const tag = c.nextTag();
    c.write(`${tag} SEARCH RETURN (SAVE MIN MAX) FLAGGED\r\n`);
    expect((await c.until(tag)).lines).toEqual([`* ESEARCH (TAG "${tag}") MIN 2 MAX 11`]);
    expect((await c.command('FETCH $ (UID)')).lines).toEqual(['* 2 FETCH (UID 2)', '* 11 FETCH (UID 11)']);
    const countTag = c.nextTag();
    c.write(`${countTag} SEARCH RETURN (SAVE MIN COUNT) FLAGGED\r\n`);
    expect((await c.until(countTag)).lines).toEqual([`* ESEARCH (TAG "${countTag}") MIN 2 COUNT 4`]);
    expect((await c.command('FETCH $ (UID)')).lines).toHaveLength(4);
  });

  it('COPY $ and MOVE $; an expunged message leaves "$"', async () => {
    await c.command('CREATE Saved');
    await c.command('SEARCH RETURN (SAVE) 11:12');
    expect((await c.command('COPY $ Saved')).text).toMatch(/^\[COPYUID \d+ 11:12 1:2\]/);
    await c.command('STORE 12 +FLAGS.SILENT (\\Deleted)');
    expect((await c.command('EXPUNGE')).lines).toEqual(['* 12 EXPUNGE']);
    expect((await c.command('FETCH $ (UID)')).lines).toEqual(['* 11 FETCH (UID 11)']);
    expect((await c.command('MOVE $ Saved')).lines).toContain('* 11 EXPUNGE');
  });

  it('empties "$" when a SEARCH (SAVE) fails, and on SELECT', async () => {
    await c.command('SEARCH RETURN (SAVE) 1:3');
    expect((await c.command('SEARCH RETURN (SAVE) CHARSET KOI8-R ALL')).text).toMatch(/^\[BADCHARSET/);
    expect((await c.command('FETCH $ (UID)')).lines).toEqual([]);
    await c.command('SEARCH RETURN (SAVE) 1:3');
    await c.command('SELECT INBOX');
    expect((await c.command('FETCH $ (UID)')).lines).toEqual([]);
    // "$" only alone: not inside a list
    expect((await c.command('FETCH $,1 (UID)')).status).toBe('BAD');
  });

  it('works the same in IMAP4rev2 mode, where a SAVE alone still answers nothing', async () => {
    const rev2 = await rev2Session(ULI);
    for (const n of [1, 2, 3]) expect((await rev2.append('INBOX', message(n), { flags: n === 2 ? '\\Seen' : '' })).status).toBe('OK');
    await rev2.command('SELECT INBOX');
    expect((await rev2.command('UID SEARCH RETURN (SAVE) UNSEEN')).lines).toEqual([]);
    expect((await rev2.command('UID FETCH $ (FLAGS)')).lines).toEqual(['* 1 FETCH (UID 1 FLAGS ())', '* 3 FETCH (UID 3 FLAGS ())']);
    expect((await rev2.command('UID EXPUNGE $')).status).toBe('OK');
    rev2.close();
  });
});

// SEARCH with every RFC 3501 key, CHARSET UTF-8, SORT (RFC 5256) and CONDSTORE (RFC 7162).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestEngine, type TestEngine } from './helpers/engine.js';
import { ENCODED, MIXED } from './imap-fixtures.js';
import { RawImap } from './imap-helpers.js';

let test: TestEngine;
let c: RawImap;
const USER = 'bob@lanpost.lan';
const PASSWORD = 'correct horse battery';

const messages: Array<{ raw: string; flags?: string; date: string }> = [
  // 1
  { raw: 'From: Alice <alice@example.org>\r\nTo: bob@lanpost.lan\r\nCc: carol@example.net\r\nSubject: Budget 2027\r\nDate: Mon, 2 Nov 2026 09:00:00 +0000\r\nX-Project: apollo\r\n\r\nThe budget draft is ready.\r\n', flags: '\\Seen \\Answered', date: '02-Nov-2026 09:00:00 +0000' },
  // 2
  { raw: 'From: Zed <zed@example.com>\r\nTo: alice@example.org\r\nSubject: Re: Budget 2027\r\nDate: Tue, 3 Nov 2026 10:00:00 +0000\r\n\r\nLooks fine to me. ' + 'x'.repeat(2000) + '\r\n', flags: '\\Flagged $Important', date: '03-Nov-2026 10:00:00 +0000' },
  // 3
  { raw: MIXED, flags: '\\Deleted', date: '04-Nov-2026 11:00:00 +0000' },
  // 4
  { raw: ENCODED, flags: '\\Draft', date: '05-Nov-2026 12:00:00 +0000' },
  // 5
  { raw: 'From: bob@lanpost.lan\r\nTo: zed@example.com\r\nSubject: [team] Fwd: lunch (fwd)\r\nDate: Thu, 5 Nov 2026 08:00:00 -0800\r\nContent-Type: text/plain; charset=iso-8859-1\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\nCaf=E9 at noon\r\n', date: '06-Nov-2026 13:00:00 +0000' },
];

beforeAll(async () => {
  test = await startTestEngine({ users: { [USER]: PASSWORD } });
  c = await RawImap.loggedIn(test.port('imap'), USER, PASSWORD);
  await c.command('CREATE Search');
  for (const m of messages) {
    const bytes = Buffer.from(m.raw);
    c.write(`a APPEND Search (${m.flags ?? ''}) "${m.date}" {${bytes.length}+}\r\n`);
    c.write(Buffer.concat([bytes, Buffer.from('\r\n')]));
    const reply = await c.until('a');
    if (reply.status !== 'OK') throw new Error(reply.raw);
  }
  await c.command('SELECT Search');
});
afterAll(async () => {
  c.close();
  await test.stop();
});

async function search(criteria: string): Promise<string> {
  const reply = await c.command(`SEARCH ${criteria}`);
  if (reply.status !== 'OK') throw new Error(`${criteria}: ${reply.raw}`);
  return reply.lines.find((l) => l.startsWith('* SEARCH'))!.slice(8).trim();
}

describe('IMAP SEARCH keys', () => {
  const cases: Array<[string, string]> = [
    ['ALL', '1 2 3 4 5'],
    ['1:2,5', '1 2 5'],
    ['4:*', '4 5'],
    ['UID 2:3', '2 3'],
    ['ANSWERED', '1'],
    ['UNANSWERED', '2 3 4 5'],
    ['DELETED', '3'],
    ['UNDELETED', '1 2 4 5'],
    ['DRAFT', '4'],
    ['UNDRAFT', '1 2 3 5'],
    ['FLAGGED', '2'],
    ['UNFLAGGED', '1 3 4 5'],
    ['SEEN', '1'],
    ['UNSEEN', '2 3 4 5'],
    ['KEYWORD $Important', '2'],
    ['UNKEYWORD $Important', '1 3 4 5'],
    ['RECENT', '1 2 3 4 5'],
    ['NEW', '2 3 4 5'],
    ['OLD', ''],
    ['FROM alice', '1 3'],
    ['TO zed@example.com', '5'],
    ['CC carol', '1'],
    ['BCC nobody', ''],
    ['SUBJECT budget', '1 2'],
    ['SUBJECT "köln"', '4'],
    ['FROM "张三"', '4'],
    ['HEADER X-Project apollo', '1'],
    ['HEADER X-Project ""', '1'],
    ['BODY "draft is ready"', '1'],
    ['BODY "你好"', '4'],
    ['BODY "café"', '5'],
    ['BODY "see the ATTACHMENTS"', '3'],
    ['TEXT apollo', '1'],
    ['TEXT "looks fine"', '2'],
    ['LARGER 1500', '2'],
    ['SMALLER 500', '1 5'],
    ['BEFORE 4-Nov-2026', '1 2'],
    ['ON 4-Nov-2026', '3'],
    ['SINCE 5-Nov-2026', '4 5'],
    ['SENTBEFORE 3-Nov-2026', '1'],
    ['SENTON 5-Nov-2026', '5'],
    ['SENTSINCE 1-Dec-2026', '4'],
    ['NOT SEEN', '2 3 4 5'],
    ['OR FLAGGED DRAFT', '2 4'],
    ['OR (FROM alice SEEN) SUBJECT lunch', '1 5'],
    ['NOT OR DELETED DRAFT UNSEEN', '2 5'],
    ['CHARSET UTF-8 SUBJECT "Grüße"', '4'],
    ['CHARSET US-ASCII SUBJECT budget', '1 2'],
    ['FROM \u5f20\u4e09', 'BAD'],
  ];
  for (const [criteria, expected] of cases) {
    it(criteria, async () => {
      if (expected === 'BAD') expect((await c.command(`SEARCH ${criteria}`)).status).toBe('BAD'); // 8-bit needs quoting
      else expect(await search(criteria)).toBe(expected);
    });
  }

  it('UID SEARCH answers UIDs; a literal string works; errors are BAD or BADCHARSET', async () => {
    await c.command('COPY 1 Search');
    const uid = await c.command('UID SEARCH SUBJECT "Budget 2027" NOT SUBJECT Re');
    expect(uid.lines[0]).toBe('* SEARCH 1 6');
    c.write(Buffer.from('l SEARCH CHARSET UTF-8 BODY {5+}\r\ncafé\r\n'));
    expect((await c.until('l')).lines[0]).toBe('* SEARCH 5');
    expect((await c.command('SEARCH CHARSET KOI8-R ALL')).text).toMatch(/^\[BADCHARSET \(UTF-8 US-ASCII\)\]/);
    expect((await c.command('SEARCH FROB')).status).toBe('BAD');
    expect((await c.command('SEARCH BEFORE 31-Foo-2026')).status).toBe('BAD');
    expect((await c.command('SEARCH')).status).toBe('BAD');
    await c.command('STORE 6 +FLAGS.SILENT (\\Deleted)');
    expect((await c.command('UID EXPUNGE 6')).lines).toEqual(['* 6 EXPUNGE']);
  });
});

describe('IMAP nesting limits', () => {
  /** A connection of its own: a test that breaks it leaves the others alone. */
  async function selected(): Promise<RawImap> {
    const own = await RawImap.loggedIn(test.port('imap'), USER, PASSWORD);
    await own.command('EXAMINE Search');
    return own;
  }

  it('answers BAD to parentheses nested deeper than the limit, in one line or across literals, and the session goes on', async () => {
    const own = await selected();
    const deep = await own.command(`SEARCH ${'('.repeat(4000)}ALL${')'.repeat(4000)}`);
    expect(deep.status).toBe('BAD');
    expect(deep.text).toMatch(/nested deeper than 100 levels/);
    const fetch = await own.command(`FETCH 1 ${'('.repeat(200)}FLAGS${')'.repeat(200)}`);
    expect(fetch.status).toBe('BAD');
    expect(fetch.text).toMatch(/nested deeper than 100 levels/);
    // lines ended by literals make one command: the depth counts across them
    const lines = Array.from({ length: 60 }, () => `${'('.repeat(5)}{1+}\r\nX`).join(' ');
    own.write(`n1 SEARCH ${lines}\r\n`);
    const split = await own.until('n1');
    expect(split.status).toBe('BAD');
    expect(split.text).toMatch(/nested deeper than 100 levels/);
    const fine = await own.command(`SEARCH ${'('.repeat(100)}SEEN${')'.repeat(100)}`);
    expect(fine.lines[0]).toBe('* SEARCH 1');
    own.close();
  });

  it('answers BAD to NOT and OR chained deeper than the limit', async () => {
    const own = await selected();
    const nots = await own.command(`SEARCH ${'NOT '.repeat(2000)}ALL`);
    expect(nots.status).toBe('BAD');
    expect(nots.text).toMatch(/nested deeper than 100 levels/);
    const ors = await own.command(`SEARCH ${'OR ALL '.repeat(1000)}ALL`);
    expect(ors.status).toBe('BAD');
    expect(ors.text).toMatch(/nested deeper than 100 levels/);
    const fine = await own.command(`SEARCH ${'NOT '.repeat(100)}SEEN`);
    expect(fine.lines[0]).toBe('* SEARCH 1');
    own.close();
  });
});

describe('IMAP SEARCH FROM/TO/CC/BCC', () => {
  it('searches the envelope\'s addresses, not the header\'s text, the first time as the next; comments in <…> name nobody; source routes kept (RFC 3501 §6.4.4, §7.4.2)', async () => {
    const other = await RawImap.loggedIn(test.port('imap'), USER, PASSWORD);
    await other.command('CREATE Commented');
    const raw = 'From: <ann (front desk)@ (main office) example.com>\r\nTo: team@example.com\r\nSubject: comments\r\n\r\nx\r\n';
    const bare = 'From: bo@example.com (Bo Smith)\r\nSubject: legacy name\r\n\r\ny\r\n';
    const routed = 'From: <@relay.example:cy@example.com>\r\nSubject: source route\r\n\r\nz\r\n';
    for (const message of [raw, bare, routed]) expect((await other.command(`APPEND Commented {${message.length}+}\r\n${message}`)).status).toBe('OK');
    await other.command('SELECT Commented');
    // the first SEARCH reads the header from the file (no envelope cached yet), the second the cached envelope
    for (const round of [1, 2]) {
      const found = async (criteria: string) => (await other.command(`SEARCH ${criteria}`)).lines.find((l) => l.startsWith('* SEARCH'));
      expect([round, await found('FROM ann@example.com')]).toEqual([round, '* SEARCH 1']);
      expect([round, await found('FROM "ann (front"')]).toEqual([round, '* SEARCH']);
      // a comment inside <…> names nobody; after a bare address it is the name (as Dovecot reads them)
      expect([round, await found('FROM office')]).toEqual([round, '* SEARCH']);
      expect([round, await found('FROM "bo smith"')]).toEqual([round, '* SEARCH 2']);
      expect([round, await found('FROM cy@example.com')]).toEqual([round, '* SEARCH 3']);
    }
    const envelopes = (await other.command('FETCH 1:3 ENVELOPE')).lines;
    expect(envelopes[0]).toContain(' ((NIL NIL "ann" "example.com")) ');
    expect(envelopes[1]).toContain(' (("Bo Smith" NIL "bo" "example.com")) ');
    // an obsolete source route is the address's "adl" (RFC 3501 §7.4.2)
    expect(envelopes[2]).toContain(' ((NIL "@relay.example" "cy" "example.com")) ');
    other.close();
  });
});

describe('IMAP SORT (RFC 5256)', () => {
  const cases: Array<[string, string]> = [
    ['(SUBJECT) UTF-8 ALL', '1 2 4 5 3'],
    ['(REVERSE ARRIVAL) UTF-8 ALL', '5 4 3 2 1'],
    ['(SIZE) UTF-8 ALL', '1 5 4 3 2'],
    ['(FROM) UTF-8 ALL', '1 3 5 2 4'],
    ['(DATE) UTF-8 ALL', '1 2 5 3 4'],
    ['(TO SUBJECT) UTF-8 UNDELETED', '2 4 1 5'],
    ['(CC) US-ASCII ALL', '2 3 4 5 1'],
  ];
  for (const [criteria, expected] of cases) {
    it(criteria, async () => {
      const reply = await c.command(`SORT ${criteria}`);
      expect(reply.status).toBe('OK');
      expect(reply.lines[0]).toBe(`* SORT ${expected}`.trim());
    });
  }
  it('UID SORT and bad criteria', async () => {
    expect((await c.command('UID SORT (ARRIVAL) UTF-8 1:2')).lines[0]).toBe('* SORT 1 2');
    expect((await c.command('SORT (FROB) UTF-8 ALL')).status).toBe('BAD');
  });

  it('FROM, TO and CC order by the first address\'s mailbox, a group by its name, case-insensitively, ties by number', async () => {
    await c.command('CREATE SortAddresses');
    for (const headers of [
      'From: Zoe@example.org\r\nTo: "A Name" <Zoe@example.org>\r\nCc: zoe@example.org (a comment)',
      'From: zoe@example.net\r\nTo: ZOE@example.net\r\nCc: zoe: amy@example.net;',
      'From: yann@example.net\r\nTo: yann@example.net\r\nCc: Yann@example.net',
    ]) {
      expect((await c.append('SortAddresses', `${headers}\r\nSubject: s\r\n\r\nbody\r\n`)).status).toBe('OK');
    }
    await c.command('SELECT SortAddresses');
    for (const key of ['FROM', 'TO', 'CC']) {
      expect((await c.command(`SORT (${key}) US-ASCII ALL`)).lines[0], key).toBe('* SORT 3 1 2');
      expect((await c.command(`SORT (REVERSE ${key}) US-ASCII ALL`)).lines[0], key).toBe('* SORT 1 2 3');
      expect((await c.command(`SORT (${key} REVERSE ARRIVAL) US-ASCII ALL`)).lines[0], key).toBe('* SORT 3 2 1');
    }
    await c.command('SELECT Search');
  });
});

describe('IMAP CONDSTORE (RFC 7162)', () => {
  it('MODSEQ in FETCH, CHANGEDSINCE, UNCHANGEDSINCE with MODIFIED, SEARCH MODSEQ, HIGHESTMODSEQ', async () => {
    const selected = await c.command('SELECT Search (CONDSTORE)');
    const highest = Number(/HIGHESTMODSEQ (\d+)/.exec(selected.lines.join('\n'))![1]);
    const fetch = await c.command('FETCH 1 (MODSEQ)');
    const modseq1 = Number(/MODSEQ \((\d+)\)/.exec(fetch.lines[0]!)![1]);
    const stored = await c.command(`STORE 2 (UNCHANGEDSINCE ${highest}) +FLAGS (\\Seen)`);
    expect(stored.lines[0]).toMatch(/^\* 2 FETCH \(FLAGS \(.*\\Seen.*\) UID 2 MODSEQ \(\d+\)\)$/);
    const newModseq = Number(/MODSEQ \((\d+)\)/.exec(stored.lines[0]!)![1]);
    expect(newModseq).toBeGreaterThan(highest);
    const conflict = await c.command(`STORE 1,2 (UNCHANGEDSINCE ${highest}) +FLAGS (\\Flagged)`);
    expect(conflict.text).toMatch(/^\[MODIFIED 2\]/);
    const changed = await c.command(`FETCH 1:* (FLAGS) (CHANGEDSINCE ${highest})`);
    expect(changed.lines.map((l) => /^\* (\d+) FETCH/.exec(l)?.[1]).filter(Boolean)).toEqual(['1', '2']);
    const search = await c.command(`SEARCH MODSEQ ${highest + 1}`);
    expect(search.lines[0]).toMatch(/^\* SEARCH 1 2 \(MODSEQ \d+\)$/);
    const status = await c.command('STATUS Search (HIGHESTMODSEQ)');
    expect(Number(/HIGHESTMODSEQ (\d+)/.exec(status.lines[0]!)![1])).toBeGreaterThan(newModseq);
    expect(modseq1).toBeGreaterThan(0);
  });

  it('sends HIGHESTMODSEQ before the tagged answer of a command that switched CONDSTORE on in a selected mailbox (RFC 7162 §3.1)', async () => {
    const own = await RawImap.loggedIn(test.port('imap'), USER, PASSWORD);
    await own.command('SELECT Search');
    const fetch = await own.command('FETCH 1 (MODSEQ)');
    expect(fetch.lines.some((l) => /^\* OK \[HIGHESTMODSEQ \d+\]/.test(l))).toBe(true);
    // once only
    expect((await own.command('FETCH 1 (MODSEQ)')).lines.some((l) => l.includes('HIGHESTMODSEQ'))).toBe(false);
    own.close();
  });
});

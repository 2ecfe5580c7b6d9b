// SEARCH and SORT with RETURN options: ESEARCH (RFC 4731), ESORT, PARTIAL and results kept up to
// date with UPDATE / CANCELUPDATE (RFC 5267), SORT=DISPLAY (RFC 5957); the exchanges of the RFCs'
// examples where they have one.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestEngine, type TestEngine } from './helpers/engine.js';
import { RawImap } from './imap-helpers.js';

let test: TestEngine;
let c: RawImap;
const USER = 'erin@lanpost.lan';
const PASSWORD = 'correct horse battery';

function message(n: number, from: string, extra = ''): string {
  return `From: ${from}\r\nTo: erin@lanpost.lan\r\nSubject: message ${n}\r\n${extra}\r\nbody ${n}\r\n`;
}

/** The ESEARCH line of a reply, without its "* ESEARCH (TAG "…") " start. */
function esearch(lines: string[], tag: string): string {
  const prefix = `* ESEARCH (TAG "${tag}")`;
  const line = lines.find((l) => l.startsWith(prefix));
  if (line === undefined) throw new Error(`no ESEARCH for ${tag} in ${lines.join(' | ')}`);
  return line.slice(prefix.length).trim();
}

async function returned(command: string): Promise<string> {
  const tag = c.nextTag();
  c.write(`${tag} ${command}\r\n`);
  const reply = await c.until(tag);
  if (reply.status !== 'OK') throw new Error(`${command}: ${reply.raw}`);
  return esearch(reply.lines, tag);
}

beforeAll(async () => {
  test = await startTestEngine({ users: { [USER]: PASSWORD } });
  c = await RawImap.loggedIn(test.port('imap'), USER, PASSWORD);
  await c.command('CREATE Twelve');
  // 2, 5, 10 and 11 flagged; 5 is from Smith; 8 arrived before 7, and 7 on the same day as 9
  for (let n = 1; n <= 12; n++) {
    const from = n === 5 ? 'John Smith <smith@example.org>' : `Sender ${n} <s${n}@example.org>`;
    const day = n === 7 ? 9 : n === 8 ? 7 : n;
    const reply = await c.append('Twelve', message(n, from), { flags: [2, 5, 10, 11].includes(n) ? '\\Flagged' : '', date: `${String(day).padStart(2, '0')}-Mar-2026 10:00:00 +0000` });
    if (reply.status !== 'OK') throw new Error(reply.raw);
  }
  await c.command('SELECT Twelve');
});
afterAll(async () => {
  c.close();
  await test.stop();
});

describe('ESEARCH (RFC 4731)', () => {
  it('advertises ESEARCH, ESORT, CONTEXT=SEARCH, CONTEXT=SORT and SORT=DISPLAY', async () => {
    const caps = (await c.command('CAPABILITY')).lines[0]!.split(' ');
    for (const cap of ['ESEARCH', 'ESORT', 'CONTEXT=SEARCH', 'CONTEXT=SORT', 'SORT=DISPLAY']) expect(caps).toContain(cap);
  });

  it('answers the RFC\'s examples: MIN and COUNT, and RETURN () for ALL as a sequence set', async () => {
    expect(await returned('SEARCH RETURN (MIN COUNT) FLAGGED SINCE 1-Feb-1994 NOT FROM "Smith"')).toBe('MIN 2 COUNT 3');
    expect(await returned('SEARCH RETURN () FLAGGED SINCE 1-Feb-1994 NOT FROM "Smith"')).toBe('ALL 2,10:11');
    expect(await returned('SEARCH RETURN (MAX) FLAGGED')).toBe('MAX 11');
    // a plain SEARCH still answers * SEARCH
    expect((await c.command('SEARCH FLAGGED')).lines[0]).toBe('* SEARCH 2 5 10 11');
  });

  it('UID SEARCH says UID; no match gives COUNT 0 and no MIN, MAX or ALL', async () => {
    expect(await returned('UID SEARCH RETURN (MIN MAX) FLAGGED')).toBe('UID MIN 2 MAX 11');
    expect(await returned('UID SEARCH RETURN (MIN MAX ALL COUNT) SUBJECT nothing-like-this')).toBe('UID COUNT 0');
    expect(await returned('SEARCH RETURN () 1000')).toBe('');
  });

  it('adds the highest MODSEQ of what it returns when the search uses MODSEQ (RFC 7162 §3.1.5)', async () => {
    const modseqs = new Map<number, number>();
    for (const n of [3, 4]) {
      const stored = await c.command(`STORE ${n} +FLAGS (\\Seen)`);
      modseqs.set(n, Number(/MODSEQ \((\d+)\)/.exec(stored.lines.join(' '))?.[1] ?? NaN));
    }
    // STORE reports MODSEQ once CONDSTORE is on: FETCH MODSEQ (which switches it on) tells them
    const fetched = await c.command('FETCH 3:4 (MODSEQ)');
    for (const line of fetched.lines) {
      const match = /^\* (\d+) FETCH \(MODSEQ \((\d+)\)\)/.exec(line);
      if (match) modseqs.set(Number(match[1]), Number(match[2]));
    }
    const [m3, m4] = [modseqs.get(3)!, modseqs.get(4)!];
    expect(m4).toBeGreaterThan(m3);
    expect(await returned('SEARCH RETURN (MIN) 1:4 SEEN MODSEQ 1')).toBe(`MIN 3 MODSEQ ${m3}`);
    expect(await returned('SEARCH RETURN (ALL) 1:4 SEEN MODSEQ 1')).toBe(`ALL 3:4 MODSEQ ${m4}`);
    expect(await returned(`SEARCH RETURN (ALL) SEEN MODSEQ ${m4 + 1}`)).toBe('');
    await c.command('STORE 3:4 -FLAGS (\\Seen)');
  });

  it('answers a SEARCH with RETURN options it does not know with BAD', async () => {
    expect((await c.command('SEARCH RETURN (NOSUCH) ALL')).status).toBe('BAD');
    expect((await c.command('SEARCH RETURN ALL')).status).toBe('BAD');
  });
});

describe('ESORT and PARTIAL (RFC 5267 §3, §4.4)', () => {
  it('SORT RETURN keeps the sort order: MIN and MAX are the first and last, ALL lists the order', async () => {
    expect(await returned('SORT RETURN (MIN MAX COUNT) (ARRIVAL) UTF-8 6:9')).toBe('MIN 6 MAX 9 COUNT 4');
    expect(await returned('SORT RETURN (ALL) (ARRIVAL) UTF-8 6:9')).toBe('ALL 6,8,7,9');
    expect(await returned('SORT RETURN (ALL) (REVERSE ARRIVAL) UTF-8 ALL')).toBe('ALL 12,11,10,7,9,8,6,5,4,3,2,1');
    expect(await returned('UID SORT RETURN (MIN) (REVERSE ARRIVAL) UTF-8 ALL')).toBe('UID MIN 12');
  });

  it('PARTIAL returns a window of the results by position, NIL past the end', async () => {
    expect(await returned('SEARCH RETURN (PARTIAL 1:2) FLAGGED')).toBe('PARTIAL (1:2 2,5)');
    expect(await returned('SEARCH RETURN (PARTIAL 4:2) FLAGGED')).toBe('PARTIAL (2:4 5,10:11)');
    expect(await returned('SEARCH RETURN (PARTIAL 5:9) FLAGGED')).toBe('PARTIAL (5:9 NIL)');
    expect(await returned('SORT RETURN (PARTIAL 1:3) (REVERSE ARRIVAL) UTF-8 ALL')).toBe('PARTIAL (1:3 12,11,10)');
    expect(await returned('UID SEARCH RETURN (PARTIAL 2:2 COUNT) FLAGGED')).toBe('UID COUNT 4 PARTIAL (2:2 5)');
    for (const bad of ['1', '1:*', '*:1', '0:3']) expect((await c.command(`SEARCH RETURN (PARTIAL ${bad}) ALL`)).status, bad).toBe('BAD');
  });
});

describe('results kept up to date (RFC 5267 §4.3)', () => {
  it('SEARCH RETURN (UPDATE): ADDTO and REMOVEFROM follow flag changes, EXPUNGE and new mail, from this session and others, until CANCELUPDATE', async () => {
    await c.command('CREATE Kept');
    for (let n = 1; n <= 5; n++) await c.append('Kept', message(n, `s${n}@example.org`));
    await c.command('SELECT Kept');
    const other = await RawImap.loggedIn(test.port('imap'), USER, PASSWORD);
    await other.command('SELECT Kept');
    try {
      const keptTag = c.nextTag();
      c.write(`${keptTag} SEARCH RETURN (UPDATE ALL) SEEN\r\n`);
      expect(esearch((await c.until(keptTag)).lines, keptTag)).toBe('');
      // this session's STORE: the update comes with its FETCH responses
      const store = await c.command('STORE 1,2,4 +FLAGS (\\Seen)');
      expect(esearch(store.lines, keptTag)).toBe('ADDTO (0 1:2,4)');
      // another session's STORE: told at the next command
      await other.command('STORE 1 -FLAGS (\\Seen)');
      expect(esearch((await c.command('NOOP')).lines, keptTag)).toBe('REMOVEFROM (0 1)');
      // expunged messages leave the result before their EXPUNGE, numbered as they were
      await other.command('STORE 2,3 +FLAGS (\\Deleted)');
      await other.command('EXPUNGE');
      const noop = await c.command('NOOP');
      const removal = noop.lines.findIndex((l) => l.includes('REMOVEFROM'));
      expect(noop.lines[removal]).toBe(`* ESEARCH (TAG "${keptTag}") REMOVEFROM (0 2)`);
      expect(noop.lines.slice(removal + 1, removal + 3)).toEqual(['* 2 EXPUNGE', '* 2 EXPUNGE']);
      // new mail that matches: EXISTS, then ADDTO with its number
      await other.append('Kept', message(6, 's6@example.org'), { flags: '\\Seen' });
      const arrived = await c.command('NOOP');
      const exists = arrived.lines.indexOf('* 4 EXISTS');
      expect(exists).toBeGreaterThanOrEqual(0);
      expect(arrived.lines.indexOf(`* ESEARCH (TAG "${keptTag}") ADDTO (0 4)`)).toBeGreaterThan(exists);
      // CANCELUPDATE: no more updates; an unknown tag is BAD
      expect((await c.command(`CANCELUPDATE "${keptTag}"`)).status).toBe('OK');
      const after = await c.command('STORE 1 +FLAGS (\\Seen)');
      expect(after.lines.some((l) => l.includes('ESEARCH'))).toBe(false);
      expect((await c.command(`CANCELUPDATE "${keptTag}"`)).status).toBe('BAD');
    } finally {
      other.close();
    }
  });

  it('UID SEARCH RETURN (UPDATE) reports UIDs; unselecting ends every kept result', async () => {
    await c.command('SELECT Kept');
    const uids = (await c.command('UID SEARCH ALL')).lines[0]!.split(' ').slice(2).map(Number);
    const tag = c.nextTag();
    c.write(`${tag} UID SEARCH RETURN (UPDATE) UNFLAGGED\r\n`);
    expect(esearch((await c.until(tag)).lines, tag)).toBe('UID');
    const store = await c.command(`UID STORE ${uids[0]} +FLAGS (\\Flagged)`);
    expect(esearch(store.lines, tag)).toBe(`UID REMOVEFROM (0 ${uids[0]})`);
    await c.command('UNSELECT');
    await c.command('SELECT Kept');
    const again = await c.command(`UID STORE ${uids[0]} -FLAGS (\\Flagged)`);
    expect(again.lines.some((l) => l.includes('ESEARCH'))).toBe(false);
  });

  it('SORT RETURN (UPDATE): ADDTO and REMOVEFROM carry positions in the sort order', async () => {
    await c.command('CREATE KeptSort');
    for (const [n, day] of [[1, 10], [2, 30], [3, 20]] as const) await c.append('KeptSort', message(n, `s${n}@example.org`), { date: `${day}-Mar-2026 10:00:00 +0000` });
    await c.command('SELECT KeptSort');
    const other = await RawImap.loggedIn(test.port('imap'), USER, PASSWORD);
    try {
      const tag = c.nextTag();
      c.write(`${tag} SORT RETURN (UPDATE ALL) (REVERSE ARRIVAL) UTF-8 UNDELETED\r\n`);
      expect(esearch((await c.until(tag)).lines, tag)).toBe('ALL 2:3,1');
      // arrived on the 25th: second in reverse arrival order
      await other.append('KeptSort', message(4, 's4@example.org'), { date: '25-Mar-2026 10:00:00 +0000' });
      expect(esearch((await c.command('NOOP')).lines, tag)).toBe('ADDTO (2 4)');
      // 3 (third now: 2, 4, 3, 1) leaves
      const store = await c.command('STORE 3 +FLAGS (\\Deleted)');
      expect(esearch(store.lines, tag)).toBe('REMOVEFROM (3 3)');
      const back = await c.command('STORE 3 -FLAGS (\\Deleted)');
      expect(esearch(back.lines, tag)).toBe('ADDTO (3 3)');
    } finally {
      other.close();
    }
  });
});

describe('SORT=DISPLAY (RFC 5957)', () => {
  it('DISPLAYFROM and DISPLAYTO sort by the display name, decoded, else the address', async () => {
    await c.command('CREATE Display');
    for (const [from, to] of [
      ['foo bar <a@b.example>', 'Zed <z@example.org>'],
      ['b@c.example', '=?iso-8859-1?q?Andr=E9?= <andre@example.org>'],
      ['d', 'm@example.org'],
      ['=?iso-8859-1?q?foo_aar?= <e@f.example>', '"" <b@example.org>'],
    ]) {
      await c.append('Display', `From: ${from}\r\nTo: ${to}\r\nSubject: s\r\n\r\nx\r\n`);
    }
    await c.command('SELECT Display');
    expect((await c.command('SORT (DISPLAYFROM) UTF-8 ALL')).lines[0]).toBe('* SORT 2 3 4 1');
    expect((await c.command('SORT (REVERSE DISPLAYFROM) UTF-8 ALL')).lines[0]).toBe('* SORT 1 4 3 2');
    expect((await c.command('SORT (DISPLAYTO) UTF-8 ALL')).lines[0]).toBe('* SORT 2 4 3 1');
  });
});

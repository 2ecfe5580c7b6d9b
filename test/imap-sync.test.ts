// Several parties on one mailbox: SMTP delivery seen byte-for-byte over IMAP and pushed during
// IDLE, two IMAP sessions seeing each other's flag changes and expunges, a POP3-style removal
// through the store, and \Recent given to one session only.
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestEngine, type TestEngine } from './helpers/engine.js';
import { withoutTraceHeaders } from './helpers/mail.js';
import { RawImap } from './imap-helpers.js';

let test: TestEngine;
const USER = 'bob@lanpost.lan';
const PASSWORD = 'correct horse battery';

async function sendMail(raw: string): Promise<void> {
  const transport = nodemailer.createTransport({ host: '127.0.0.1', port: test.port('smtp'), secure: false, ignoreTLS: true });
  await transport.sendMail({ envelope: { from: 'alice@example.org', to: [USER] }, raw });
  transport.close();
}

async function session(): Promise<RawImap> {
  const c = await RawImap.loggedIn(test.port('imap'), USER, PASSWORD);
  return c;
}

beforeAll(async () => {
  test = await startTestEngine({ users: { [USER]: PASSWORD } });
});
afterAll(() => test.stop());

describe('IMAP and SMTP delivery', () => {
  it('returns a message delivered by SMTP byte for byte', async () => {
    const raw = 'From: alice@example.org\r\nTo: bob@lanpost.lan\r\nSubject: bytes\r\nMessage-ID: <b@example.org>\r\n\r\n.dot line\r\nUTF-8: Grüße, 你好\r\n\r\n\r\nend\r\n';
    await sendMail(raw);
    const c = await session();
    await c.command('SELECT INBOX');
    const reply = await c.command('FETCH 1 (BODY.PEEK[] RFC822.SIZE)');
    const match = /BODY\[\] \{(\d+)\}\r\n/.exec(reply.lines[0]!)!;
    const start = reply.lines[0]!.indexOf(match[0]) + match[0].length;
    const body = Buffer.from(reply.lines[0]!.slice(start, start + Number(match[1])), 'latin1');
    expect(withoutTraceHeaders(body).toString('utf8')).toBe(raw);
    expect(reply.lines[0]).toContain(`RFC822.SIZE ${match[1]}`);
    c.close();
  });

  it('pushes EXISTS during IDLE when SMTP delivers, and ends IDLE on DONE', async () => {
    const c = await session();
    const selected = await c.command('SELECT INBOX');
    const exists = Number(/\* (\d+) EXISTS/.exec(selected.lines.join('\n'))![1]);
    c.write('i1 IDLE\r\n');
    expect(await c.readLine()).toBe('+ idling');
    await sendMail('From: alice@example.org\r\nSubject: while idle\r\n\r\nping\r\n');
    expect(await c.readLine()).toBe(`* ${exists + 1} EXISTS`);
    expect(await c.readLine()).toBe('* 1 RECENT');
    c.write('DONE\r\n');
    expect((await c.until('i1')).status).toBe('OK');
    c.close();
  });

  it('gives \\Recent to one session only', async () => {
    const a = await session();
    const b = await session();
    await a.command('SELECT INBOX');
    await b.command('SELECT INBOX');
    await sendMail('From: alice@example.org\r\nSubject: recent\r\n\r\nr\r\n');
    const first = await a.command('NOOP');
    const second = await b.command('NOOP');
    const recentA = Number(/\* (\d+) RECENT/.exec(first.lines.join('\n'))?.[1]);
    const recentB = Number(/\* (\d+) RECENT/.exec(second.lines.join('\n'))?.[1]);
    expect(recentA + recentB).toBe(1);
    a.close();
    b.close();
  });

  it('EXAMINE shows the \\Recent messages and leaves them \\Recent for the next SELECT (RFC 3501 §6.3.2)', async () => {
    const c = await session();
    await c.command('CREATE Examined');
    for (const text of ['one', 'two']) expect((await c.command(`APPEND Examined {${text.length}+}\r\n${text}`)).status).toBe('OK');
    const recent = (reply: { lines: string[] }) => reply.lines.find((l) => l.endsWith(' RECENT'));
    const examined = await c.command('EXAMINE Examined');
    expect([examined.text, recent(examined)]).toEqual([expect.stringMatching(/^\[READ-ONLY\]/), '* 2 RECENT']);
    expect((await c.command('FETCH 1 FLAGS')).lines).toEqual(['* 1 FETCH (FLAGS (\\Recent))']);
    expect(recent(await c.command('EXAMINE Examined'))).toBe('* 2 RECENT');
    expect(recent(await c.command('SELECT Examined'))).toBe('* 2 RECENT');
    expect(recent(await c.command('EXAMINE Examined'))).toBe('* 0 RECENT');
    c.close();
  });
});

describe('IMAP sessions seeing each other', () => {
  it('a flag change in one session shows as FETCH FLAGS in the other, at once during IDLE', async () => {
    const a = await session();
    const b = await session();
    await a.command('SELECT INBOX');
    await b.command('SELECT INBOX');
    b.write('i2 IDLE\r\n');
    await b.readLine();
    const store = await a.command('STORE 1 +FLAGS (\\Flagged)');
    expect(store.lines[0]).toMatch(/^\* 1 FETCH \(FLAGS \(.*\\Flagged.*\)\)$/);
    expect(await b.readLine()).toMatch(/^\* 1 FETCH \(FLAGS \([^)]*\\Flagged[^)]*\) UID 1\)$/);
    b.write('DONE\r\n');
    await b.until('i2');
    // outside IDLE: reported with the next command
    await a.command('STORE 1 -FLAGS (\\Flagged)');
    const noop = await b.command('NOOP');
    expect(noop.lines.some((l) => /^\* 1 FETCH \(FLAGS \(/.test(l) && !l.includes('\\Flagged'))).toBe(true);
    a.close();
    b.close();
  });

  it('announces a keyword another session set with FLAGS before any FETCH shows it, however many come together (RFC 3501 §7.2.6)', async () => {
    for (const n of [1, 2]) await sendMail(`From: alice@example.org\r\nSubject: labels ${n}\r\n\r\nx\r\n`);
    const a = await session();
    const b = await session();
    const count = Number(/\* (\d+) EXISTS/.exec((await a.command('SELECT INBOX')).lines.join('\n'))![1]);
    await b.command('SELECT INBOX');
    const last = `${count - 1}:${count}`;
    /** The index of the first line announcing `keyword` in FLAGS, and of the first FETCH carrying it. */
    const order = (lines: string[], keyword: string) => ({
      flags: lines.findIndex((l) => l.startsWith('* FLAGS (') && l.includes(keyword)),
      fetch: lines.findIndex((l) => / FETCH \(/.test(l) && l.includes(keyword)),
    });
    // two new keywords on two messages, reported together with b's next command
    await a.command(`STORE ${count - 1} +FLAGS ($LabelOne)`);
    await a.command(`STORE ${count} +FLAGS ($LabelTwo)`);
    const noop = (await b.command('NOOP')).lines;
    for (const keyword of ['$LabelOne', '$LabelTwo']) {
      const at = order(noop, keyword);
      expect(at.flags, `${keyword} in ${noop.join(' | ')}`).toBeGreaterThanOrEqual(0);
      expect(at.flags).toBeLessThan(at.fetch);
    }
    // a keyword b's own FETCH meets before any update told of it
    await a.command(`STORE ${last} +FLAGS ($LabelThree)`);
    const fetch = (await b.command(`FETCH ${last} FLAGS`)).lines;
    const at = order(fetch, '$LabelThree');
    expect(at.flags, fetch.join(' | ')).toBeGreaterThanOrEqual(0);
    expect(at.flags).toBeLessThan(at.fetch);
    expect(fetch.some((l) => l.startsWith('* OK [PERMANENTFLAGS (') && l.includes('$LabelThree'))).toBe(true);
    a.close();
    b.close();
  });

  it('an EXPUNGE in one session shows in the other, never in the middle of its FETCH/STORE/SEARCH', async () => {
    await sendMail('From: alice@example.org\r\nSubject: doomed\r\n\r\nx\r\n');
    const a = await session();
    const b = await session();
    const sel = await a.command('SELECT INBOX');
    const count = Number(/\* (\d+) EXISTS/.exec(sel.lines.join('\n'))![1]);
    await b.command('SELECT INBOX');
    await a.command(`STORE ${count} +FLAGS (\\Deleted)`);
    await a.command('EXPUNGE');
    const fetch = await b.command('FETCH 1 FLAGS');
    expect(fetch.lines.some((l) => l.endsWith('EXPUNGE'))).toBe(false);
    const search = await b.command('SEARCH ALL');
    expect(search.lines.some((l) => l.endsWith('EXPUNGE'))).toBe(false);
    const noop = await b.command('NOOP');
    expect(noop.lines).toContain(`* ${count} EXPUNGE`);
    a.close();
    b.close();
  });

  it('a FETCH of a message another session expunged answers what it still knows and ends NO [EXPUNGEISSUED]', async () => {
    await sendMail('From: alice@example.org\r\nSubject: kept\r\n\r\nkept\r\n');
    await sendMail('From: alice@example.org\r\nSubject: gone\r\n\r\ngone\r\n');
    const a = await session();
    const b = await session();
    const count = Number(/\* (\d+) EXISTS/.exec((await a.command('SELECT INBOX')).lines.join('\n'))![1]);
    await b.command('SELECT INBOX');
    const uid = /UID (\d+)/.exec((await b.command(`FETCH ${count} UID`)).lines[0]!)![1];
    await a.command(`STORE ${count} +FLAGS.SILENT (\\Deleted)`);
    await a.command('EXPUNGE');

    // RFC 3501 §7.4.1: b still counts the message until it is told; its UID is still known
    const byUid = await b.command(`FETCH ${count} UID`);
    expect([byUid.status, byUid.lines]).toEqual(['OK', [`* ${count} FETCH (UID ${uid})`]]);
    // its text is not: the answer must not look complete (RFC 5530)
    const body = await b.command(`FETCH ${count - 1}:${count} (UID BODY.PEEK[TEXT])`);
    expect(body.status).toBe('NO');
    expect(body.text).toMatch(/^\[EXPUNGEISSUED\] /);
    expect(body.lines).toEqual([expect.stringMatching(new RegExp(`^\\* ${count - 1} FETCH \\(UID \\d+ BODY\\[TEXT\\] \\{6\\}\\r\\nkept\\r\\n\\)$`))]);
    expect((await b.command('NOOP')).lines).toContain(`* ${count} EXPUNGE`);
    expect((await b.command(`FETCH ${count - 1} UID`)).status).toBe('OK');
    a.close();
    b.close();
  });

  it('a removal through the store (as POP3 does) shows as EXPUNGE during IDLE', async () => {
    await sendMail('From: alice@example.org\r\nSubject: pop me\r\n\r\nx\r\n');
    const c = await session();
    const sel = await c.command('SELECT INBOX');
    const count = Number(/\* (\d+) EXISTS/.exec(sel.lines.join('\n'))![1]);
    c.write('i3 IDLE\r\n');
    await c.readLine();
    const { mailStore, accounts } = test.engine.context;
    const user = accounts.findUser(USER)!;
    const inbox = mailStore.getMailbox(user.id, 'INBOX')!;
    const messages = mailStore.listMessages(inbox.id);
    mailStore.expunge(user, inbox, [messages[messages.length - 1]!]);
    expect(await c.readLine()).toBe(`* ${count} EXPUNGE`);
    c.write('DONE\r\n');
    expect((await c.until('i3')).status).toBe('OK');
    c.close();
  });

  it('APPEND into the selected mailbox reports EXISTS before the tagged OK', async () => {
    const c = await session();
    const sel = await c.command('SELECT INBOX');
    const count = Number(/\* (\d+) EXISTS/.exec(sel.lines.join('\n'))![1]);
    c.write('ap APPEND INBOX {20+}\r\nSubject: mine\r\n\r\nabc\r\n');
    const reply = await c.until('ap');
    expect(reply.lines).toContain(`* ${count + 1} EXISTS`);
    c.close();
  });
});

describe('IMAP idle timeout', () => {
  it('logs out a session idle for longer than the limit, with BYE', async () => {
    const own = await startTestEngine({ change: (s) => (s.limits.idleTimeoutSeconds = 60) });
    try {
      const settings = own.engine.context.settings();
      // the schema asks for at least 60 s; shorten it on the running engine for this test only
      (settings.limits as { idleTimeoutSeconds: number }).idleTimeoutSeconds = 1;
      const c = await RawImap.connect(own.port('imap'));
      expect(await c.readLine(5000)).toMatch(/^\* BYE Autologout/);
      c.close();
    } finally {
      await own.stop();
    }
  });
});

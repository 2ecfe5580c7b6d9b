// The POP3 session over real loopback sockets, byte for byte: states, replies, byte-stuffing,
// TOP, deletion only in UPDATE, IN-USE, AUTH PLAIN, bad input, idle timeout, transcript.
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TranscriptLine } from '../server/inspector/bus.js';
import { Flags, type MailboxChange } from '../server/store/mailstore.js';
import { startTestEngine, type TestEngine } from './helpers/engine.js';
import { deliver, inboxRows, Pop3Client, unstuff } from './helpers/pop3.js';

let test: TestEngine;
const PASSWORD = 'correct horse battery';
let userCount = 0;

/** A fresh mailbox per test, so tests do not see each other's mail or locks. */
async function freshUser(messages: Array<string | Buffer> = []): Promise<string> {
  const address = `user${++userCount}@lanpost.lan`;
  await test.addUser(address, PASSWORD);
  for (const message of messages) await deliver(test, address, message);
  return address;
}

async function loggedIn(address: string, service: 'pop3' | 'pop3s' = 'pop3'): Promise<Pop3Client> {
  const client = await Pop3Client.connect(test.port(service), service === 'pop3s' ? { tls: true, ca: fs.readFileSync(`${test.dataDir}/tls/ca.crt`) } : {});
  expect(await client.login(address, PASSWORD)).toMatch(/^\+OK/);
  return client;
}

/**
 * What RETR sends for a stored message, by the rule (RFC 1939 §3) rather than by the server's
 * code: every LF ends a line (a bare one gets its CR, counted in the size LIST and STAT give), a
 * line starting with "." gets another, and a last line without a line end gets CRLF.
 */
function onTheWire(message: Buffer): { body: Buffer; size: number } {
  const out: number[] = [];
  let size = message.length;
  for (let i = 0; i < message.length; i++) {
    const byte = message[i]!;
    if ((i === 0 || message[i - 1] === 10) && byte === 0x2e) out.push(0x2e);
    if (byte === 10 && (i === 0 || message[i - 1] !== 13)) {
      out.push(13);
      size++;
    }
    out.push(byte);
  }
  const last = message[message.length - 1];
  if (last !== undefined && last !== 10) out.push(...(last === 13 ? [10] : [13, 10]));
  return { body: Buffer.from(out), size };
}

beforeAll(async () => {
  test = await startTestEngine();
});
afterAll(() => test.stop());

describe('POP3 AUTHORIZATION', () => {
  it('greets, lists capabilities and refuses transaction commands before login', async () => {
    const client = await Pop3Client.connect(test.port('pop3'));
    expect(client.greeting).toMatch(/^\+OK /);
    const capa = await client.lines('CAPA');
    expect(capa.status).toMatch(/^\+OK/);
    expect(capa.lines).toEqual(
      expect.arrayContaining(['TOP', 'UIDL', 'USER', 'SASL PLAIN', 'STLS', 'RESP-CODES', 'AUTH-RESP-CODE', 'PIPELINING', 'IMPLEMENTATION LanPost']),
    );
    expect(await client.command('RETR 1')).toBe('-ERR RETR is not allowed in the AUTHORIZATION state');
    expect(await client.command('STAT')).toMatch(/^-ERR STAT is not allowed/);
    expect(await client.command('PASS nothing')).toBe('-ERR Send USER first');
    expect(await client.command('XYZZY')).toBe('-ERR Unknown command XYZZY');
    expect(await client.quit()).toMatch(/^\+OK/);
  });

  it('answers a wrong password with -ERR [AUTH] and a later right one with +OK', async () => {
    const address = await freshUser();
    const client = await Pop3Client.connect(test.port('pop3'));
    expect(await client.command(`USER ${address}`)).toMatch(/^\+OK/);
    expect(await client.command('PASS wrong password')).toBe('-ERR [AUTH] Authentication failed');
    expect(await client.command('PASS wrong password')).toBe('-ERR Send USER first'); // RFC 1939: USER again after a failed PASS
    expect(await client.command(`USER nobody@lanpost.lan`)).toMatch(/^\+OK/); // no hint whether a user exists
    expect(await client.command(`PASS ${PASSWORD}`)).toBe('-ERR [AUTH] Authentication failed');
    expect(await client.login(address, PASSWORD)).toBe('+OK Logged in, 0 messages');
    expect(await client.command('USER someone')).toBe('-ERR USER is not allowed in the TRANSACTION state');
    expect(await client.command('STLS')).toMatch(/^-ERR STLS is not allowed/);
    await client.quit();
  });

  it('logs in with AUTH PLAIN, with an initial response and with a continuation; * cancels', async () => {
    const address = await freshUser(['Subject: x\r\n\r\nx\r\n']);
    const plain = (authzid: string, user: string, pass: string) => Buffer.from(`${authzid}\0${user}\0${pass}`).toString('base64');

    const first = await Pop3Client.connect(test.port('pop3'));
    expect(await first.command('AUTH PLAIN')).toBe('+ ');
    expect(await first.command('*')).toBe('-ERR Authentication cancelled');
    expect(await first.command('AUTH PLAIN')).toBe('+ ');
    expect(await first.command('not base64!')).toMatch(/^-ERR \[AUTH\] Bad SASL response/);
    expect(await first.command(`AUTH PLAIN ${plain('', address, 'nope')}`)).toBe('-ERR [AUTH] Authentication failed');
    expect(await first.command(`AUTH PLAIN ${plain('admin@lanpost.lan', address, PASSWORD)}`)).toMatch(/^-ERR \[AUTH\]/);
    expect(await first.command('AUTH CRAM-MD5')).toMatch(/^-ERR Unsupported SASL mechanism/);
    expect(await first.command(`AUTH PLAIN ${plain(address, address, PASSWORD)}`)).toBe('+OK Logged in, 1 message');
    await first.quit();

    const second = await Pop3Client.connect(test.port('pop3'));
    const mechanisms = await second.lines('AUTH');
    expect(mechanisms.lines).toEqual(['PLAIN']);
    expect(await second.command('AUTH PLAIN')).toBe('+ ');
    expect(await second.command(plain('', address, PASSWORD))).toBe('+OK Logged in, 1 message');
    expect(await second.command('STAT')).toMatch(/^\+OK 1 \d+$/);
    await second.quit();
  });

  it('gives a second session for a mailbox in TRANSACTION -ERR [IN-USE], on 110 and 995 alike', async () => {
    const address = await freshUser(['Subject: a\r\n\r\na\r\n']);
    const first = await loggedIn(address);
    const second = await Pop3Client.connect(test.port('pop3'));
    expect(await second.login(address, PASSWORD)).toBe('-ERR [IN-USE] Mailbox is in use by another POP3 session; try again later');
    const secure = await Pop3Client.connect(test.port('pop3s'), { tls: true, ca: fs.readFileSync(`${test.dataDir}/tls/ca.crt`) });
    expect(await secure.login(address, PASSWORD)).toMatch(/^-ERR \[IN-USE\]/);
    await first.quit();
    expect(await second.login(address, PASSWORD)).toBe('+OK Logged in, 1 message');
    await second.quit();
    await secure.quit();
  });
});

describe('POP3 TRANSACTION', () => {
  it('RETR sends every message byte-exact with CRLF line ends and byte-stuffed dots', async () => {
    const crlf = Buffer.concat([
      Buffer.from('From: a@example.org\r\nSubject: dots\r\n\r\n.leading dot\r\n..two dots\r\n.\r\nUTF-8: Grüße 你好\r\n'),
      Buffer.from([0x38, 0x62, 0x69, 0x74, 0xe9, 0xff, 0x0d, 0x0a]),
    ]);
    const bareLf = 'From: b@example.org\nSubject: written by another MTA\n\n.dot\nline two\n';
    const noFinalNewline = 'Subject: no final line end\r\n\r\nlast line';
    const address = await freshUser([crlf, bareLf, noFinalNewline]);
    const client = await loggedIn(address);

    const list = await client.lines('LIST');
    const expected = [crlf, Buffer.from(bareLf.replace(/\n/g, '\r\n')), Buffer.from(`${noFinalNewline}`)];
    expect(list.lines).toEqual(expected.map((m, i) => `${i + 1} ${m.length}`));
    expect(await client.command('STAT')).toBe(`+OK 3 ${expected.reduce((a, m) => a + m.length, 0)}`);

    const first = await client.multi('RETR 1');
    expect(first.status).toBe(`+OK ${crlf.length} octets`);
    expect(first.body.toString('latin1')).toContain('\r\n..leading dot\r\n...two dots\r\n..\r\n');
    expect(unstuff(first.body).equals(crlf)).toBe(true);

    const second = await client.multi('RETR 2');
    expect(unstuff(second.body).toString()).toBe(bareLf.replace(/\n/g, '\r\n'));
    expect(second.body.includes(Buffer.from('\r\n..dot\r\n'))).toBe(true);

    const third = await client.multi('RETR 3');
    expect(unstuff(third.body).toString()).toBe(`${noFinalNewline}\r\n`);
    await client.quit();
  });

  it('streams a big message (several MB) byte-exact', async () => {
    const lines: string[] = ['Subject: big', ''];
    for (let i = 0; i < 60_000; i++) lines.push(i % 7 === 0 ? `.line ${i} starts with a dot` : `line ${i} of a big message, some filler text`);
    const big = Buffer.from(`${lines.join('\r\n')}\r\n`);
    expect(big.length).toBeGreaterThan(2_000_000);
    const address = await freshUser([big]);
    const client = await loggedIn(address);
    expect(await client.command('LIST 1')).toBe(`+OK 1 ${big.length}`);
    const reply = await client.multi('RETR 1');
    expect(reply.status).toBe(`+OK ${big.length} octets`);
    expect(unstuff(reply.body).equals(big)).toBe(true);
    const top = await client.multi('TOP 1 2');
    expect(unstuff(top.body).toString()).toBe('Subject: big\r\n\r\n.line 0 starts with a dot\r\nline 1 of a big message, some filler text\r\n');
    await client.quit();
  });

  it('RETR and LIST agree with the rule for every shape of line ends and dots, small (read whole) or big (streamed), measured or not', async () => {
    const shapes = ['', '.', '\n', '\r', '\r\n', '.\r\n', '..\n', 'a\rb\n', '\n.\n.\r\n..', 'x\r', 'a\n.b\r\n.c\n\n.\n', '\r\n.\r\n', '.\n.\r'];
    let seed = 7;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (let i = 0; i < 60; i++) shapes.push(Array.from({ length: Math.floor(random() * 40) }, () => 'a.\r\n'[Math.floor(random() * 4)]).join(''));
    const messages: Buffer[] = shapes.map((shape) => Buffer.from(shape, 'latin1'));
    const chunk = 'Subject: big\n.dot after a bare LF\r\n.dot after CRLF\r\nplain line\n\r\n..two\r';
    messages.push(Buffer.from(chunk.repeat(Math.ceil(300_000 / chunk.length)) + 'no line end at the end', 'latin1')); // streamed (over SMALL_MESSAGE_BYTES)
    messages.push(Buffer.from(chunk.replace(/\r?\n/g, '\r\n').repeat(Math.ceil(300_000 / chunk.length)), 'latin1'));
    const address = await freshUser(messages);
    const expected = messages.map(onTheWire);
    const client = await loggedIn(address);
    // First RETR before anything measured the messages, then LIST (now remembered), then RETR again.
    for (const [i, want] of expected.entries()) {
      const reply = await client.multi(`RETR ${i + 1}`);
      expect(reply.status, `message ${i + 1}: ${JSON.stringify(shapes[i]?.slice(0, 40))}`).toBe(`+OK ${want.size} octets`);
      expect(reply.body.equals(want.body), `message ${i + 1}: ${JSON.stringify(shapes[i]?.slice(0, 40))}`).toBe(true);
    }
    expect((await client.lines('LIST')).lines).toEqual(expected.map((want, i) => `${i + 1} ${want.size}`));
    for (const [i, want] of expected.entries()) {
      const reply = await client.multi(`RETR ${i + 1}`);
      expect(reply.status).toBe(`+OK ${want.size} octets`);
      expect(reply.body.equals(want.body), `message ${i + 1} again`).toBe(true);
    }
    expect(await client.command('STAT')).toBe(`+OK ${messages.length} ${expected.reduce((a, want) => a + want.size, 0)}`);
    await client.quit();
  });

  it('TOP n 0 gives the header and the blank line; TOP n k adds k body lines', async () => {
    const message = 'From: a@example.org\r\nSubject: top\r\n  folded\r\n\r\nbody 1\r\n.body 2\r\nbody 3\r\n';
    const address = await freshUser([message, 'Subject: lf\n\nb1\nb2\n']);
    const client = await loggedIn(address);
    const zero = await client.multi('TOP 1 0');
    expect(zero.status).toMatch(/^\+OK/);
    expect(zero.body.toString()).toBe('From: a@example.org\r\nSubject: top\r\n  folded\r\n\r\n');
    const two = await client.multi('TOP 1 2');
    expect(two.body.toString()).toBe('From: a@example.org\r\nSubject: top\r\n  folded\r\n\r\nbody 1\r\n..body 2\r\n');
    const many = await client.multi('TOP 1 99');
    expect(unstuff(many.body).toString()).toBe(message);
    expect((await client.multi('TOP 2 1')).body.toString()).toBe('Subject: lf\r\n\r\nb1\r\n');
    expect(await client.command('TOP 1')).toBe('-ERR Syntax: TOP msg n');
    expect(await client.command('TOP 9 0')).toBe('-ERR No such message 9');
    await client.quit();
  });

  it('UIDL gives each message its guid, shared with the store (and so with IMAP)', async () => {
    const address = await freshUser(['Subject: 1\r\n\r\n1\r\n', 'Subject: 2\r\n\r\n2\r\n']);
    const rows = inboxRows(test, address);
    const client = await loggedIn(address);
    const uidl = await client.lines('UIDL');
    expect(uidl.lines).toEqual(rows.map((row, i) => `${i + 1} ${row.guid}`));
    for (const row of rows) expect(row.guid).toMatch(/^[\x21-\x7e]{1,70}$/);
    expect(await client.command('UIDL 2')).toBe(`+OK 2 ${rows[1]!.guid}`);
    await client.quit();
  });

  it('DELE marks, RSET unmarks, and nothing is removed before QUIT', async () => {
    const address = await freshUser(['Subject: 1\r\n\r\n1\r\n', 'Subject: 2\r\n\r\n2\r\n']);
    const client = await loggedIn(address);
    expect(await client.command('DELE 1')).toBe('+OK Message 1 deleted');
    expect(await client.command('DELE 1')).toBe('-ERR Message 1 already deleted');
    expect(await client.command('RETR 1')).toBe('-ERR Message 1 already deleted');
    expect(await client.command('STAT')).toMatch(/^\+OK 1 /);
    expect((await client.lines('LIST')).lines).toHaveLength(1);
    expect(inboxRows(test, address)).toHaveLength(2);
    expect(await client.command('RSET')).toMatch(/^\+OK Maildrop has 2 messages/);
    expect(await client.command('STAT')).toMatch(/^\+OK 2 /);
    expect(await client.quit()).toBe('+OK LanPost POP3 server signing off (0 messages deleted)');
    expect(inboxRows(test, address)).toHaveLength(2);
  });

  it('a dropped connection deletes nothing and frees the mailbox', async () => {
    const address = await freshUser(['Subject: 1\r\n\r\n1\r\n', 'Subject: 2\r\n\r\n2\r\n']);
    const client = await loggedIn(address);
    expect(await client.command('DELE 1')).toMatch(/^\+OK/);
    expect(await client.command('DELE 2')).toMatch(/^\+OK/);
    client.destroy();
    const next = await Pop3Client.connect(test.port('pop3'));
    // the lock goes when the server sees the connection close; allow it a moment
    let reply = await next.login(address, PASSWORD);
    for (let i = 0; i < 50 && reply.includes('IN-USE'); i++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      reply = await next.login(address, PASSWORD);
    }
    expect(reply).toBe('+OK Logged in, 2 messages');
    expect(inboxRows(test, address)).toHaveLength(2);
    await next.quit();
  });

  it('QUIT removes the deleted messages through the store, which announces it (IMAP sees it)', async () => {
    const address = await freshUser(['Subject: keep\r\n\r\n1\r\n', 'Subject: delete\r\n\r\n2\r\n', 'Subject: keep too\r\n\r\n3\r\n']);
    const before = inboxRows(test, address);
    const changes: MailboxChange[] = [];
    const listener = (change: MailboxChange) => changes.push(change);
    test.engine.context.mailStore.changes.on('change', listener);
    try {
      const client = await loggedIn(address);
      expect(await client.command('DELE 2')).toMatch(/^\+OK/);
      expect(await client.quit()).toBe('+OK LanPost POP3 server signing off (1 message deleted)');
    } finally {
      test.engine.context.mailStore.changes.off('change', listener);
    }
    const after = inboxRows(test, address);
    expect(after.map((r) => r.guid)).toEqual([before[0]!.guid, before[2]!.guid]);
    expect(changes).toContainEqual({ mailboxId: before[1]!.mailbox_id, kind: 'expunge', uids: [before[1]!.uid] });
    const user = test.engine.context.accounts.findUser(address)!;
    const inbox = test.engine.context.mailStore.getMailbox(user.id, 'INBOX')!;
    expect(fs.existsSync(test.engine.context.mailStore.files(user, inbox).path(before[1]!))).toBe(false);
  });

  it('RETR marks a message \\Seen at QUIT (TOP does not)', async () => {
    const address = await freshUser(['Subject: 1\r\n\r\n1\r\n', 'Subject: 2\r\n\r\n2\r\n']);
    const client = await loggedIn(address);
    await client.multi('RETR 1');
    await client.multi('TOP 2 0');
    expect(inboxRows(test, address).map((r) => r.flags)).toEqual(['', '']);
    await client.quit();
    expect(inboxRows(test, address).map((r) => r.flags)).toEqual(['\\Seen', '']);
  });

  it('\\Seen at QUIT keeps the flags another session set meanwhile, or before the session began', async () => {
    const address = await freshUser(['Subject: 1\r\n\r\n1\r\n', 'Subject: 2\r\n\r\n2\r\n']);
    const { accounts, mailStore } = test.engine.context;
    const user = accounts.findUser(address)!;
    const inbox = mailStore.getMailbox(user.id, 'INBOX')!;
    const setFlags = (n: number, flags: string[]) => mailStore.setFlags(user, inbox, [{ message: inboxRows(test, address)[n - 1]!, flags: Flags.from(flags) }]);

    const first = await loggedIn(address);
    await first.multi('RETR 1');
    setFlags(1, ['\\Flagged']); // as an IMAP STORE would, while POP3 holds its snapshot
    await first.quit();
    expect(inboxRows(test, address).map((r) => r.flags)).toEqual(['\\Flagged \\Seen', '']);

    setFlags(2, ['\\Answered']); // between two POP3 sessions
    const second = await loggedIn(address);
    await second.multi('RETR 2');
    await second.quit();
    expect(inboxRows(test, address).map((r) => r.flags)).toEqual(['\\Flagged \\Seen', '\\Answered \\Seen']);
  });

  it('keeps message numbers stable while new mail arrives, and says so when IMAP removed one', async () => {
    const address = await freshUser(['Subject: 1\r\n\r\n1\r\n', 'Subject: 2\r\n\r\n2\r\n']);
    const client = await loggedIn(address);
    const statBefore = await client.command('STAT');
    await deliver(test, address, 'Subject: 3\r\n\r\nnew meanwhile\r\n');
    expect(await client.command('STAT')).toBe(statBefore);
    expect(await client.command('RETR 3')).toBe('-ERR No such message 3');
    // another session (IMAP EXPUNGE) removes message 1 under our feet
    const { accounts, mailStore } = test.engine.context;
    const user = accounts.findUser(address)!;
    const inbox = mailStore.getMailbox(user.id, 'INBOX')!;
    mailStore.expunge(user, inbox, [inboxRows(test, address)[0]!]);
    expect(await client.command('RETR 1')).toBe('-ERR Message 1 was deleted by another session');
    expect((await client.multi('RETR 2')).status).toMatch(/^\+OK/);
    expect(await client.command('DELE 1')).toMatch(/^\+OK/);
    expect(await client.quit()).toMatch(/^\+OK .*\(0 messages deleted\)/);
    const next = await loggedIn(address);
    expect(await next.command('STAT')).toMatch(/^\+OK 2 /);
    await next.quit();
  });

  it('answers pipelined commands in order (RFC 2449 PIPELINING)', async () => {
    const address = await freshUser(['Subject: 1\r\n\r\n1\r\n', 'Subject: 2\r\n\r\n2\r\n']);
    const client = await Pop3Client.connect(test.port('pop3'));
    client.send(`USER ${address}\r\nPASS ${PASSWORD}\r\nSTAT\r\nLIST\r\nRETR 2\r\nNOOP\r\nBOGUS\r\nQUIT\r\n`);
    expect(await client.readLine()).toMatch(/^\+OK/);
    expect(await client.readLine()).toBe('+OK Logged in, 2 messages');
    expect(await client.readLine()).toMatch(/^\+OK 2 \d+$/);
    expect(await client.readLine()).toMatch(/^\+OK 2 messages/);
    expect((await client.readBody()).toString()).toMatch(/^1 \d+\r\n2 \d+\r\n$/);
    expect(await client.readLine()).toMatch(/^\+OK \d+ octets$/);
    expect((await client.readBody()).toString()).toBe('Subject: 2\r\n\r\n2\r\n');
    expect(await client.readLine()).toBe('+OK');
    expect(await client.readLine()).toBe('-ERR Unknown command BOGUS');
    expect(await client.readLine()).toMatch(/^\+OK .*signing off/);
    await client.closed();
  });
});

describe('POP3 bad input and limits', () => {
  it('answers an over-long line with -ERR and carries on', async () => {
    const address = await freshUser(['Subject: 1\r\n\r\n1\r\n']);
    const client = await loggedIn(address);
    const limit = test.engine.context.settings().limits.lineLengthBytes;
    expect(await client.command(`NOOP ${'x'.repeat(limit + 10)}`)).toBe(`-ERR Line too long (the limit is ${limit} bytes); it was ignored`);
    // a long line trickling in without a line end gets exactly one -ERR
    client.send(`RETR 1${'y'.repeat(limit)}`);
    expect(await client.readLine()).toMatch(/^-ERR Line too long/);
    client.send('z'.repeat(3 * limit));
    client.send('\r\nNOOP\r\n');
    expect(await client.readLine()).toBe('+OK');
    expect(await client.command('STAT')).toMatch(/^\+OK 1 /);
    await client.quit();
  });

  it('closes the session at the bad command that reaches limits.badCommandsPerSession, as IMAP does', async () => {
    const limit = test.engine.context.settings().limits.badCommandsPerSession;
    const client = await Pop3Client.connect(test.port('pop3'));
    client.send('BAD\r\n'.repeat(limit + 1));
    for (let i = 0; i < limit; i++) expect(await client.readLine()).toBe('-ERR Unknown command BAD');
    expect(await client.readLine()).toBe('-ERR Too many bad commands; closing the connection');
    await client.closed();
  });

  it('closes an idle session after the idle timeout, deleting nothing', async () => {
    const address = await freshUser(['Subject: 1\r\n\r\n1\r\n']);
    // The schema asks for at least 60 s; the live settings object is lowered for this test only.
    const limits = test.engine.context.settings().limits;
    const saved = limits.idleTimeoutSeconds;
    limits.idleTimeoutSeconds = 1;
    let client: Pop3Client;
    try {
      client = await loggedIn(address);
    } finally {
      limits.idleTimeoutSeconds = saved;
    }
    expect(await client.command('DELE 1')).toMatch(/^\+OK/);
    expect(await client.readLine()).toBe('-ERR Disconnected for inactivity');
    await client.closed();
    expect(inboxRows(test, address)).toHaveLength(1);
    const next = await loggedIn(address);
    await next.quit();
  });

  it('rejects bad message numbers and arguments', async () => {
    const address = await freshUser(['Subject: 1\r\n\r\n1\r\n']);
    const client = await loggedIn(address);
    expect(await client.command('RETR')).toBe('-ERR Syntax: RETR msg');
    expect(await client.command('RETR x')).toBe('-ERR Syntax: RETR msg');
    expect(await client.command('RETR 0')).toBe('-ERR No such message 0');
    expect(await client.command('RETR 2')).toBe('-ERR No such message 2');
    expect(await client.command('LIST 1 2')).toBe('-ERR Syntax: LIST [msg]');
    expect(await client.command('DELE -1')).toBe('-ERR Syntax: DELE msg');
    expect(await client.command('retr 1')).toMatch(/^\+OK/); // keywords are case-insensitive
    await client.readBody();
    await client.quit();
  });
});

describe('POP3 transcript', () => {
  it('shows C:/S: lines with the password redacted and message bodies abbreviated', async () => {
    const address = await freshUser(['Subject: secret body\r\n\r\nthe body text\r\n']);
    const lines: TranscriptLine[] = [];
    const listener = (line: TranscriptLine) => lines.push(line);
    test.engine.context.inspector.on('line', listener);
    try {
      const client = await loggedIn(address);
      await client.multi('RETR 1');
      await client.quit();
      const plain = await Pop3Client.connect(test.port('pop3'));
      await plain.command(`AUTH PLAIN ${Buffer.from(`\0${address}\0${PASSWORD}`).toString('base64')}`);
      await plain.quit();
    } finally {
      test.engine.context.inspector.off('line', listener);
    }
    const texts = lines.filter((l) => l.service === 'pop3').map((l) => `${l.direction}: ${l.text}`);
    expect(texts).toContain('C: PASS ***');
    expect(texts).toContain('C: AUTH PLAIN ***');
    expect(texts).toContain(`C: USER ${address}`);
    expect(texts).toContain('C: RETR 1');
    expect(texts.some((t) => /^S: <message \d+ bytes>$/.test(t))).toBe(true);
    const all = texts.join('\n');
    expect(all).not.toContain(PASSWORD);
    expect(all).not.toContain(Buffer.from(`\0${address}\0${PASSWORD}`).toString('base64'));
    expect(all).not.toContain('the body text');
  });
});

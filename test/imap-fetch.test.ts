// FETCH: ENVELOPE and BODYSTRUCTURE for the MIME shapes clients meet (compared with what
// Dovecot 2.3 answers for the same messages), every section form, partial fetches, \Seen
// side effects, macros, and a large FETCH streaming with bounded memory.
import { ImapFlow } from 'imapflow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestEngine, type TestEngine } from './helpers/engine.js';
import { LineClient } from './helpers/line-client.js';
import { ALTERNATIVE, ENCODED, EXPECTED, MIXED, NESTED, PLAIN } from './imap-fixtures.js';
import { RawImap } from './imap-helpers.js';

let test: TestEngine;
let c: RawImap;
const USER = 'bob@lanpost.lan';
const PASSWORD = 'correct horse battery';

async function append(client: RawImap, mailbox: string, message: string, extra = ''): Promise<void> {
  const bytes = Buffer.from(message);
  client.write(`a APPEND ${mailbox}${extra} {${bytes.length}+}\r\n`);
  client.write(Buffer.concat([bytes, Buffer.from('\r\n')]));
  const reply = await client.until('a');
  if (reply.status !== 'OK') throw new Error(reply.raw);
}

beforeAll(async () => {
  test = await startTestEngine({ users: { [USER]: PASSWORD } });
  c = await RawImap.loggedIn(test.port('imap'), USER, PASSWORD);
  await c.command('CREATE Shapes');
  for (const message of [PLAIN, ALTERNATIVE, MIXED, NESTED, ENCODED]) await append(c, 'Shapes', message, ' "28-Nov-2026 10:00:00 +0100"');
  await c.command('SELECT Shapes');
});
afterAll(async () => {
  c.close();
  await test.stop();
});

/** One test per [seq, FETCH item, the section's bytes] of the selected mailbox. */
function sectionTests(cases: Array<[number, string, string]>, messageName: (seq: number) => string): void {
  for (const [seq, item, expected] of cases) {
    it(`${item} of ${messageName(seq)}`, async () => {
      const reply = await c.command(`FETCH ${seq} (${item})`);
      expect(reply.status).toBe('OK');
      const label = item.replace('.PEEK', '').replace(/<(\d+)\.\d+>$/, '<$1>').replace('(Subject FROM)', '(SUBJECT FROM)');
      const bytes = Buffer.from(expected, 'utf8');
      expect(reply.lines[0]).toBe(`* ${seq} FETCH (${label} {${bytes.length}}\r\n${bytes.toString('latin1')})`);
    });
  }
}

describe('IMAP ENVELOPE, BODY and BODYSTRUCTURE', () => {
  for (const [seq, name] of [[1, 'plain text with a group address'], [2, 'multipart/alternative'], [3, 'multipart/mixed with attachments'], [4, 'nested message/rfc822'], [5, 'RFC 2047 words and RFC 2231 parameters']] as const) {
    it(`${name}`, async () => {
      const reply = await c.command(`FETCH ${seq} (ENVELOPE BODYSTRUCTURE BODY)`);
      expect(reply.status).toBe('OK');
      const expected = EXPECTED[seq]!;
      expect(reply.lines[0]).toBe(`* ${seq} FETCH (ENVELOPE ${expected.envelope} BODYSTRUCTURE ${expected.bodystructure} BODY ${expected.body})`);
    });
  }

  it('imapflow reads the structures (decoded words, RFC 2231 file names)', async () => {
    const client = new ImapFlow({ host: '127.0.0.1', port: test.port('imap'), secure: false, auth: { user: USER, pass: PASSWORD }, logger: false, tls: { rejectUnauthorized: false } });
    await client.connect();
    await client.mailboxOpen('Shapes');
    const encoded = await client.fetchOne('5', { envelope: true, bodyStructure: true });
    expect(encoded && encoded.envelope?.subject).toBe('Grüße aus Köln 你好');
    expect(encoded && encoded.envelope?.from?.[0]?.name).toBe('张三');
    const attachment = encoded ? encoded.bodyStructure?.childNodes?.[1] : undefined;
    expect(attachment?.dispositionParameters?.filename).toBe('报告.pdf');
    const nested = await client.fetchOne('4', { bodyStructure: true });
    expect(nested && nested.bodyStructure?.childNodes?.[1]?.type).toBe('message/rfc822');
    expect(nested && nested.bodyStructure?.childNodes?.[1]?.childNodes?.[0]?.childNodes?.[0]?.part).toBe('2.1');
    await client.logout();
  });
});

describe('IMAP BODY[section]<partial>', () => {
  const cases: Array<[number, string, string]> = [
    [4, 'BODY.PEEK[1]', 'Forwarding this.'],
    [4, 'BODY.PEEK[1.MIME]', 'Content-Type: text/plain; charset=us-ascii\r\n\r\n'],
    [4, 'BODY.PEEK[2.MIME]', 'Content-Type: message/rfc822\r\nContent-Disposition: attachment; filename="lunch.eml"\r\n\r\n'],
    [4, 'BODY.PEEK[2.1]', 'Noon?'],
    [4, 'BODY.PEEK[2.2]', '<p>Noon?</p>'],
    [4, 'BODY.PEEK[2.HEADER.FIELDS (SUBJECT)]', 'Subject: Lunch on Friday?\r\n\r\n'],
    [4, 'BODY.PEEK[2.TEXT]', '--in\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\nNoon?\r\n--in\r\nContent-Type: text/html; charset=us-ascii\r\n\r\n<p>Noon?</p>\r\n--in--'],
    [4, 'BODY.PEEK[HEADER.FIELDS (Subject FROM)]', 'From: carol@example.net\r\nSubject: Fwd: Lunch on Friday?\r\n\r\n'],
    [3, 'BODY.PEEK[1.1]', 'See the attachments.'],
    [3, 'BODY.PEEK[1.MIME]', 'Content-Type: multipart/alternative; boundary="inner"\r\n\r\n'],
    [3, 'BODY.PEEK[3.MIME]', 'Content-Type: application/pdf; name="notes.pdf"\r\nContent-Transfer-Encoding: base64\r\nContent-Disposition: attachment; filename="notes.pdf"; size=12\r\nContent-Language: en\r\n\r\n'],
    [3, 'BODY.PEEK[2]', 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=='],
    [3, 'BODY.PEEK[1]', '--inner\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nSee the attachments.\r\n--inner\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<b>See the attachments.</b>\r\n--inner--\r\n'],
    [1, 'BODY.PEEK[1]', 'Shall we meet at noon?\r\nGrüße, Alice\r\n'],
    [1, 'BODY.PEEK[TEXT]<6.4>', 'we m'],
    [1, 'BODY.PEEK[TEXT]<1000.4>', ''],
  ];
  sectionTests(cases, (seq) => `message ${seq}`);

  it('HEADER.FIELDS.NOT leaves the named fields out', async () => {
    const reply = await c.command('FETCH 2 (BODY.PEEK[HEADER.FIELDS.NOT (Content-Type MIME-Version Message-ID Date)])');
    expect(reply.lines[0]).toContain('From: "Bob" <bob@lanpost.lan>\r\nTo: alice@example.org\r\nSubject: Report\r\n\r\n');
    expect(reply.lines[0]).not.toContain('Content-Type');
  });

  it('RFC822.HEADER, RFC822.TEXT, RFC822.SIZE, INTERNALDATE, UID and the macros', async () => {
    const reply = await c.command('FETCH 1 (RFC822.HEADER RFC822.SIZE INTERNALDATE UID)');
    expect(reply.lines[0]).toMatch(/^\* 1 FETCH \(RFC822\.HEADER \{355\}\r\nFrom: Alice/);
    expect(reply.lines[0]).toContain('RFC822.SIZE 395 INTERNALDATE "28-Nov-2026 09:00:00 +0000" UID 1)');
    const fast = await c.command('FETCH 2 FAST');
    expect(fast.lines[0]).toMatch(/^\* 2 FETCH \(FLAGS \(.*\) INTERNALDATE ".*" RFC822\.SIZE 604\)$/);
    const all = await c.command('FETCH 2 ALL');
    expect(all.lines[0]).toContain('ENVELOPE ("Sat, 28 Nov');
    const full = await c.command('FETCH 2 FULL');
    expect(full.lines[0]).toContain('BODY (("text" "plain"');
    const bad = await c.command('FETCH 2 (BODY[1.MIME.X])');
    expect(bad.status).toBe('BAD');
    const tooFar = await c.command('FETCH 99 FLAGS');
    expect(tooFar.status).toBe('BAD');
  });

  it('BODY[] sets \\Seen and reports it; BODY.PEEK[] and EXAMINE do not', async () => {
    await c.command('STORE 2 -FLAGS (\\Seen)');
    const peek = await c.command('FETCH 2 (BODY.PEEK[HEADER])');
    expect(peek.lines[0]).not.toContain('FLAGS');
    const read = await c.command('FETCH 2 (BODY[TEXT])');
    expect(read.lines[0]).toMatch(/FLAGS \([^)]*\\Seen/);
    const rfc822 = await c.command('FETCH 3 RFC822');
    expect(rfc822.lines[0]).toMatch(/^\* 3 FETCH \(RFC822 \{970\}/);
    expect(rfc822.lines[0]).toMatch(/FLAGS \([^)]*\\Seen/);
    await c.command('STORE 1 -FLAGS (\\Seen)');
    await c.command('EXAMINE Shapes');
    const examined = await c.command('FETCH 1 (BODY[TEXT] FLAGS)');
    expect(examined.lines[0]).not.toContain('\\Seen');
    await c.command('SELECT Shapes');
  });
});

describe('IMAP part numbers of unusual shapes', () => {
  // a message that is nothing but a forwarded message: its body, part 1, is the whole enclosed message
  const INNER = 'From: dan@example.com\r\nSubject: Inner\r\nContent-Type: multipart/alternative; boundary="alt"\r\n\r\n--alt\r\nContent-Type: text/plain\r\n\r\nplain words\r\n--alt\r\nContent-Type: text/html\r\n\r\n<p>html words</p>\r\n--alt--\r\n';
  const WRAPPED = `From: erin@example.com\r\nSubject: Wrapped\r\nMIME-Version: 1.0\r\nContent-Type: message/rfc822\r\n\r\n${INNER}`;
  // spaces and a tab after the boundaries: transport padding, to be ignored (RFC 2046 §5.1.1)
  const PADDED = 'From: erin@example.com\r\nSubject: Padded\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="pad"\r\n\r\n--pad  \r\nContent-Type: text/plain\r\n\r\nfirst\r\n--pad\t\r\nContent-Type: text/plain\r\n\r\nsecond\r\n--pad-- \r\n';

  beforeAll(async () => {
    await c.command('CREATE Shapes2');
    for (const message of [WRAPPED, PADDED]) await append(c, 'Shapes2', message);
    await c.command('SELECT Shapes2');
  });
  afterAll(() => c.command('SELECT Shapes'));

  const cases: Array<[number, string, string]> = [
    [1, 'BODY.PEEK[1]', INNER],
    [1, 'BODY.PEEK[1.HEADER]', 'From: dan@example.com\r\nSubject: Inner\r\nContent-Type: multipart/alternative; boundary="alt"\r\n\r\n'],
    [1, 'BODY.PEEK[1.HEADER.FIELDS (SUBJECT)]', 'Subject: Inner\r\n\r\n'],
    [1, 'BODY.PEEK[1.1]', 'plain words'],
    [1, 'BODY.PEEK[1.2.MIME]', 'Content-Type: text/html\r\n\r\n'],
    [2, 'BODY.PEEK[1]', 'first'],
    [2, 'BODY.PEEK[2]', 'second'],
  ];
  sectionTests(cases, (seq) => (seq === 1 ? 'a message that wraps a message' : 'a multipart with padded boundaries'));

  it('BODYSTRUCTURE of both', async () => {
    const reply = await c.command('FETCH 1:2 BODY');
    expect(reply.lines[0]).toMatch(/^\* 1 FETCH \(BODY \("message" "rfc822" NIL NIL NIL "7bit" \d+ \(.*"Inner".*\) \(\("text" "plain" .*\)\("text" "html" .*\) "alternative"\) \d+\)\)$/);
    expect(reply.lines[1]).toBe('* 2 FETCH (BODY (("text" "plain" NIL NIL NIL "7bit" 5 0)("text" "plain" NIL NIL NIL "7bit" 6 0) "mixed"))');
  });
});

describe('IMAP FETCH of a message with NUL bytes', () => {
  /** Delivers over SMTP (port 25) a message whose DATA carries NULs. */
  async function deliverWithNuls(body: string): Promise<void> {
    const smtp = await LineClient.connect(test.port('smtp'));
    await smtp.smtpReply();
    for (const line of ['EHLO client.example', 'MAIL FROM:<ann@example.org>', `RCPT TO:<${USER}>`]) expect((await smtp.command(line)).code).toBeLessThan(300);
    expect((await smtp.command('DATA')).code).toBe(354);
    smtp.write(`From: ann@example.org\r\nSubject: nul\0here\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n\r\n${body}\r\n--b--\r\n.\r\n`);
    expect((await smtp.smtpReply()).code).toBe(250);
    await smtp.command('QUIT');
  }

  /** The literals of a FETCH response line, as sent (one character a byte). */
  function literals(line: string): string[] {
    const out: string[] = [];
    const pattern = /\{(\d+)\}\r\n/g;
    for (let match; (match = pattern.exec(line)); ) {
      const start = match.index + match[0].length;
      out.push(line.slice(start, start + Number(match[1])));
      pattern.lastIndex = start + Number(match[1]);
    }
    return out;
  }

  it('replaces NUL with 0x80 in every section, RFC822 form and ENVELOPE string, sizes unchanged (RFC 3501 §4.3)', async () => {
    await deliverWithNuls('a\0b\0\0c');
    // a message read through the path for large files too
    await deliverWithNuls(`${'0123456789abcdef'.repeat(20_000)}\0end`);
    const own = await RawImap.loggedIn(test.port('imap'), USER, PASSWORD);
    await own.command('EXAMINE INBOX');
    for (const seq of [1, 2]) {
      const reply = await own.command(`FETCH ${seq} (RFC822.SIZE BODY.PEEK[] BODY.PEEK[HEADER] BODY.PEEK[TEXT] BODY.PEEK[1] BODY.PEEK[HEADER.FIELDS (SUBJECT)] BODY.PEEK[]<0.100000000> RFC822.HEADER ENVELOPE)`);
      expect(reply.status).toBe('OK');
      const line = reply.lines[0]!;
      expect(line.includes('\0')).toBe(false);
      const size = Number(/RFC822\.SIZE (\d+)/.exec(line)![1]);
      const [whole, header, text, part, subject, partial, rfc822Header, envelopeSubject] = literals(line);
      expect(whole!.length).toBe(size);
      expect(partial).toBe(whole);
      expect(whole).toBe(header! + text!);
      expect(rfc822Header).toBe(header);
      expect(subject).toBe('Subject: nul\x80here\r\n\r\n');
      expect(envelopeSubject).toBe('nul\x80here');
      expect(part).toBe(seq === 1 ? 'a\x80b\x80\x80c' : `${'0123456789abcdef'.repeat(20_000)}\x80end`);
    }
    const rfc822 = await own.command('FETCH 1 (RFC822 RFC822.TEXT)');
    expect(rfc822.lines[0]!.includes('\0')).toBe(false);
    expect(rfc822.lines[0]).toContain('a\x80b\x80\x80c');
    own.close();
  });
});

describe('IMAP FETCH of a large mailbox', () => {
  it('streams with back-pressure: a client that does not read does not make the server buffer everything', async () => {
    const store = test.engine.context.mailStore;
    const user = test.engine.context.accounts.findUser(USER)!;
    const mailbox = store.createMailbox(user, 'Big');
    const megabyte = Buffer.from(`Subject: big\r\n\r\n${'0123456789abcde\n'.repeat(65536)}`);
    await store.appendMessage(user, mailbox, megabyte);
    // hard-linked copies: 256 messages of 1 MB, 256 MB of FETCH response, 1 MB on disk
    for (let i = 0; i < 8; i++) await store.copyMessages(user, mailbox, mailbox, store.listMessages(mailbox.id));
    expect(store.listMessages(mailbox.id)).toHaveLength(256);
    const reader = await RawImap.loggedIn(test.port('imap'), USER, PASSWORD);
    await reader.command('EXAMINE Big');
    global.gc?.();
    const before = process.memoryUsage().rss;
    reader.socket.pause();
    reader.write('big FETCH 1:* (BODY.PEEK[])\r\n');
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const during = process.memoryUsage().rss;
    expect(during - before).toBeLessThan(96 * 1024 * 1024);
    // now read it all: every message arrives
    let received = 0;
    let tail = '';
    reader.socket.removeAllListeners('data');
    const done = new Promise<void>((resolve) => {
      reader.socket.on('data', (chunk: Buffer) => {
        received += chunk.length;
        tail = (tail + chunk.toString('latin1', Math.max(0, chunk.length - 200))).slice(-200);
        if (/big OK/.test(tail)) resolve();
      });
    });
    reader.socket.resume();
    await done;
    expect(received).toBeGreaterThan(256 * megabyte.length);
    reader.close();
  }, 60_000);
});

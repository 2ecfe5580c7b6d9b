// APPEND beyond one literal: several messages at once, all or none (RFC 3502 MULTIAPPEND), messages
// put together from stored ones (RFC 4469 CATENATE), binary content as literal8 and BINARY[]
// fetches that undo transfer encodings (RFC 3516), on the wire as the RFCs' examples show them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestEngine, type TestEngine } from './helpers/engine.js';
import { RawImap } from './imap-helpers.js';

let test: TestEngine;
let c: RawImap;
const USER = 'amy@lanpost.lan';
const OTHER = 'ben@lanpost.lan';
const PASSWORD = 'correct horse battery';

beforeAll(async () => {
  test = await startTestEngine({ users: { [USER]: PASSWORD, [OTHER]: PASSWORD } });
  c = await RawImap.loggedIn(test.port('imap'), USER, PASSWORD);
});
afterAll(async () => {
  c.close();
  await test.stop();
});

/** Sends a command whose literals are synchronizing: each one after the server's "+". */
async function withLiterals(parts: Array<string | Buffer>): Promise<{ status: string; text: string; lines: string[] }> {
  const tag = c.nextTag();
  const [first, ...rest] = parts;
  c.write(`${tag} ${first}`);
  for (const part of rest) {
    const line = await c.readLine();
    if (!line.startsWith('+')) return c.until(tag).then((reply) => ({ ...reply, lines: [line, ...reply.lines] }));
    c.write(part);
  }
  return c.until(tag);
}

function body(lines: string[]): string {
  const line = lines.find((l) => /FETCH \(.*(BODY|BINARY)\[/.test(l))!;
  return line.slice(line.indexOf('}\r\n') + 3, line.lastIndexOf(')'));
}

describe('MULTIAPPEND (RFC 3502)', () => {
  it('stores several messages in one APPEND, each with its flags and date, and answers one APPENDUID', async () => {
    await c.command('CREATE saved-messages');
    const one = 'Date: Mon, 7 Feb 1994 21:52:25 -0800\r\nFrom: Fred Foobar <foobar@example.com>\r\nSubject: afternoon meeting\r\n\r\nHello Joe, do you think we can meet at 3:30 tomorrow?\r\n';
    const two = 'Date: Mon, 7 Feb 1994 22:43:04 -0800\r\nFrom: Joe Mooch <mooch@example.com>\r\nSubject: Re: afternoon meeting\r\n\r\n3:30 is fine with me.\r\n';
    const reply = await withLiterals([`APPEND saved-messages (\\Seen) {${one.length}}\r\n`, `${one} (\\Seen) " 7-Feb-1994 22:43:04 -0800" {${two.length}}\r\n`, `${two}\r\n`]);
    expect(reply.status).toBe('OK');
    expect(reply.text).toMatch(/^\[APPENDUID \d+ 1:2\] /);
    await c.command('SELECT saved-messages');
    const fetch = await c.command('FETCH 1:2 (FLAGS INTERNALDATE BODY.PEEK[HEADER.FIELDS (SUBJECT)])');
    expect(fetch.lines[0]).toMatch(/FLAGS \(\\Seen( \\Recent)?\)/);
    expect(fetch.lines[0]).toContain('Subject: afternoon meeting');
    expect(fetch.lines[1]).toContain('INTERNALDATE "08-Feb-1994 06:43:04 +0000"');
    expect(fetch.lines[1]).toContain('Subject: Re: afternoon meeting');
  });

  it('stores none when one of them cannot be stored', async () => {
    const good = 'Subject: good\r\n\r\nx\r\n';
    const reply = await withLiterals([`APPEND saved-messages {${good.length}}\r\n`, `${good} {0}\r\n`, '\r\n']);
    expect(reply.status).toBe('NO');
    const status = await c.command('STATUS saved-messages (MESSAGES)');
    expect(status.lines[0]).toContain('MESSAGES 2');
  });
});

describe('CATENATE (RFC 4469)', () => {
  const draft =
    'From: Amy <amy@lanpost.lan>\r\nSubject: report\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="b1"\r\n\r\n' +
    '--b1\r\nContent-Type: text/plain\r\n\r\nSee the report.\r\n--b1\r\nContent-Type: application/pdf\r\nContent-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQK\r\n--b1--\r\n';
  let uidvalidity = 0;
  let uid = 0;

  beforeAll(async () => {
    await c.command('CREATE Drafts');
    const reply = await c.append('Drafts', draft, { flags: '\\Draft' });
    [uidvalidity, uid] = /APPENDUID (\d+) (\d+)/.exec(reply.text)!.slice(1).map(Number) as [number, number];
  });

  /** APPEND with non-synchronizing literals (LITERAL+): `{}` in the template takes the next text. */
  async function appendWith(template: string, ...texts: Array<string | Buffer>): Promise<{ status: string; text: string }> {
    const tag = c.nextTag();
    const pieces = template.split('{}');
    const out: Buffer[] = [Buffer.from(`${tag} ${pieces[0]}`)];
    texts.forEach((text, i) => {
      const bytes = Buffer.isBuffer(text) ? text : Buffer.from(text);
      out.push(Buffer.from(`{${bytes.length}+}\r\n`), bytes, Buffer.from(pieces[i + 1]!));
    });
    c.write(Buffer.concat([...out, Buffer.from('\r\n')]));
    return c.until(tag);
  }

  it('puts a message together from text and URLs of a stored one, as the RFC\'s example forwards an attachment', async () => {
    const head = 'Subject: Fwd: report\r\nContent-Type: multipart/mixed; boundary="b2"\r\n\r\n--b2\r\n';
    const url = (section: string) => `URL "/Drafts;UIDVALIDITY=${uidvalidity}/;UID=${uid}/;section=${section}"`;
    const reply = await appendWith(`APPEND Drafts (\\Seen \\Draft $MDNSent) CATENATE (TEXT {} ${url('2.MIME')} ${url('2')} TEXT {})`, head, '\r\n--b2--\r\n');
    expect(reply.status).toBe('OK');
    const newUid = Number(/APPENDUID \d+ (\d+)/.exec(reply.text)![1]);
    await c.command('SELECT Drafts');
    const fetch = await c.command(`UID FETCH ${newUid} (FLAGS BODY.PEEK[])`);
    expect(fetch.lines[0]).toMatch(/FLAGS \(\\Seen \\Draft \$MDNSent( \\Recent)?\)/);
    expect(body(fetch.lines)).toBe(`${head}Content-Type: application/pdf\r\nContent-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQK\r\n--b2--\r\n`);
    // a whole message, a header, a range of one; a URL without UIDVALIDITY; a literal and CATENATE in one APPEND (MULTIAPPEND)
    const more = await appendWith(`APPEND Drafts CATENATE (URL "/Drafts/;UID=${uid}/;section=HEADER" TEXT {}) CATENATE (URL "/Drafts/;UID=${uid}/;PARTIAL=0.15") {}`, 'text\r\n', 'Subject: plain\r\n\r\nx\r\n');
    expect(more.status).toBe('OK');
    const [a, b] = /APPENDUID \d+ (\d+):(\d+)/.exec(more.text)!.slice(1).map(Number) as [number, number];
    expect(b - a).toBe(2);
    expect(body((await c.command(`UID FETCH ${a} BODY.PEEK[]`)).lines)).toBe(draft.slice(0, draft.indexOf('\r\n\r\n') + 4) + 'text\r\n');
    expect(body((await c.command(`UID FETCH ${a + 1} BODY.PEEK[]`)).lines)).toBe(draft.slice(0, 15));
  });

  it('refuses a URL that names nothing this user may read with NO [BADURL], and stores nothing', async () => {
    const before = (await c.command('STATUS Drafts (MESSAGES)')).lines[0];
    const bad = [
      `/Drafts;UIDVALIDITY=${uidvalidity + 1}/;UID=${uid}`,
      `/Drafts/;UID=${uid + 1000}`,
      `/Drafts/;UID=${uid}/;section=9`,
      `/Nowhere/;UID=${uid}`,
      `imap://${OTHER.replace('@', '%40')}@lanpost.lan/INBOX/;UID=1`,
      'not a url',
    ];
    const other = await RawImap.loggedIn(test.port('imap'), OTHER, PASSWORD);
    await other.append('INBOX', 'Subject: ben\'s\r\n\r\nprivate\r\n');
    other.close();
    for (const url of bad) {
      const reply = await appendWith(`APPEND Drafts CATENATE (TEXT {} URL "${url}")`, 'Subject: x\r\n\r\n');
      expect(reply.status, url).toBe('NO');
      expect(reply.text, url).toContain(`[BADURL "${url}"]`);
    }
    expect((await c.command('STATUS Drafts (MESSAGES)')).lines[0]).toBe(before);
    // the mailbox is looked for first
    const missing = await appendWith(`APPEND Nowhere CATENATE (URL "/Drafts/;UID=${uid}")`);
    expect(missing.text).toMatch(/^\[TRYCREATE\]/);
    expect((await c.command('APPEND Drafts CATENATE ()')).status).toBe('BAD');
  });
});

describe('BINARY (RFC 3516)', () => {
  const binaryBody = Buffer.from([0x00, 0x01, 0xfe, 0xff, 0x0d, 0x0a, 0x00]);
  const message = Buffer.concat([
    Buffer.from('From: amy@lanpost.lan\r\nSubject: binary\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="x"\r\n\r\n--x\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\nCaf=C3=A9 =\r\nnoir  \r\n--x\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: binary\r\n\r\n'),
    binaryBody,
    Buffer.from('\r\n--x\r\nContent-Type: text/plain\r\nContent-Transfer-Encoding: x-unknown\r\n\r\nzzz\r\n--x--\r\n'),
  ]);

  it('takes a literal8, stores its binary part as base64, and gives the octets back with BINARY[] in a literal8', async () => {
    expect((await c.command('CAPABILITY')).lines[0]!.split(' ')).toEqual(expect.arrayContaining(['BINARY', 'MULTIAPPEND', 'CATENATE']));
    await c.command('CREATE Binary');
    const tag = c.nextTag();
    c.write(Buffer.concat([Buffer.from(`${tag} APPEND Binary ~{${message.length}+}\r\n`), message, Buffer.from('\r\n')]));
    expect((await c.until(tag)).status).toBe('OK');
    await c.command('SELECT Binary');
    // what other readers get: 7-bit text
    const mime = await c.command('FETCH 1 (BODY.PEEK[2.MIME] BODY.PEEK[2])');
    expect(mime.lines[0]).toContain('Content-Transfer-Encoding: base64');
    expect(mime.lines[0]).toContain(`BODY[2] {${binaryBody.toString('base64').length + 2}}\r\n${binaryBody.toString('base64')}\r\n`);
    // what BINARY gives: the octets, NULs and all, in a literal8
    const binary = await c.command('FETCH 1 (BINARY.SIZE[2] BINARY.PEEK[2])');
    expect(binary.lines[0]).toBe(`* 1 FETCH (BINARY.SIZE[2] 7 BINARY[2] ~{7}\r\n${binaryBody.toString('latin1')})`);
    // without a NUL, a plain literal does
    expect((await c.command('FETCH 1 (BINARY.PEEK[2]<2.3>)')).lines[0]).toBe(`* 1 FETCH (BINARY[2]<2> {3}\r\n${binaryBody.subarray(2, 5).toString('latin1')})`);
  });

  it('decodes quoted-printable; gives a whole message or a multipart as it is; UNKNOWN-CTE for an encoding it does not know', async () => {
    const qp = await c.command('FETCH 1 (BINARY.PEEK[1] BINARY.SIZE[1])');
    // the soft line break joins, the spaces ending the last line are padding
    expect(qp.lines[0]).toBe(`* 1 FETCH (BINARY[1] {10}\r\n${Buffer.from('Café noir').toString('latin1')} BINARY.SIZE[1] 10)`);
    const whole = await c.command('FETCH 1 (BINARY.SIZE[] RFC822.SIZE)');
    const [size, rfc822] = /BINARY.SIZE\[\] (\d+) RFC822.SIZE (\d+)/.exec(whole.lines[0]!)!.slice(1);
    expect(size).toBe(rfc822);
    const unknown = await c.command('FETCH 1 (BINARY.PEEK[3])');
    expect(unknown.status).toBe('NO');
    expect(unknown.text).toMatch(/^\[UNKNOWN-CTE\]/);
    expect((await c.command('FETCH 1 (BINARY.PEEK[1.HEADER])')).status).toBe('BAD');
  });

  it('BINARY sets \\Seen, BINARY.PEEK and BINARY.SIZE do not', async () => {
    await c.command('FETCH 1 (BINARY.PEEK[1] BINARY.SIZE[2])');
    expect((await c.command('FETCH 1 FLAGS')).lines[0]).toBe('* 1 FETCH (FLAGS (\\Recent))');
    const read = await c.command('FETCH 1 (BINARY[1])');
    expect(read.lines[0]).toContain('FLAGS (\\Seen \\Recent)');
  });
});

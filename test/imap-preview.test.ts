// PREVIEW (RFC 8970): FETCH PREVIEW and PREVIEW (LAZY) give the opening words of a message from its
// first text part (text/plain within an alternative, HTML made text), decoded, quoted lines and
// runs of white space left out, at most 200 characters; "" for a message with no text. Raw
// exchanges as in the RFC's examples.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestEngine, type TestEngine } from './helpers/engine.js';
import { ALTERNATIVE, MIXED, PLAIN } from './imap-fixtures.js';
import { RawImap } from './imap-helpers.js';

let test: TestEngine;
const USER = 'petra@lanpost.lan';
const PASSWORD = 'correct horse battery';

const crlf = (text: string) => text.replace(/\r?\n/g, '\r\n');
const HTML_ONLY = crlf(`Subject: news
Content-Type: text/html; charset=utf-8

<html><head><style>p { color: red }</style></head><body><p>Tom &amp; Jerry&nbsp;are <a href="https://example.org/x">back</a>.</p><img src="cid:x"></body></html>
`);
const QUOTED_REPLY = crlf(`Subject: Re: lunch
Content-Type: text/plain; charset=iso-8859-1
Content-Transfer-Encoding: quoted-printable

Sounds good,   see you there.
> Shall we meet at noon?
> Gr=FC=DFe
`);
const ATTACHMENT_ONLY = crlf(`Subject: file
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary=b

--b
Content-Type: text/plain; name=notes.txt
Content-Disposition: attachment; filename=notes.txt

not a preview
--b--
`);
const LONG = `Subject: long\r\n\r\n${Array.from({ length: 60 }, (_, i) => `word${i}`).join(' ')}\r\n`;

beforeAll(async () => {
  test = await startTestEngine({ users: { [USER]: PASSWORD } });
  const c = await RawImap.loggedIn(test.port('imap'), USER, PASSWORD);
  for (const message of [PLAIN, ALTERNATIVE, MIXED, HTML_ONLY, QUOTED_REPLY, ATTACHMENT_ONLY, LONG]) {
    const bytes = Buffer.from(message);
    const tag = c.nextTag();
    c.write(Buffer.concat([Buffer.from(`${tag} APPEND INBOX {${bytes.length}+}\r\n`), bytes, Buffer.from('\r\n')]));
    expect((await c.until(tag)).status).toBe('OK');
  }
  c.close();
});
afterAll(() => test.stop());

/** PREVIEW of each message, literals read as UTF-8. */
async function previews(c: RawImap, item = 'PREVIEW'): Promise<string[]> {
  const reply = await c.command(`FETCH 1:* (${item})`);
  expect(reply.status).toBe('OK');
  return reply.lines.map((line) => {
    const text = Buffer.from(line, 'latin1').toString('utf8');
    const match = /PREVIEW (?:"((?:[^"\\]|\\.)*)"|\{\d+\}\r\n(.*))\)$/s.exec(text)!;
    return match[1] !== undefined ? match[1].replace(/\\(.)/g, '$1') : match[2]!;
  });
}

describe('PREVIEW', () => {
  it('gives the opening words of each message, from its text, decoded', async () => {
    const c = await RawImap.loggedIn(test.port('imap'), USER, PASSWORD);
    await c.command('SELECT INBOX');
    const texts = await previews(c);
    expect(texts.slice(0, 6)).toEqual([
      'Shall we meet at noon? Grüße, Alice',
      'The report is attached in spirit. Second line.',
      'See the attachments.',
      'Tom & Jerry are back.',
      'Sounds good, see you there.',
      '',
    ]);
    const long = texts[6]!;
    expect([...long].length).toBeLessThanOrEqual(200);
    expect(long).toMatch(/^word0 word1 .* word\d+$/);
    expect(await previews(c, 'PREVIEW (LAZY)')).toEqual(texts);
    expect((await c.command('FETCH 1 (PREVIEW (FOO))')).status).toBe('BAD');
    c.close();
  });

  it('sends a non-ASCII preview as a literal, or quoted UTF-8 once UTF8=ACCEPT is enabled', async () => {
    const c = await RawImap.loggedIn(test.port('imap'), USER, PASSWORD);
    await c.command('SELECT INBOX');
    const literal = Buffer.from('Shall we meet at noon? Grüße, Alice').length;
    expect((await c.command('FETCH 1 PREVIEW')).lines[0]).toBe(`* 1 FETCH (PREVIEW {${literal}}\r\n${Buffer.from('Shall we meet at noon? Grüße, Alice').toString('latin1')})`);
    await c.command('ENABLE UTF8=ACCEPT');
    expect((await c.command('FETCH 1 PREVIEW')).lines[0]).toBe(`* 1 FETCH (PREVIEW "${Buffer.from('Shall we meet at noon? Grüße, Alice').toString('latin1')}")`);
    c.close();
  });
});

// URLAUTH (RFC 4467) and URLAUTH=BINARY (RFC 5524): GENURLAUTH makes URLs that carry their own
// authorization, URLFETCH gives their data to whom their access identifier names (NIL to anyone
// else, after RESETKEY, past their expiry, with a forged token), in binary form on request.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestEngine, type TestEngine } from './helpers/engine.js';
import { RawImap } from './imap-helpers.js';

let test: TestEngine;
let joe: RawImap;
let fred: RawImap;
const JOE = 'joe@lanpost.lan';
const FRED = 'fred@lanpost.lan';
const PASSWORD = 'correct horse battery';
const MESSAGE =
  'From: joe@lanpost.lan\r\nSubject: minutes\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="m"\r\n\r\n' +
  '--m\r\nContent-Type: text/plain\r\n\r\nSee attached.\r\n--m\r\nContent-Type: text/plain; charset=us-ascii\r\nContent-Transfer-Encoding: base64\r\n\r\naGVsbG8gd29ybGQ=\r\n--m--\r\n';
let base = '';

async function generate(client: RawImap, url: string): Promise<{ status: string; url: string | undefined; text: string }> {
  const reply = await client.command(`GENURLAUTH "${url}" INTERNAL`);
  return { status: reply.status, url: /^\* GENURLAUTH "(.*)"$/.exec(reply.lines[0] ?? '')?.[1], text: reply.text };
}

async function fetchUrl(client: RawImap, argument: string): Promise<string> {
  const reply = await client.command(`URLFETCH ${argument}`);
  expect(reply.status).toBe('OK');
  return reply.lines[0]!;
}

beforeAll(async () => {
  test = await startTestEngine({ users: { [JOE]: PASSWORD, [FRED]: PASSWORD } });
  joe = await RawImap.loggedIn(test.port('imap'), JOE, PASSWORD);
  fred = await RawImap.loggedIn(test.port('imap'), FRED, PASSWORD);
  const uid = Number(/APPENDUID \d+ (\d+)/.exec((await joe.append('INBOX', MESSAGE)).text)![1]);
  base = `imap://joe@lanpost.lan/INBOX/;uid=${uid}`;
});
afterAll(async () => {
  joe.close();
  fred.close();
  await test.stop();
});

describe('URLAUTH (RFC 4467)', () => {
  it('advertises URLAUTH and URLAUTH=BINARY', async () => {
    expect((await joe.command('CAPABILITY')).lines[0]!.split(' ')).toEqual(expect.arrayContaining(['URLAUTH', 'URLAUTH=BINARY']));
  });

  it('GENURLAUTH adds the mechanism and a token; URLFETCH gives the section to the user it names, NIL to others', async () => {
    const made = await generate(joe, `${base}/;section=1;urlauth=user+fred`);
    expect(made.status).toBe('OK');
    expect(made.url).toMatch(new RegExp(`^${base.replace(/[/.+?]/g, '\\$&')}/;section=1;urlauth=user\\+fred:INTERNAL:[0-9a-f]{64}$`));
    expect(await fetchUrl(fred, `"${made.url}"`)).toBe(`* URLFETCH "${made.url}" {13}\r\nSee attached.`);
    // not Fred: NIL, never an error that would tell the URL is right
    expect(await fetchUrl(joe, `"${made.url}"`)).toBe(`* URLFETCH "${made.url}" NIL`);
    const forged = made.url!.replace(/[0-9a-f]$/, (d) => (d === '0' ? '1' : '0'));
    expect(await fetchUrl(fred, `"${forged}"`)).toBe(`* URLFETCH "${forged}" NIL`);
  });

  it('authuser and anonymous let any user fetch; submit+ is for the submission server only', async () => {
    const any = (await generate(joe, `${base};urlauth=authuser`)).url!;
    const anonymous = (await generate(joe, `${base}/;section=2;urlauth=anonymous`)).url!;
    const submit = (await generate(joe, `${base};urlauth=submit+fred`)).url!;
    const reply = await fred.command(`URLFETCH "${any}" "${anonymous}" "${submit}"`);
    expect(reply.lines[0]).toBe(`* URLFETCH "${any}" {${MESSAGE.length}}\r\n${MESSAGE}`);
    expect(reply.lines[1]).toBe(`* URLFETCH "${anonymous}" {16}\r\naGVsbG8gd29ybGQ=`);
    expect(reply.lines[2]).toBe(`* URLFETCH "${submit}" NIL`);
  });

  it('a URL past its EXPIRE date fetches nothing', async () => {
    const past = (await generate(joe, `${base};expire=2000-01-01T00:00:00Z;urlauth=authuser`)).url!;
    const future = (await generate(joe, `${base};expire=2999-01-01T00:00:00Z;urlauth=authuser`)).url!;
    expect(await fetchUrl(fred, `"${past}"`)).toBe(`* URLFETCH "${past}" NIL`);
    expect(await fetchUrl(fred, `"${future}"`)).toMatch(/^\* URLFETCH "[^"]+" \{\d+\}/);
  });

  it('GENURLAUTH refuses another user\'s URL, a missing mailbox, a relative URL or one with a token already: NO [BADURL]', async () => {
    for (const url of [`imap://fred@lanpost.lan/INBOX/;uid=1;urlauth=authuser`, `imap://joe@lanpost.lan/Nowhere/;uid=1;urlauth=authuser`, `/INBOX/;uid=1;urlauth=authuser`, `${base};urlauth=authuser:INTERNAL:00`]) {
      const made = await generate(joe, url);
      expect(made.status, url).toBe('NO');
      expect(made.text, url).toContain(`[BADURL "${url}"]`);
    }
    expect((await joe.command(`GENURLAUTH "${base};urlauth=authuser" XSECRET`)).status).toBe('BAD');
  });

  it('RESETKEY makes every URL of the mailbox useless', async () => {
    const url = (await generate(joe, `${base};urlauth=authuser`)).url!;
    expect(await fetchUrl(fred, `"${url}"`)).toMatch(/\{\d+\}/);
    expect((await joe.command('RESETKEY INBOX INTERNAL')).status).toBe('OK');
    expect(await fetchUrl(fred, `"${url}"`)).toBe(`* URLFETCH "${url}" NIL`);
    const again = (await generate(joe, `${base};urlauth=authuser`)).url!;
    expect(again).not.toBe(url);
    expect((await joe.command('RESETKEY')).status).toBe('OK');
    expect(await fetchUrl(fred, `"${again}"`)).toBe(`* URLFETCH "${again}" NIL`);
  });
});

describe('URLAUTH=BINARY (RFC 5524)', () => {
  it('gives BODYPARTSTRUCTURE and the data decoded (BINARY) or as stored (BODY)', async () => {
    const url = (await generate(joe, `${base}/;section=2;urlauth=authuser`)).url!;
    const structure = '("text" "plain" ("charset" "us-ascii") NIL NIL "base64" 16 0 NIL NIL NIL NIL)';
    expect(await fetchUrl(fred, `("${url}" BODYPARTSTRUCTURE)`)).toBe(`* URLFETCH "${url}" (BODYPARTSTRUCTURE ${structure})`);
    expect(await fetchUrl(fred, `("${url}" BINARY)`)).toBe(`* URLFETCH "${url}" (BINARY {11}\r\nhello world)`);
    expect(await fetchUrl(fred, `("${url}" BODY)`)).toBe(`* URLFETCH "${url}" (BODY {16}\r\naGVsbG8gd29ybGQ=)`);
    // with BINARY, the structure describes the decoded octets
    expect(await fetchUrl(fred, `("${url}" BINARY BODYPARTSTRUCTURE)`)).toBe(
      `* URLFETCH "${url}" (BODYPARTSTRUCTURE ${structure.replace('16 0', '11 0')} BINARY {11}\r\nhello world)`,
    );
    expect((await fred.command(`URLFETCH ("${url}" BINARY BODY)`)).status).toBe('BAD');
  });
});

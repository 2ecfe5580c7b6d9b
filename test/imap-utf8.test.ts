// UTF8=ACCEPT (RFC 6855): once enabled, mailbox names travel as UTF-8 both ways ("&" is itself,
// not modified UTF-7), the same mailboxes a client without it sees in modified UTF-7; APPEND takes
// UTF8 (~{n} …) for a message with a UTF-8 header; SEARCH names no CHARSET. Python's imaplib (its
// enable() switches it to UTF-8) and raw exchanges.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestEngine, type TestEngine } from './helpers/engine.js';
import { RawImap } from './imap-helpers.js';

const run = promisify(execFile);
let test: TestEngine;
const USER = 'uma@lanpost.lan';
const PASSWORD = 'correct horse battery';

beforeAll(async () => {
  test = await startTestEngine({ users: { [USER]: PASSWORD } });
});
afterAll(() => test.stop());

const PYTHON = `
import imaplib, json, sys
M = imaplib.IMAP4('127.0.0.1', int(sys.argv[1]))
M.login(sys.argv[2], sys.argv[3])
out = {'enable': M.enable('UTF8=ACCEPT')[0], 'enabled': [d.decode() for d in M.response('ENABLED')[1]]}
out['create'] = M.create('"Grüße/日本"')[0]
out['list'] = [d.decode('utf-8') for d in M.list('""', '"Grüße*"')[1]]
out['select'] = M.select('"Grüße/日本"')[0]
out['status'] = M.status('"Grüße/日本"', '(MESSAGES)')[1][0].decode('utf-8')
M.logout()
print(json.dumps(out))
`;

describe('UTF8=ACCEPT', () => {
  it('lets Python’s imaplib create, list and select mailboxes by their UTF-8 names once enabled', async () => {
    const { stdout } = await run('python3', ['-c', PYTHON, String(test.port('imap')), USER, PASSWORD], { timeout: 20_000 });
    const out = JSON.parse(stdout);
    expect([out.enable, out.enabled]).toEqual(['OK', ['UTF8=ACCEPT']]);
    expect(out.create).toBe('OK');
    expect(out.list).toEqual(['(\\HasChildren) "/" "Grüße"', '(\\HasNoChildren) "/" "Grüße/日本"']);
    expect(out.select).toBe('OK');
    expect(out.status).toBe('"Grüße/日本" (MESSAGES 0)');
    // a client without UTF8=ACCEPT sees the same mailbox in modified UTF-7
    const c = await RawImap.loggedIn(test.port('imap'), USER, PASSWORD);
    expect((await c.command('LIST "" Gr*')).lines).toEqual(['* LIST (\\HasChildren) "/" Gr&APwA3w-e', '* LIST (\\HasNoChildren) "/" Gr&APwA3w-e/&ZeVnLA-']);
    c.close();
  });

  it('takes "&" in a UTF-8 name as itself', async () => {
    const utf8 = await RawImap.loggedIn(test.port('imap'), USER, PASSWORD);
    await utf8.command('ENABLE UTF8=ACCEPT');
    expect((await utf8.command('CREATE "R&D"')).status).toBe('OK');
    expect((await utf8.command('LIST "" "R&*"')).lines).toEqual(['* LIST (\\HasNoChildren) "/" "R&D"']);
    const plain = await RawImap.loggedIn(test.port('imap'), USER, PASSWORD);
    expect((await plain.command('LIST "" R*')).lines).toEqual(['* LIST (\\HasNoChildren) "/" R&-D']);
    utf8.close();
    plain.close();
  });

  it('stores APPEND UTF8 (~{n} …) as sent, only after ENABLE UTF8=ACCEPT', async () => {
    const message = Buffer.from('From: Jörg <jörg@example.de>\r\nSubject: Grüße aus Köln\r\n\r\nHallo\r\n');
    const c = await RawImap.loggedIn(test.port('imap'), USER, PASSWORD);
    const send = async () => {
      const tag = c.nextTag();
      c.write(Buffer.concat([Buffer.from(`${tag} APPEND INBOX UTF8 (~{${message.length}+}\r\n`), message, Buffer.from(')\r\n')]));
      return c.until(tag);
    };
    expect((await send()).status).toBe('BAD');
    await c.command('ENABLE UTF8=ACCEPT');
    const appended = await send();
    expect(appended.status).toBe('OK');
    expect((await c.command(`APPEND INBOX {3+}\r\nx\r\n`)).status).toBe('OK');
    await c.command('SELECT INBOX');
    const fetched = await c.command('FETCH 1 BODY.PEEK[]');
    expect(Buffer.from(fetched.lines[0]!, 'latin1').includes(message)).toBe(true);
    // RFC 6855 §3: no CHARSET once enabled
    expect((await c.command('SEARCH CHARSET UTF-8 SUBJECT Köln')).status).toBe('BAD');
    expect((await c.command('SEARCH SUBJECT "Köln"')).lines).toEqual(['* SEARCH 1']);
    expect((await c.command('APPEND INBOX UTF8 ({3+}\r\nabc)')).status).toBe('BAD');
    c.close();
  });
});

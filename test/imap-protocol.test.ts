// IMAP wire behaviour: greeting and capabilities, logins and their policy, STARTTLS and 993,
// literals (sync and LITERAL+) and the limits, bad input, transcript redaction.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestEngine, type TestEngine } from './helpers/engine.js';
import { RawImap } from './imap-helpers.js';

let test: TestEngine;
let strict: TestEngine;
const USER = 'bob@lanpost.lan';
const PASSWORD = 'correct horse battery';

beforeAll(async () => {
  test = await startTestEngine({
    change: (s) => {
      s.limits.imapLineLengthBytes = 2048;
      s.limits.messageSizeBytes = 64 * 1024;
      s.limits.badCommandsPerSession = 5;
      s.authThrottle = { ...s.authThrottle, delayAfterFailures: 10, lockAfterFailures: 3, lockSeconds: 60 };
    },
  });
  await test.addUser(USER, PASSWORD);
  await test.addUser('throttled@lanpost.lan', PASSWORD);
  strict = await startTestEngine({ change: (s) => (s.plaintextLogin = 'never') });
  await strict.addUser(USER, PASSWORD);
});
afterAll(async () => {
  await test.stop();
  await strict.stop();
});

describe('IMAP greeting, capabilities and login', () => {
  it('greets with capabilities and logs in with LOGIN', async () => {
    const c = await RawImap.connect(test.port('imap'));
    const caps = await c.command('CAPABILITY');
    expect(caps.status).toBe('OK');
    const line = caps.lines.find((l) => l.startsWith('* CAPABILITY '))!;
    for (const cap of ['IMAP4rev1', 'STARTTLS', 'AUTH=PLAIN', 'LITERAL-', 'SASL-IR', 'IDLE', 'UIDPLUS', 'MOVE', 'NAMESPACE', 'ID', 'ENABLE', 'UNSELECT', 'CHILDREN', 'SPECIAL-USE', 'SORT', 'LIST-STATUS', 'CONDSTORE']) {
      expect(line.split(' ')).toContain(cap);
    }
    expect(line).not.toContain('LOGINDISABLED');
    const login = await c.login(USER, PASSWORD);
    expect(login.status).toBe('OK');
    expect(login.text).toMatch(/^\[CAPABILITY IMAP4rev1 /);
    expect((await c.command('NOOP')).status).toBe('OK');
    const logout = await c.command('LOGOUT');
    expect(logout.lines[0]).toMatch(/^\* BYE/);
    expect(logout.status).toBe('OK');
    c.close();
  });

  it('AUTHENTICATE PLAIN with an initial response (SASL-IR) and with a continuation', async () => {
    const token = Buffer.from(`\0${USER}\0${PASSWORD}`).toString('base64');
    const a = await RawImap.connect(test.port('imap'));
    expect((await a.command(`AUTHENTICATE PLAIN ${token}`)).status).toBe('OK');
    a.close();
    const b = await RawImap.connect(test.port('imap'));
    b.write('a1 AUTHENTICATE PLAIN\r\n');
    expect(await b.readLine()).toMatch(/^\+/);
    b.write(`${token}\r\n`);
    expect((await b.until('a1')).status).toBe('OK');
    b.close();
    const cancel = await RawImap.connect(test.port('imap'));
    cancel.write('a2 AUTHENTICATE PLAIN\r\n');
    await cancel.readLine();
    cancel.write('*\r\n');
    expect((await cancel.until('a2')).status).toBe('BAD');
    cancel.close();
  });

  it('advertises LOGINDISABLED and refuses plaintext login where the policy forbids it, until STARTTLS', async () => {
    const c = await RawImap.connect(strict.port('imap'));
    const caps = await c.command('CAPABILITY');
    expect(caps.lines[0]).toContain('LOGINDISABLED');
    expect(caps.lines[0]).not.toContain('AUTH=PLAIN');
    const refused = await c.login(USER, PASSWORD);
    expect(refused.status).toBe('NO');
    expect(refused.text).toMatch(/PRIVACYREQUIRED/);
    const auth = await c.command(`AUTHENTICATE PLAIN ${Buffer.from(`\0${USER}\0${PASSWORD}`).toString('base64')}`);
    expect(auth.status).toBe('NO');
    expect((await c.startTls()).status).toBe('OK');
    const after = await c.command('CAPABILITY');
    expect(after.lines[0]).not.toContain('LOGINDISABLED');
    expect(after.lines[0]).not.toContain('STARTTLS');
    expect(after.lines[0]).toContain('AUTH=PLAIN');
    expect((await c.login(USER, PASSWORD)).status).toBe('OK');
    expect((await c.command('STARTTLS')).status).toBe('BAD');
    c.close();
  });

  it('serves implicit TLS on 993 without STARTTLS', async () => {
    const c = await RawImap.connect(strict.port('imaps'), { tls: true });
    const caps = await c.command('CAPABILITY');
    expect(caps.lines[0]).not.toContain('STARTTLS');
    expect(caps.lines[0]).toContain('AUTH=PLAIN');
    expect((await c.login(USER, PASSWORD)).status).toBe('OK');
    expect((await c.command('SELECT INBOX')).status).toBe('OK');
    c.close();
  });

  it('commands outside their state get BAD', async () => {
    const c = await RawImap.connect(test.port('imap'));
    expect((await c.command('SELECT INBOX')).status).toBe('BAD');
    await c.login(USER, PASSWORD);
    expect((await c.command('FETCH 1 FLAGS')).status).toBe('BAD');
    expect((await c.command(`LOGIN a b`)).status).toBe('BAD');
    c.close();
  });

  it('reads "[" as an ATOM-CHAR outside FETCH sections: a mailbox name holding one is no syntax error (RFC 3501 §9)', async () => {
    const c = await RawImap.loggedIn(test.port('imap'), USER, PASSWORD);
    const name = "!#$&'+,-.0123456789:;<=>?@^_`|[}";
    expect((await c.command(`SELECT ${name}`)).status).toBe('NO');
    expect((await c.command(`LIST "" ${name}%*`)).status).toBe('OK');
    expect((await c.command(`CREATE x[1`)).status).toBe('OK');
    expect((await c.command(`SELECT x[1`)).status).toBe('OK');
    // the "[" of a FETCH section still opens it, spaces and all
    const fetch = await c.command('FETCH 1:* BODY.PEEK[HEADER.FIELDS (SUBJECT FROM)]');
    expect(fetch.status).toBe('OK');
    c.close();
  });
});

describe('IMAP literals and limits', () => {
  it('APPEND with a synchronizing literal waits for the continuation', async () => {
    const c = await RawImap.loggedIn(test.port('imap'), USER, PASSWORD);
    const message = 'Subject: sync literal\r\n\r\nhello\r\n';
    c.write(`s1 APPEND INBOX (\\Seen) "28-Nov-2026 10:00:00 +0100" {${message.length}}\r\n`);
    expect(await c.readLine()).toMatch(/^\+ /);
    c.write(`${message}\r\n`);
    const reply = await c.until('s1');
    expect(reply.status).toBe('OK');
    expect(reply.text).toMatch(/^\[APPENDUID \d+ \d+\]/);
    c.close();
  });

  it('APPEND with a non-synchronizing literal (LITERAL+) and pipelined commands', async () => {
    const c = await RawImap.loggedIn(test.port('imap'), USER, PASSWORD);
    const message = 'Subject: literal plus\r\n\r\nno waiting\r\n';
    c.write(`p1 APPEND INBOX {${message.length}+}\r\n${message}\r\np2 NOOP\r\n`);
    const append = await c.until('p1');
    expect(append.status).toBe('OK');
    expect(append.lines.some((l) => l.startsWith('+'))).toBe(false);
    expect((await c.until('p2')).status).toBe('OK');
    await c.command('SELECT INBOX');
    const fetched = await c.command('UID FETCH * (BODY.PEEK[])');
    expect(fetched.raw).toContain('no waiting');
    c.close();
  });

  it('refuses a synchronizing literal over the size limit before it is sent, and the session goes on', async () => {
    const c = await RawImap.loggedIn(test.port('imap'), USER, PASSWORD);
    c.write(`b1 APPEND INBOX {${10 * 1024 * 1024}}\r\n`);
    const reply = await c.until('b1');
    expect(reply.status).toBe('NO');
    expect(reply.text).toMatch(/^\[TOOBIG\]/);
    expect(reply.lines.some((l) => l.startsWith('+'))).toBe(false);
    expect((await c.command('NOOP')).status).toBe('OK');
    c.close();
  });

  it('reads away a too-large non-synchronizing literal, answers BAD, and stays in sync', async () => {
    const c = await RawImap.loggedIn(test.port('imap'), USER, PASSWORD);
    const size = 100 * 1024;
    c.write(`b2 APPEND INBOX {${size}+}\r\n`);
    c.write(Buffer.alloc(size, 'x'));
    c.write('\r\nb3 NOOP\r\n');
    const reply = await c.until('b2');
    expect(reply.status).toBe('BAD');
    expect(reply.text).toMatch(/TOOBIG/);
    expect((await c.until('b3')).status).toBe('OK');
    c.close();
  });

  it('allows non-synchronizing literals up to 4096 bytes before login (LITERAL-), any size after it (LITERAL+), never both advertised (RFC 7888)', async () => {
    const c = await RawImap.connect(test.port('imap'));
    const before = (await c.command('CAPABILITY')).lines[0]!.split(' ');
    expect(before).toContain('LITERAL-');
    expect(before).not.toContain('LITERAL+');
    // RFC 7888 §4: over 4096 bytes is BAD [TOOBIG]; the literal is read away and the session goes on
    const big = 'x'.repeat(4097);
    c.write(`m1 LOGIN {${big.length}+}\r\n${big} secret\r\nm2 NOOP\r\n`);
    const refused = await c.until('m1');
    expect([refused.status, refused.text]).toEqual(['BAD', expect.stringMatching(/^\[TOOBIG\] Non-synchronizing literal of 4097 bytes .*LITERAL-/)]);
    expect((await c.until('m2')).status).toBe('OK');
    // far over it: no reading megabytes from a client that has not logged in
    c.write('m3 LOGIN {1000000+}\r\n');
    expect((await c.until('m3')).status).toBe('BAD');
    expect(await c.readLine()).toMatch(/^\* BYE \[TOOBIG\] /);
    c.close();
    // up to 4096 bytes it is a literal like any other
    const d = await RawImap.connect(test.port('imap'));
    d.write(`m4 LOGIN {${USER.length}+}\r\n${USER} {${PASSWORD.length}+}\r\n${PASSWORD}\r\n`);
    const login = await d.until('m4');
    expect(login.status).toBe('OK');
    const after = login.text.split(' ');
    expect(after).toContain('LITERAL+');
    expect(after).not.toContain('LITERAL-');
    const message = `Subject: after login\r\n\r\n${'y'.repeat(8000)}\r\n`;
    d.write(`m5 APPEND INBOX {${message.length}+}\r\n${message}\r\n`);
    expect((await d.until('m5')).status).toBe('OK');
    d.close();
  });

  it('answers a non-synchronizing literal far over the limit at once, with BAD and BYE [TOOBIG], without reading it (RFC 7888 §4)', async () => {
    const c = await RawImap.loggedIn(test.port('imap'), USER, PASSWORD);
    c.write('h1 APPEND INBOX {4294967295+}\r\n');
    c.write(Buffer.alloc(16 * 1024, 'x'));
    const reply = await c.until('h1');
    expect(reply.status).toBe('BAD');
    expect(reply.text).toMatch(/^\[TOOBIG\] /);
    expect(await c.readLine()).toMatch(/^\* BYE \[TOOBIG\] /);
    await c.waitFor(() => (c.closed ? true : null), 5000, 'the server to close');
    c.close();
  });

  it('refuses a synchronizing literal of any announced size with NO [TOOBIG], no continuation', async () => {
    const c = await RawImap.loggedIn(test.port('imap'), USER, PASSWORD);
    for (const size of ['4294967295', '99999999999999999999']) {
      c.write(`h2 APPEND INBOX {${size}}\r\n`);
      const reply = await c.until('h2');
      expect(reply.status).toBe('NO');
      expect(reply.text).toMatch(/^\[TOOBIG\] /);
      expect(reply.lines).toEqual([]);
    }
    expect((await c.command('NOOP')).status).toBe('OK');
    c.close();
  });

  it('answers an over-long line with a tagged BAD [TOOBIG] and carries on', async () => {
    const c = await RawImap.connect(test.port('imap'));
    c.write(`x1 NOOP ${'a'.repeat(5000)}\r\n`);
    const reply = await c.until('x1');
    expect(reply.status).toBe('BAD');
    expect(reply.text).toMatch(/^\[TOOBIG\] Command line longer than 2048 bytes/);
    expect((await c.command('CAPABILITY')).status).toBe('OK');
    // over the limit after a literal: the same
    c.write(`x2 LOGIN {3+}\r\nbob ${'b'.repeat(5000)}\r\n`);
    expect((await c.until('x2')).text).toMatch(/^\[TOOBIG\] /);
    expect((await c.command('NOOP')).status).toBe('OK');
    c.close();
  });

  it('reads away the non-synchronizing literal an over-long line announces, and stays in sync', async () => {
    const c = await RawImap.connect(test.port('imap'));
    const data = 'a1 NOOP\r\n'.repeat(10);
    c.write(`x1 APPEND INBOX (${'\\Seen '.repeat(500)}) {${data.length}+}\r\n${data}\r\n`);
    const reply = await c.until('x1');
    expect(reply.text).toMatch(/^\[TOOBIG\] /);
    // the literal's lines were not taken for commands
    const next = await c.command('NOOP');
    expect(next.status).toBe('OK');
    expect(next.lines).toEqual([]);
    c.close();
  });

  it('closes the connection after an over-long line whose tag cannot be read: the client never waits for an answer that cannot come', async () => {
    const c = await RawImap.connect(test.port('imap'));
    c.write(`${'t'.repeat(5000)} NOOP\r\n`);
    expect(await c.readLine()).toMatch(/^\* BAD \[TOOBIG\] /);
    expect(await c.readLine()).toMatch(/^\* BYE \[TOOBIG\] /);
    await c.waitFor(() => (c.closed ? true : null));
    c.close();
  });

  it('takes commands up to 64 KB by default: an ID of 31 KB (imaptest id)', async () => {
    const c = await RawImap.connect(strict.port('imap'));
    const pairs = Array.from({ length: 30 }, (_, i) => `"field${i}" "${String(i).repeat(1000)}"`).join(' ');
    const reply = await c.command(`ID (${pairs})`);
    expect(reply.status).toBe('OK');
    expect(reply.lines[0]).toMatch(/^\* ID \("name" "LanPost"/);
    c.write(`x1 ID ("a" "${'b'.repeat(70_000)}")\r\n`);
    expect((await c.until('x1')).text).toMatch(/^\[TOOBIG\] Command line longer than 65536 bytes/);
    c.close();
  });

  it('answers syntax errors with BAD, keeps going, and closes after too many', async () => {
    const c = await RawImap.connect(test.port('imap'));
    expect((await c.command('FROB')).status).toBe('BAD');
    expect((await c.command('LOGIN "unterminated')).status).toBe('BAD');
    expect((await c.command('NOOP extra')).status).toBe('BAD');
    expect((await c.command('CAPABILITY')).status).toBe('OK');
    await c.command('FROB');
    c.write('t99 FROB\r\n');
    const bye = await c.readLine();
    expect(bye).toMatch(/BAD/);
    expect(await c.readLine()).toMatch(/^\* BYE Too many invalid commands/);
    await c.waitFor(() => (c.closed ? true : null));
    c.close();
  });

  it('keeps passwords and AUTHENTICATE data out of the transcript and abbreviates literals', async () => {
    const c = await RawImap.connect(test.port('imap'));
    await c.login(USER, 'secret-in-login-123');
    await c.command(`AUTHENTICATE PLAIN ${Buffer.from(`\0${USER}\0secret-sasl-456`).toString('base64')}`);
    await c.login(USER, PASSWORD);
    const body = 'Subject: transcript\r\n\r\nliteral-body-text-789\r\n';
    c.write(`l1 APPEND INBOX {${body.length}+}\r\n${body}\r\n`);
    await c.until('l1');
    c.close();
    const text = test.engine.context.inspector
      .recent()
      .filter((l) => l.service === 'imap')
      .map((l) => l.text)
      .join('\n');
    expect(text).toContain('LOGIN "bob@lanpost.lan" ***');
    expect(text).toContain('AUTHENTICATE PLAIN ***');
    expect(text).not.toContain('secret-in-login-123');
    expect(text).not.toContain(Buffer.from(`\0${USER}\0secret-sasl-456`).toString('base64'));
    expect(text).not.toContain(PASSWORD);
    expect(text).toContain('<literal');
    expect(text).not.toContain('literal-body-text-789');
  });
});

describe('IMAP login throttling (last: it locks this client address)', () => {
  it('rejects a wrong password with AUTHENTICATIONFAILED and then throttles with UNAVAILABLE', async () => {
    const c = await RawImap.connect(test.port('imap'));
    const first = await c.login('throttled@lanpost.lan', 'wrong password 1');
    expect(first.status).toBe('NO');
    expect(first.text).toMatch(/^\[AUTHENTICATIONFAILED\]/);
    await c.login('throttled@lanpost.lan', 'wrong password 2');
    await c.login('throttled@lanpost.lan', 'wrong password 3');
    const locked = await c.login('throttled@lanpost.lan', PASSWORD);
    expect(locked.status).toBe('NO');
    expect(locked.text).toMatch(/^\[UNAVAILABLE\]/);
    c.close();
  });
});

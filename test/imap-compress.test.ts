// COMPRESS=DEFLATE (RFC 4978): both directions compressed after the tagged OK, on plain and TLS
// connections; a second COMPRESS is BAD [COMPRESSIONACTIVE]; large responses arrive whole through
// it; a broken stream from the client ends that session only. imapflow compresses when offered.
import crypto from 'node:crypto';
import { ImapFlow } from 'imapflow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestEngine, type TestEngine } from './helpers/engine.js';
import { RawImap } from './imap-helpers.js';

let test: TestEngine;
const USER = 'zed@lanpost.lan';
const PASSWORD = 'correct horse battery';
/** A message that compresses well, large enough to need many writes. */
const BIG = `Subject: big\r\n\r\n${Array.from({ length: 20_000 }, (_, i) => `line ${i % 100} of the same old text`).join('\r\n')}\r\n`;

beforeAll(async () => {
  test = await startTestEngine({ users: { [USER]: PASSWORD } });
  const c = await RawImap.loggedIn(test.port('imap'), USER, PASSWORD);
  expect((await c.command(`APPEND INBOX {${BIG.length}+}\r\n${BIG}`)).status).toBe('OK');
  c.close();
});
afterAll(() => test.stop());

async function compressed(tls: boolean): Promise<RawImap> {
  const c = await RawImap.connect(test.port(tls ? 'imaps' : 'imap'), { tls });
  await c.login(USER, PASSWORD);
  expect((await c.command('CAPABILITY')).lines[0]).toContain(' COMPRESS=DEFLATE');
  expect((await c.compress()).status).toBe('OK');
  return c;
}

describe('COMPRESS=DEFLATE', () => {
  for (const tls of [false, true]) {
    it(`compresses both ways after the OK${tls ? ', inside TLS' : ''}, and a large FETCH arrives whole`, async () => {
      const c = await compressed(tls);
      const select = await c.command('SELECT INBOX');
      expect(select.lines).toContain('* 1 EXISTS');
      const fetched = await c.command('FETCH 1 BODY.PEEK[]');
      expect(fetched.lines[0]).toBe(`* 1 FETCH (BODY[] {${BIG.length}}\r\n${BIG})`);
      const again = await c.command('COMPRESS DEFLATE');
      expect([again.status, again.text]).toEqual(['BAD', expect.stringMatching(/^\[COMPRESSIONACTIVE\] /)]);
      expect((await c.command('CAPABILITY')).lines[0]).not.toContain('COMPRESS=DEFLATE');
      expect((await c.command('LOGOUT')).lines).toEqual(['* BYE Logging out']);
      c.close();
    });
  }

  it('is offered only after login, and knows DEFLATE only', async () => {
    const c = await RawImap.connect(test.port('imap'));
    expect((await c.command('CAPABILITY')).lines[0]).not.toContain('COMPRESS');
    expect((await c.command('COMPRESS DEFLATE')).status).toBe('BAD');
    await c.login(USER, PASSWORD);
    expect((await c.command('COMPRESS LZ4')).status).toBe('BAD');
    expect((await c.command('NOOP')).status).toBe('OK');
    c.close();
  });

  it('ends a session whose compressed stream is broken, and only that one', async () => {
    const c = await compressed(false);
    c.socket.write(Buffer.from([0xff, 0xff, 0xff, 0xff, 0x00, 0x13, 0x37]));
    await c.waitFor(() => (c.closed ? true : null), 5000, 'the connection to close');
    const other = await RawImap.loggedIn(test.port('imap'), USER, PASSWORD);
    expect((await other.command('NOOP')).status).toBe('OK');
    other.close();
  });

  it('streams with back-pressure: a client that does not read does not make the server buffer everything', async () => {
    const store = test.engine.context.mailStore;
    const user = test.engine.context.accounts.findUser(USER)!;
    const mailbox = store.createMailbox(user, 'Random');
    // random base64 compresses to about 3/4: hard-linked copies give 64 messages, ~50 MB compressed
    const body = crypto.randomBytes(768 * 1024).toString('base64').replace(/.{76}/g, '$&\r\n');
    await store.appendMessage(user, mailbox, Buffer.from(`Subject: random\r\n\r\n${body}\r\n`));
    for (let i = 0; i < 6; i++) await store.copyMessages(user, mailbox, mailbox, store.listMessages(mailbox.id));
    const c = await compressed(false);
    await c.command('EXAMINE Random');
    const before = process.memoryUsage().arrayBuffers;
    // the same compressed streams both ways as before (one inflater and one deflater for the session)
    c.holdReading();
    c.write('big FETCH 1:* (BODY.PEEK[])\r\n');
    await new Promise((resolve) => setTimeout(resolve, 5000));
    // without waiting for the socket the server would queue its compressed output (~50 MB) in
    // Buffers; with it, what is in flight stays a few MB (the kernel's socket buffers' worth)
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(24 * 1024 * 1024);
    // now read it all: every message arrives
    c.resumeReading();
    const reply = await c.until('big', 100_000);
    expect(reply.status).toBe('OK');
    expect(reply.lines.filter((l) => / FETCH \(BODY\[\] \{/.test(l))).toHaveLength(64);
    expect(reply.lines.reduce((sum, l) => sum + l.length, 0)).toBeGreaterThan(64 * body.length);
    c.close();
  }, 120_000);

  it('is used by imapflow, and a large download through it arrives whole', async () => {
    const client = new ImapFlow({ host: '127.0.0.1', port: test.port('imap'), secure: false, auth: { user: USER, pass: PASSWORD }, logger: false, tls: { rejectUnauthorized: false } });
    await client.connect();
    const lock = await client.getMailboxLock('INBOX');
    try {
      const message = await client.fetchOne('1', { source: true });
      expect(message && message.source!.toString()).toBe(BIG);
      const transcript = test.engine.context.inspector.recent();
      const fetching = transcript.findLast((line) => line.direction === 'C' && / FETCH 1 .*BODY\.PEEK\[\]/.test(line.text));
      expect(transcript.some((line) => line.session === fetching?.session && line.text === 'COMPRESS DEFLATE started')).toBe(true);
    } finally {
      lock.release();
    }
    await client.logout();
  });
});

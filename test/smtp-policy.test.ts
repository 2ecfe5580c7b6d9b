// SMTP rules, answered at the right command with the right code, over real sockets.
import fs from 'node:fs';
import path from 'node:path';
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultSettings } from '../server/settings/defaults.js';
import { loadSettings, settingsPath } from '../server/settings/file.js';
import type { Settings } from '../server/settings/schema.js';
import { startTestEngine, tempDataDir, type TestEngine } from './helpers/engine.js';
import { LineClient } from './helpers/line-client.js';
import { maildirFiles } from './helpers/mail.js';
import { waitFor } from './helpers/smtp-sink.js';

let trusted: TestEngine; // loopback is a trusted network (the default)
let untrusted: TestEngine; // loopback is not trusted: like a client from outside the LAN

const alice = { address: 'alice@lanpost.lan', password: 'alice password 1' };

beforeAll(async () => {
  [trusted, untrusted] = await Promise.all([
    startTestEngine({ change: (s) => (s.limits.recipientsPerMessage = 3) }),
    startTestEngine({ change: (s) => (s.trustedNetworks = ['10.0.0.0/8']) }),
  ]);
  for (const engine of [trusted, untrusted]) {
    await engine.addUser(alice.address, alice.password);
    await engine.addUser('bob@lanpost.lan');
    await engine.addUser('carol@lanpost.lan');
  }
});
afterAll(() => Promise.all([trusted.stop(), untrusted.stop()]));

async function session(engine: TestEngine, service: 'smtp' | 'submission' | 'smtps' = 'smtp'): Promise<LineClient> {
  const client = await LineClient.connect(engine.port(service), { tls: service === 'smtps' });
  expect((await client.smtpReply()).code).toBe(220);
  const ehlo = await client.command('EHLO client.test');
  expect(ehlo.code).toBe(250);
  return client;
}

const plain = (user: string, password: string) => Buffer.from(`\0${user}\0${password}`).toString('base64');

describe('EHLO', () => {
  it('advertises the extensions, and AUTH where plaintext login is allowed (trusted network)', async () => {
    const client = await LineClient.connect(trusted.port('smtp'));
    await client.smtpReply();
    const ehlo = await client.command('EHLO client.test');
    for (const extension of ['PIPELINING', '8BITMIME', 'SMTPUTF8', 'ENHANCEDSTATUSCODES', 'STARTTLS', 'AUTH PLAIN LOGIN']) {
      expect(ehlo.lines.some((l) => l.slice(4).startsWith(extension))).toBe(true);
    }
    expect(ehlo.lines.some((l) => /^250[- ]SIZE 26214400$/.test(l))).toBe(true);
    client.close();
  });

  it('from an untrusted address: no AUTH before STARTTLS, AUTH refused with 538, offered and accepted after', async () => {
    const client = await session(untrusted, 'submission');
    const ehlo = await client.command('EHLO client.test');
    expect(ehlo.lines.some((l) => l.includes('AUTH'))).toBe(false);
    const refused = await client.command(`AUTH PLAIN ${plain(alice.address, alice.password)}`);
    expect(refused.code).toBe(538);
    expect(refused.text).toMatch(/^5\.7\.11 /);
    expect((await client.command('STARTTLS')).code).toBe(220);
    await client.startTls();
    const secured = await client.command('EHLO client.test');
    expect(secured.lines.some((l) => l.includes('AUTH PLAIN LOGIN'))).toBe(true);
    expect((await client.command(`AUTH PLAIN ${plain(alice.address, alice.password)}`)).code).toBe(235);
    client.close();
  });
});

describe('recipients', () => {
  it('refuses an unknown local user with 550 5.1.1 and continues', async () => {
    const client = await session(trusted);
    expect((await client.command('MAIL FROM:<x@example.org>')).code).toBe(250);
    const reply = await client.command('RCPT TO:<nobody@lanpost.lan>');
    expect(reply.code).toBe(550);
    expect(reply.text).toMatch(/^5\.1\.1 /);
    expect((await client.command('RCPT TO:<bob@lanpost.lan>')).code).toBe(250);
    client.close();
  });

  it('refuses relaying for an unauthenticated client with 554 5.7.1', async () => {
    const client = await session(trusted);
    await client.command('MAIL FROM:<x@example.org>');
    const reply = await client.command('RCPT TO:<someone@elsewhere.example>');
    expect(reply.code).toBe(554);
    expect(reply.text).toMatch(/^5\.7\.1 .*Relay access denied/);
    client.close();
  });

  it('lets an authenticated user relay: the message is queued for the foreign domain', async () => {
    const transport = nodemailer.createTransport({
      host: '127.0.0.1',
      port: trusted.port('submission'),
      auth: { user: alice.address, pass: alice.password },
      tls: { rejectUnauthorized: false },
    });
    const info = await transport.sendMail({ from: alice.address, to: 'friend@elsewhere.example', subject: 'out', text: 'hello' });
    expect(info.accepted).toEqual(['friend@elsewhere.example']);
    const queued = trusted.engine.context.db
      .prepare("SELECT recipient FROM queue_recipients WHERE recipient = 'friend@elsewhere.example'")
      .all();
    expect(queued).toHaveLength(1);
  });

  it('answers 452 4.5.3 past the recipient limit', async () => {
    const client = await session(trusted);
    await client.command('MAIL FROM:<x@example.org>');
    for (const rcpt of ['bob', 'carol', 'alice']) expect((await client.command(`RCPT TO:<${rcpt}@lanpost.lan>`)).code).toBe(250);
    const reply = await client.command('RCPT TO:<admin@lanpost.lan>');
    expect(reply.code).toBe(452);
    expect(reply.text).toMatch(/^4\.5\.3 /);
    client.close();
  });

  it('gives 452 4.2.2 to a user over quota while the other recipients still get the message', async () => {
    const full = await trusted.addUser('full@lanpost.lan', 'full password 1', { quotaBytes: 10 });
    const client = await session(trusted);
    // fill the quota first
    await client.command('MAIL FROM:<x@example.org>');
    await client.command(`RCPT TO:<${full.address}>`);
    await client.command('DATA');
    expect((await client.command('Subject: fill\r\n\r\nmore than ten bytes of text\r\n.')).code).toBe(250);
    await client.command('MAIL FROM:<x@example.org>');
    const over = await client.command(`RCPT TO:<${full.address}>`);
    expect(over.code).toBe(452);
    expect(over.text).toMatch(/^4\.2\.2 /);
    expect((await client.command('RCPT TO:<carol@lanpost.lan>')).code).toBe(250);
    await client.command('DATA');
    expect((await client.command('Subject: quota\r\n\r\nbody\r\n.')).code).toBe(250);
    expect(maildirFiles(trusted, full.address)).toHaveLength(1);
    expect(maildirFiles(trusted, 'carol@lanpost.lan').some((f) => fs.readFileSync(f, 'utf8').includes('Subject: quota'))).toBe(true);
    client.close();
  });

  it('expands aliases and distribution lists: postmaster reaches admin, a list reaches each member once', async () => {
    trusted.engine.context.accounts.addAlias('team@lanpost.lan', ['bob@lanpost.lan', 'carol@lanpost.lan']);
    const before = (address: string) => maildirFiles(trusted, address).length;
    const counts = { admin: before('admin@lanpost.lan'), bob: before('bob@lanpost.lan'), carol: before('carol@lanpost.lan') };
    const transport = nodemailer.createTransport({ host: '127.0.0.1', port: trusted.port('smtp'), ignoreTLS: true });
    await transport.sendMail({
      envelope: { from: 'x@example.org', to: ['postmaster@lanpost.lan', 'team@lanpost.lan', 'bob@lanpost.lan'] },
      raw: 'Subject: lists\r\n\r\nto the team\r\n',
    });
    expect(before('admin@lanpost.lan')).toBe(counts.admin + 1);
    expect(before('bob@lanpost.lan')).toBe(counts.bob + 1);
    expect(before('carol@lanpost.lan')).toBe(counts.carol + 1);
  });
});

describe('the greeting pause (early talkers)', () => {
  /** Writes EHLO the moment the connection is up, before any greeting could have been read. */
  async function talkEarly(engine: TestEngine, service: 'smtp' | 'submission'): Promise<Array<{ code: number; text: string }>> {
    const client = await LineClient.connect(engine.port(service));
    client.send('EHLO early.test');
    const replies = [await client.smtpReply()];
    if (replies[0]!.code === 220) replies.push(await client.smtpReply());
    client.close();
    return replies;
  }

  it('holds the greeting on port 25 for a client outside the trusted networks: talking first gets 421', async () => {
    const [reply] = await talkEarly(untrusted, 'smtp');
    expect(reply!.code).toBe(421);
    expect(reply!.text).toMatch(/talk too soon/);
  });

  it('greets at once on port 25 from a trusted network and on the submission port from anywhere', async () => {
    for (const [engine, service] of [[trusted, 'smtp'], [untrusted, 'submission']] as const) {
      const replies = await talkEarly(engine, service);
      expect(replies.map((r) => r.code)).toEqual([220, 250]);
    }
  });
});

describe('a mailbox that cannot be written', () => {
  it('answers 451 4.3.0, keeps the session, shows nothing half-written, and delivers again once the disk is fixed', async () => {
    const dave = await trusted.addUser('dave@lanpost.lan');
    const user = trusted.engine.context.accounts.findUser(dave.address)!;
    const maildir = path.join(trusted.dataDir, user.maildir);
    trusted.engine.context.mailStore.ensureUserMailboxes(user);
    // tmp/ turned into a file: every write into the Maildir now fails (as root too, unlike chmod).
    const tmp = path.join(maildir, 'tmp');
    fs.rmSync(tmp, { recursive: true });
    fs.writeFileSync(tmp, 'not a folder');
    const client = await session(trusted);
    const send = async (to: string, subject: string) => {
      expect((await client.command('MAIL FROM:<x@example.org>')).code).toBe(250);
      expect((await client.command(`RCPT TO:<${to}>`)).code).toBe(250);
      expect((await client.command('DATA')).code).toBe(354);
      return client.command(`Subject: ${subject}\r\n\r\nbody\r\n.`);
    };
    const refused = await send(dave.address, 'broken disk');
    expect(refused.code).toBe(451);
    expect(refused.text).toMatch(/^4\.3\.0 /);
    expect(fs.readdirSync(path.join(maildir, 'new'))).toEqual([]);
    // the session goes on: another mailbox takes mail on the same connection
    const bobBefore = maildirFiles(trusted, 'bob@lanpost.lan').length;
    expect((await send('bob@lanpost.lan', 'same session')).code).toBe(250);
    expect(maildirFiles(trusted, 'bob@lanpost.lan')).toHaveLength(bobBefore + 1);
    // the disk is fixed: the client's retry is delivered
    fs.rmSync(tmp);
    fs.mkdirSync(tmp, { mode: 0o700 });
    expect((await send(dave.address, 'broken disk')).code).toBe(250);
    expect(maildirFiles(trusted, dave.address)).toHaveLength(1);
    client.close();
  });
});

describe('one of several mailboxes cannot be written', () => {
  it('answers 250, keeps the others\' copies, and delivers the broken one once from the queue when the disk is fixed', async () => {
    const context = trusted.engine.context;
    const erin = await trusted.addUser('erin@lanpost.lan');
    const user = context.accounts.findUser(erin.address)!;
    context.mailStore.ensureUserMailboxes(user);
    const tmp = path.join(trusted.dataDir, user.maildir, 'tmp');
    fs.rmSync(tmp, { recursive: true });
    fs.writeFileSync(tmp, 'not a folder');
    const bobBefore = maildirFiles(trusted, 'bob@lanpost.lan').length;
    const client = await session(trusted);
    expect((await client.command('MAIL FROM:<x@example.org>')).code).toBe(250);
    expect((await client.command('RCPT TO:<bob@lanpost.lan>')).code).toBe(250);
    expect((await client.command(`RCPT TO:<${erin.address}>`)).code).toBe(250);
    expect((await client.command('DATA')).code).toBe(354);
    // A 451 here would make the client send again, and bob would have the message twice.
    expect((await client.command('Subject: half a disk\r\n\r\nbody\r\n.')).code).toBe(250);
    client.close();
    expect(maildirFiles(trusted, 'bob@lanpost.lan')).toHaveLength(bobBefore + 1);
    expect(maildirFiles(trusted, erin.address)).toEqual([]);

    // erin waits in the queue, and the worker's first try fails like the delivery did
    const entry = await waitFor(() => {
      const found = context.queue.list().find((e) => e.recipients.some((r) => r.recipient === erin.address));
      return found?.recipients[0]!.attempts ? found : undefined;
    }, 'the queued attempt for erin');
    expect(entry.recipients).toHaveLength(1);
    expect(entry.recipients[0]).toMatchObject({ status: 'pending', status_code: '4.3.0' });
    expect(entry.recipients[0]!.last_response).toMatch(/local delivery failed/);
    const attemptLines = () => context.log.recent().filter((e) => e.source === 'outbound' && e.message.includes(`to=<${erin.address}>`));
    expect(attemptLines().map((e) => e.message)).toEqual([expect.stringMatching(/relay=local, status=deferred \(local delivery failed/)]);

    fs.rmSync(tmp);
    fs.mkdirSync(tmp, { mode: 0o700 });
    context.queue.retry(entry.id);
    await waitFor(() => !context.queue.get(entry.id), 'the entry to leave the queue');
    expect(attemptLines()[1]?.message).toMatch(/relay=local, status=sent/);
    const copies = maildirFiles(trusted, erin.address);
    expect(copies).toHaveLength(1);
    const stored = fs.readFileSync(copies[0]!, 'latin1');
    expect(stored).toMatch(/^Return-Path: <x@example\.org>\r\nDelivered-To: erin@lanpost\.lan\r\nReceived: /);
    expect(stored).toContain('Subject: half a disk');
    expect(maildirFiles(trusted, 'bob@lanpost.lan')).toHaveLength(bobBefore + 1);
  });
});

describe('senders and logins', () => {
  it('refuses a wrong password with 535 5.7.8', async () => {
    const client = await session(trusted, 'submission');
    const reply = await client.command(`AUTH PLAIN ${plain(alice.address, 'wrong password')}`);
    expect(reply.code).toBe(535);
    expect(reply.text).toMatch(/^5\.7\.8 /);
    client.close();
  });

  it('requires AUTH on the submission port (530)', async () => {
    const client = await session(trusted, 'submission');
    const reply = await client.command(`MAIL FROM:<${alice.address}>`);
    expect(reply.code).toBe(530);
    client.close();
  });

  it('refuses an authenticated user sending as someone else (553 5.7.1), allows their alias', async () => {
    trusted.engine.context.accounts.addAlias('sales@lanpost.lan', [alice.address]);
    const client = await session(trusted, 'submission');
    expect((await client.command(`AUTH PLAIN ${plain(alice.address, alice.password)}`)).code).toBe(235);
    const spoof = await client.command('MAIL FROM:<bob@lanpost.lan>');
    expect(spoof.code).toBe(553);
    expect(spoof.text).toMatch(/^5\.7\.1 /);
    expect((await client.command('MAIL FROM:<sales@lanpost.lan>')).code).toBe(250);
    client.close();
  });

  it('refuses an unauthenticated outsider claiming a local sender (553 5.7.1)', async () => {
    const client = await session(untrusted);
    const reply = await client.command('MAIL FROM:<bob@lanpost.lan>');
    expect(reply.code).toBe(553);
    expect((await client.command('MAIL FROM:<someone@example.org>')).code).toBe(250);
    client.close();
  });

  it('works over implicit TLS on the smtps port, and adds Message-ID and Date to a submission lacking them', async () => {
    const transport = nodemailer.createTransport({
      host: '127.0.0.1',
      port: trusted.port('smtps'),
      secure: true,
      auth: { user: alice.address, pass: alice.password },
      tls: { rejectUnauthorized: false },
    });
    await transport.sendMail({ envelope: { from: alice.address, to: ['carol@lanpost.lan'] }, raw: 'Subject: bare\r\n\r\nno id\r\n' });
    const stored = maildirFiles(trusted, 'carol@lanpost.lan')
      .map((f) => fs.readFileSync(f, 'utf8'))
      .find((text) => text.includes('Subject: bare'))!;
    expect(stored).toMatch(/\r\nMessage-ID: <[^>]+@mail\.lanpost\.lan>\r\n/);
    expect(stored).toMatch(/\r\nDate: \w{3}, \d{2} \w{3} \d{4} /);
    expect(stored).toMatch(/with ESMTPSA id/);
    expect(stored).toContain('(Authenticated sender: alice@lanpost.lan)');
  });

  it('keeps AUTH secrets out of the protocol transcript', async () => {
    const secret = plain(alice.address, alice.password);
    const client = await session(trusted, 'submission');
    await client.command(`AUTH PLAIN ${secret}`);
    client.send('AUTH LOGIN');
    client.close();
    const lines = trusted.engine.context.inspector.recent().map((l) => l.text);
    expect(lines.some((l) => l.startsWith('AUTH PLAIN'))).toBe(true);
    expect(lines.join('\n')).not.toContain(secret);
    expect(lines.join('\n')).not.toContain(alice.password);
  });
});

describe('bad input and limits', () => {
  it('logs a client that resets the connection as a lost connection (info, with its session), not as an error', async () => {
    const { log, inspector } = trusted.engine.context;
    const since = Date.now();
    const client = await session(trusted);
    expect((await client.command('MAIL FROM:<x@example.org>')).code).toBe(250);
    client.reset();
    const lost = await waitFor(() => log.recent().find((e) => e.time >= since && e.message.startsWith('connection lost')), 'the log line');
    expect(lost).toMatchObject({ level: 'info', source: 'smtp', client: '127.0.0.1', message: 'connection lost: read ECONNRESET' });
    expect(inspector.recent().some((l) => l.session === lost.session && l.text === 'connection lost: read ECONNRESET')).toBe(true);
    expect(log.recent().filter((e) => e.time >= since && e.level === 'error')).toEqual([]);
  });

  it('answers garbage with 500 and keeps the session usable', async () => {
    const client = await session(trusted);
    expect((await client.command('FLURB something')).code).toBe(500);
    expect((await client.command('RCPT TO:<bob@lanpost.lan>')).code).toBe(503);
    expect((await client.command('NOOP')).code).toBe(250);
    expect((await client.command('MAIL FROM:<x@example.org>')).code).toBe(250);
    client.close();
  });

  it('refuses an announced size over the limit (552 5.3.4) and an oversized message body', async () => {
    const small = await startTestEngine({ change: (s) => (s.limits.messageSizeBytes = 2048) });
    try {
      await small.addUser('bob@lanpost.lan');
      const client = await session(small);
      const announced = await client.command('MAIL FROM:<x@example.org> SIZE=999999');
      expect(announced.code).toBe(552);
      expect(announced.text).toMatch(/^5\.3\.4 /);
      await client.command('MAIL FROM:<x@example.org>');
      await client.command('RCPT TO:<bob@lanpost.lan>');
      await client.command('DATA');
      const big = await client.command(`Subject: big\r\n\r\n${'x'.repeat(70).concat('\r\n').repeat(100)}.`);
      expect(big.code).toBe(552);
      expect(big.text).toMatch(/^5\.3\.4 /);
      expect(maildirFiles(small, 'bob@lanpost.lan')).toHaveLength(0);
      expect((await client.command('NOOP')).code).toBe(250);
      client.close();
    } finally {
      await small.stop();
    }
  });

  it('handles pipelined transactions in one write', async () => {
    const client = await session(trusted);
    const before = maildirFiles(trusted, 'bob@lanpost.lan').length;
    client.write(
      ['MAIL FROM:<p@example.org>', 'RCPT TO:<bob@lanpost.lan>', 'DATA'].join('\r\n') + '\r\n',
    );
    expect((await client.smtpReply()).code).toBe(250);
    expect((await client.smtpReply()).code).toBe(250);
    expect((await client.smtpReply()).code).toBe(354);
    client.write('Subject: p1\r\n\r\none\r\n.\r\nMAIL FROM:<p@example.org>\r\nRCPT TO:<bob@lanpost.lan>\r\nDATA\r\n');
    expect((await client.smtpReply()).code).toBe(250);
    expect((await client.smtpReply()).code).toBe(250);
    expect((await client.smtpReply()).code).toBe(250);
    expect((await client.smtpReply()).code).toBe(354);
    expect((await client.command('Subject: p2\r\n\r\ntwo\r\n.')).code).toBe(250);
    expect(maildirFiles(trusted, 'bob@lanpost.lan')).toHaveLength(before + 2);
    client.close();
  });

  it('limits connections per client address and in all (421 past either limit)', async () => {
    for (const change of [(s: Settings) => (s.limits.connectionsPerClient = 2), (s: Settings) => (s.limits.connectionsTotal = 2)]) {
      const limited = await startTestEngine({ change });
      try {
        const first = await session(limited);
        const second = await session(limited);
        const third = await LineClient.connect(limited.port('smtp'));
        const reply = await third.smtpReply();
        expect(reply.code).toBe(421);
        first.close();
        second.close();
        third.close();
      } finally {
        await limited.stop();
      }
    }
  });
});

describe('too many errors (Postfix smtpd_soft_error_limit, smtpd_hard_error_limit)', () => {
  const HARD = 5;
  let strict: TestEngine; // no reply delay, so the tests run fast
  let slowing: TestEngine; // replies held back 1 s past the soft limit

  beforeAll(async () => {
    [strict, slowing] = await Promise.all([
      startTestEngine({ change: (s) => Object.assign(s.limits, { smtpSoftErrorLimit: 2, smtpHardErrorLimit: HARD, smtpErrorSleepSeconds: 0 }) }),
      startTestEngine({ change: (s) => Object.assign(s.limits, { smtpSoftErrorLimit: 1, smtpHardErrorLimit: 3, smtpErrorSleepSeconds: 1 }) }),
    ]);
    await strict.addUser('bob@lanpost.lan');
  });
  afterAll(() => Promise.all([strict.stop(), slowing.stop()]));

  const probe = (n: number) => Array.from({ length: n }, (_, i) => `RCPT TO:<nouser${i}@lanpost.lan>`);

  it('answers pipelined probes of unknown addresses with 550 up to the hard limit, then 421 4.7.0 Error: too many errors, closes and logs it', async () => {
    const client = await session(strict);
    client.write(['MAIL FROM:<probe@outside.test>', ...probe(50)].join('\r\n') + '\r\n');
    expect((await client.smtpReply()).code).toBe(250);
    for (let i = 0; i < HARD; i++) expect((await client.smtpReply()).code).toBe(550);
    const last = await client.smtpReply();
    expect(last.code).toBe(421);
    expect(last.text).toMatch(/^4\.7\.0 \S+ Error: too many errors$/);
    await client.waitClosed();
    const warning = strict.engine.context.log.recent().find((e) => e.message.includes('too many errors'));
    expect(warning).toMatchObject({ level: 'warn', source: 'smtp', client: '127.0.0.1' });
  });

  it('counts unknown commands, commands out of sequence and refused senders as errors too', async () => {
    const mx = await session(strict);
    for (const command of ['FLURB', 'RCPT TO:<bob@lanpost.lan>', 'DATA', 'FLURB']) expect((await mx.command(command)).code).toBeGreaterThanOrEqual(500);
    expect((await mx.command('MAIL FROM:<a@outside.test>')).code).toBe(250);
    expect((await mx.command('MAIL FROM:<a@outside.test>')).code).toBe(503); // nested MAIL: the fifth error
    expect((await mx.command('NOOP')).code).toBe(421);
    await mx.waitClosed();

    const submission = await session(strict, 'submission');
    for (let i = 0; i < HARD; i++) expect((await submission.command('MAIL FROM:<bob@lanpost.lan>')).code).toBe(530);
    expect((await submission.command('NOOP')).code).toBe(421);
    await submission.waitClosed();
  });

  it('lets a session under the limit, and a new connection, carry on normally', async () => {
    const before = maildirFiles(strict, 'bob@lanpost.lan').length;
    const client = await session(strict);
    expect((await client.command('MAIL FROM:<x@outside.test>')).code).toBe(250);
    for (const rcpt of probe(HARD - 1)) expect((await client.command(rcpt)).code).toBe(550);
    expect((await client.command('RCPT TO:<bob@lanpost.lan>')).code).toBe(250);
    expect((await client.command('DATA')).code).toBe(354);
    expect((await client.command('Subject: still welcome\r\n\r\nhello\r\n.')).code).toBe(250);
    client.close();
    expect(maildirFiles(strict, 'bob@lanpost.lan')).toHaveLength(before + 1);
    const fresh = await session(strict);
    expect((await fresh.command('MAIL FROM:<x@outside.test>')).code).toBe(250);
    fresh.close();
  });

  it('loads a settings.json written before these settings with Postfix\'s defaults: 10, 20 and 1 second', () => {
    const dataDir = tempDataDir();
    try {
      const olderLimits = Object.fromEntries(Object.entries(defaultSettings().limits).filter(([key]) => !key.startsWith('smtp')));
      fs.writeFileSync(settingsPath(dataDir), JSON.stringify({ ...defaultSettings(), limits: olderLimits }));
      expect(loadSettings(dataDir).settings.limits).toMatchObject({ smtpSoftErrorLimit: 10, smtpHardErrorLimit: 20, smtpErrorSleepSeconds: 1 });
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('past the soft limit still answers every pipelined command, in order, until the hard limit', async () => {
    const client = await session(slowing);
    client.write(['MAIL FROM:<probe@outside.test>', ...probe(10)].join('\r\n') + '\r\n');
    const codes = [];
    for (let i = 0; i < 5; i++) codes.push((await client.smtpReply()).code);
    expect(codes).toEqual([250, 550, 550, 550, 421]);
    await client.waitClosed();
  });
});

// Failed logins are penalised per client address: per (address, account) a delay then a block of
// that address for that account; per address across accounts a block of the address. The
// account itself is never locked, so nobody can lock a colleague out. Attempts are reserved
// before the password is checked, so parallel guesses cannot get past the limit.
// Each test plays its own client computers (127.0.0.x source addresses) and its own accounts.
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultSettings } from '../server/settings/defaults.js';
import { loadSettings, settingsPath } from '../server/settings/file.js';
import { startTestEngine, tempDataDir, type TestEngine } from './helpers/engine.js';
import { LineClient } from './helpers/line-client.js';
import { Pop3Client } from './helpers/pop3.js';
import { RawImap } from './imap-helpers.js';

const LOCK = 3; // authThrottle.lockAfterFailures: per (address, account)
const ADDRESS_LOCK = 5; // authThrottle.addressLockAfterFailures: per address, all accounts
const PASSWORD = 'the right password';

let test: TestEngine;

beforeAll(async () => {
  test = await startTestEngine({
    change: (s) => {
      s.authThrottle = {
        delayAfterFailures: 3,
        lockAfterFailures: LOCK,
        lockSeconds: 60,
        addressLockAfterFailures: ADDRESS_LOCK,
        accountDelayAfterFailures: 1000,
      };
      s.limits.connectionsPerClient = 40;
    },
  });
  for (const name of ['zoe', 'amy', 'ben', 'cat', 'dan', 'ivy', 'joe', 'pat', 'sam', 'tom']) await test.addUser(`${name}@lanpost.lan`, PASSWORD);
});
afterAll(() => test.stop());

const base64 = (text: string) => Buffer.from(text).toString('base64');
const plain = (address: string, password: string) => base64(`\0${address}\0${password}`);

async function smtpSession(localAddress: string): Promise<LineClient> {
  const client = await LineClient.connect(test.port('submission'), { localAddress });
  expect((await client.smtpReply()).code).toBe(220);
  expect((await client.command('EHLO throttle.test')).code).toBe(250);
  return client;
}

async function smtpLogin(localAddress: string, address: string, password: string): Promise<number> {
  const client = await smtpSession(localAddress);
  const reply = await client.command(`AUTH PLAIN ${plain(address, password)}`);
  client.close();
  return reply.code;
}

async function imapLogin(localAddress: string, address: string, password: string): Promise<string> {
  const client = await RawImap.connect(test.port('imap'), { localAddress });
  const reply = await client.login(address, password);
  client.close();
  return `${reply.status} ${reply.text}`;
}

async function pop3Login(localAddress: string, address: string, password: string): Promise<string> {
  const client = await Pop3Client.connect(test.port('pop3'), { localAddress });
  const reply = await client.login(address, password);
  await client.quit();
  return reply;
}

const warnings = (fragment: string) =>
  test.engine.context.log.recent().filter((e) => e.level === 'warn' && e.message.includes(fragment));

describe('failed logins penalise the address, not the account', () => {
  const zoe = 'zoe@lanpost.lan';

  it('answers 535 for wrong passwords, then 454 4.7.0 from that address even for the right one, and logs who failed from where', async () => {
    const client = await smtpSession('127.0.0.1');
    for (let i = 0; i < LOCK; i++) expect((await client.command(`AUTH PLAIN ${plain(zoe, `wrong ${i}`)}`)).code).toBe(535);
    const locked = await client.command(`AUTH PLAIN ${plain(zoe, PASSWORD)}`);
    expect(locked.code).toBe(454);
    expect(locked.text).toMatch(/^4\.7\.0 Too many failed logins, try again in \d+ seconds/);
    client.close();
    expect(await imapLogin('127.0.0.1', zoe, PASSWORD)).toMatch(/^NO \[UNAVAILABLE\]/);
    expect(await pop3Login('127.0.0.1', zoe, PASSWORD)).toMatch(/^-ERR \[SYS\/TEMP\] /);

    const failures = test.engine.context.log.recent().filter((e) => e.message.startsWith(`login failed for ${zoe}`));
    expect(failures.length).toBeGreaterThanOrEqual(LOCK);
    expect(failures[0]).toMatchObject({ client: '127.0.0.1', source: 'submission' });
  });

  it('keeps the account usable from another address on every protocol', async () => {
    expect(await smtpLogin('127.0.0.6', zoe, PASSWORD)).toBe(235);
    expect(await imapLogin('127.0.0.6', zoe, PASSWORD)).toMatch(/^OK /);
    expect(await pop3Login('127.0.0.6', zoe, PASSWORD)).toMatch(/^\+OK /);
  });

  it('logs the block at warn level: which account, from which address, until when', () => {
    const [block] = warnings(`127.0.0.1 may not log in as ${zoe}`);
    expect(block).toMatchObject({ source: 'auth', client: '127.0.0.1', user: zoe });
    expect(block!.message).toMatch(/until \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ/);
  });

  it('blocks an address on every account after failures across accounts, and logs it; other addresses are not affected', async () => {
    // Under LOCK per account, ADDRESS_LOCK in all (an unknown name counts as well).
    const guesses = ['amy', 'amy', 'ben', 'ben', 'nobody'];
    for (const name of guesses) expect(await smtpLogin('127.0.0.3', `${name}@lanpost.lan`, 'a guess')).toBe(535);
    expect(await smtpLogin('127.0.0.3', 'cat@lanpost.lan', PASSWORD)).toBe(454);
    expect(await imapLogin('127.0.0.3', 'cat@lanpost.lan', PASSWORD)).toMatch(/^NO \[UNAVAILABLE\]/);
    expect(await smtpLogin('127.0.0.4', 'amy@lanpost.lan', PASSWORD)).toBe(235);
    expect(await smtpLogin('127.0.0.4', 'cat@lanpost.lan', PASSWORD)).toBe(235);

    const [block] = warnings('127.0.0.3 may not log in to any account');
    expect(block).toMatchObject({ source: 'auth', client: '127.0.0.3' });
    expect(block!.message).toMatch(/until \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ/);
  });

  it('never hard-locks an account attacked from many addresses', async () => {
    for (let host = 20; host < 28; host++) {
      for (let i = 0; i < LOCK; i++) expect(await smtpLogin(`127.0.0.${host}`, 'dan@lanpost.lan', `guess ${i}`)).toBe(535);
      expect(await smtpLogin(`127.0.0.${host}`, 'dan@lanpost.lan', PASSWORD)).toBe(454);
    }
    expect(await smtpLogin('127.0.0.28', 'dan@lanpost.lan', PASSWORD)).toBe(235);
  });
});

describe('parallel guesses are counted before the password is checked', () => {
  const PARALLEL = 20;
  /** The password of the i-th of PARALLEL guesses: all wrong but the last. */
  const guess = (i: number) => (i === PARALLEL - 1 ? PASSWORD : `wrong guess ${i}`);

  it('IMAP: of 20 LOGIN/AUTHENTICATE at once from one address, at most the limit are checked; the right one, last, is refused', async () => {
    const user = 'ivy@lanpost.lan';
    const clients = await Promise.all(Array.from({ length: PARALLEL }, () => RawImap.connect(test.port('imap'), { localAddress: '127.0.0.2' })));
    const tags = clients.map((client, i) => {
      const tag = client.nextTag();
      const command = i % 2 ? `AUTHENTICATE PLAIN ${plain(user, guess(i))}` : `LOGIN "${user}" "${guess(i)}"`;
      client.write(`${tag} ${command}\r\n`);
      return tag;
    });
    const replies = await Promise.all(clients.map((client, i) => client.until(tags[i]!)));
    clients.forEach((client) => client.close());
    const checked = replies.filter((r) => !r.text.startsWith('[UNAVAILABLE]'));
    expect(checked.length).toBeLessThanOrEqual(LOCK);
    expect(replies.at(-1)).toMatchObject({ status: 'NO' });
    expect(replies.at(-1)!.text).toMatch(/^\[UNAVAILABLE\]/);
  });

  it('IMAP: from 4 addresses at once, at most the limit per address are checked', async () => {
    const user = 'joe@lanpost.lan';
    const hosts = ['127.0.0.30', '127.0.0.31', '127.0.0.32', '127.0.0.33'];
    const clients = await Promise.all(
      hosts.flatMap((localAddress) => Array.from({ length: 10 }, () => RawImap.connect(test.port('imap'), { localAddress }))),
    );
    const tags = clients.map((client, i) => {
      const tag = client.nextTag();
      client.write(`${tag} LOGIN "${user}" "wrong guess ${i}"\r\n`);
      return tag;
    });
    const replies = await Promise.all(clients.map((client, i) => client.until(tags[i]!)));
    clients.forEach((client) => client.close());
    expect(replies.every((r) => r.status === 'NO')).toBe(true);
    expect(replies.filter((r) => !r.text.startsWith('[UNAVAILABLE]')).length).toBeLessThanOrEqual(LOCK * hosts.length);
  });

  it('POP3: of 20 PASS/AUTH at once from one address, at most the limit are checked; the right one, last, is refused', async () => {
    const user = 'pat@lanpost.lan';
    const clients = await Promise.all(Array.from({ length: PARALLEL }, () => Pop3Client.connect(test.port('pop3'), { localAddress: '127.0.0.7' })));
    for (const [i, client] of clients.entries()) if (i % 2 === 0) expect(await client.command(`USER ${user}`)).toMatch(/^\+OK/);
    clients.forEach((client, i) => client.send(i % 2 ? `AUTH PLAIN ${plain(user, guess(i))}\r\n` : `PASS ${guess(i)}\r\n`));
    const replies = await Promise.all(clients.map((client) => client.readLine()));
    await Promise.all(clients.map((client) => client.quit()));
    const checked = replies.filter((r) => !r.startsWith('-ERR [SYS/TEMP]'));
    expect(checked.length).toBeLessThanOrEqual(LOCK);
    expect(replies.at(-1)).toMatch(/^-ERR \[SYS\/TEMP\] Too many failed logins/);
  });

  it('SMTP: of 20 AUTH at once from one address, at most the limit are checked; the right one, last, is refused', async () => {
    const user = 'sam@lanpost.lan';
    const clients = await Promise.all(Array.from({ length: PARALLEL }, () => smtpSession('127.0.0.8')));
    clients.forEach((client, i) => client.send(`AUTH PLAIN ${plain(user, guess(i))}`));
    const replies = await Promise.all(clients.map((client) => client.smtpReply()));
    clients.forEach((client) => client.close());
    expect(replies.filter((r) => r.code !== 454).length).toBeLessThanOrEqual(LOCK);
    expect(replies.at(-1)!.code).toBe(454);
  });

  it('lets a client that opens several connections at once with the right password log in on all of them', async () => {
    const user = 'tom@lanpost.lan';
    const clients = await Promise.all(Array.from({ length: 2 * LOCK + 2 }, () => RawImap.connect(test.port('imap'), { localAddress: '127.0.0.9' })));
    const replies = await Promise.all(clients.map((client) => client.login(user, PASSWORD)));
    clients.forEach((client) => client.close());
    expect(replies.map((r) => r.status)).toEqual(clients.map(() => 'OK'));
  });
});

describe('authThrottle settings', () => {
  it('loads a settings.json written before the address-based model: the new keys start at their defaults, the old ones keep their values', () => {
    const dataDir = tempDataDir();
    try {
      const older = { ...defaultSettings(), authThrottle: { delayAfterFailures: 4, lockAfterFailures: 7, lockSeconds: 120 } };
      fs.writeFileSync(settingsPath(dataDir), JSON.stringify(older));
      expect(loadSettings(dataDir).settings.authThrottle).toEqual({
        delayAfterFailures: 4,
        lockAfterFailures: 7,
        lockSeconds: 120,
        addressLockAfterFailures: 30,
        accountDelayAfterFailures: 20,
      });
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

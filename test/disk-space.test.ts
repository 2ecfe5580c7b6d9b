// A disk that fills up: new mail is refused below the free-space floor (452 4.3.1, as Postfix's
// queue_minfree), the window is told, and a disk that really is full takes no service down.
import fs from 'node:fs';
import path from 'node:path';
import { Resolver } from 'node:dns/promises';
import { afterAll, describe, expect, it } from 'vitest';
import type { OverviewResponse } from '../server/admin/contract/index.js';
import { api, LiveEvents } from './helpers/admin.js';
import { spawnServe } from './helpers/cli.js';
import { prepareDataDir, startTestEngine, tempDataDir, type TestEngine } from './helpers/engine.js';
import { LineClient } from './helpers/line-client.js';
import { mountTmpfs, unmount } from './helpers/tmpfs.js';

const BEYOND_ANY_DISK = Number.MAX_SAFE_INTEGER;

async function smtpSession(port: number): Promise<LineClient> {
  const client = await LineClient.connect(port);
  expect((await client.smtpReply()).code).toBe(220);
  expect((await client.command('EHLO disk.test')).code).toBe(250);
  return client;
}

/** One message over SMTP; the reply code of MAIL FROM if refused there, else of the end of DATA. */
async function sendMessage(client: LineClient, to: string, body: string, size?: number): Promise<{ code: number; text: string }> {
  const mail = await client.command(`MAIL FROM:<someone@example.com>${size ? ` SIZE=${size}` : ''}`);
  if (mail.code !== 250) return mail;
  const rcpt = await client.command(`RCPT TO:<${to}>`);
  if (rcpt.code !== 250) return rcpt;
  expect((await client.command('DATA')).code).toBe(354);
  client.write(`Subject: disk test\r\n\r\n${body}\r\n.\r\n`);
  return client.smtpReply();
}

describe('the free-space floor (limits.minFreeDiskBytes)', () => {
  let test: TestEngine;
  afterAll(() => test?.stop());

  it('refuses new mail with 452 4.3.1 while free space is below it, tells the window, and accepts again once it is lowered', async () => {
    test = await startTestEngine({ change: (s) => (s.limits.minFreeDiskBytes = BEYOND_ANY_DISK) });
    const live = await LiveEvents.open(test);
    try {
      const status = (await api(test, '/api/status')).body;
      expect(status.disk).toMatchObject({ low: true, floorBytes: BEYOND_ANY_DISK });
      expect(status.disk.freeBytes).toBeGreaterThan(0);
      expect(test.engine.context.log.recent().map((e) => `${e.level} ${e.message}`)).toContainEqual(
        expect.stringMatching(/^warn disk nearly full: \d+ MB free .* new mail is refused/),
      );

      const mx = await smtpSession(test.port('smtp'));
      const refused = await sendMessage(mx, test.admin.address, 'refused');
      expect(refused.code).toBe(452);
      expect(refused.text).toMatch(/^4\.3\.1 Insufficient system storage/);
      mx.close();

      const imap = await LineClient.connect(test.port('imap'));
      await imap.line();
      imap.send(`a LOGIN ${test.admin.address} "${test.admin.password}"`);
      expect(await imap.line()).toMatch(/^a OK/);
      imap.send('b APPEND INBOX {5}');
      expect(await imap.line()).toMatch(/^\+/);
      imap.send('hello');
      expect(await imap.line()).toBe('b NO [OVERQUOTA] Not enough disk space');
      imap.close();

      const lowered = await api(test, '/api/settings', { method: 'PATCH', body: { changes: [{ key: 'limits.minFreeDiskBytes', value: 0 }] } });
      expect(lowered.status).toBe(200);
      const event = await live.waitFor((e) => e.type === 'disk');
      expect(event).toMatchObject({ type: 'disk', disk: { low: false, floorBytes: 0 } });
      expect((await api(test, '/api/status')).body.disk.low).toBe(false);

      const again = await smtpSession(test.port('smtp'));
      expect((await sendMessage(again, test.admin.address, 'accepted')).code).toBe(250);
      // A client that announces more than the disk has left is refused before it sends it (RFC 1870).
      const free = (await api(test, '/api/status')).body.disk.freeBytes as number;
      await api(test, '/api/settings', { method: 'PATCH', body: { changes: [{ key: 'limits.messageSizeBytes', value: BEYOND_ANY_DISK }] } });
      const tooBig = await sendMessage(await smtpSession(test.port('smtp')), test.admin.address, 'never sent', free + 1024 * 1024 * 1024);
      expect(tooBig.code).toBe(452);
      again.close();
    } finally {
      live.close();
    }
  });
});

const mountPoint = tempDataDir('lanpost-full-disk-');
const cannotMount = mountTmpfs(mountPoint, '20m');
afterAll(() => {
  if (!cannotMount) unmount(mountPoint);
  fs.rmSync(mountPoint, { recursive: true, force: true });
});

describe.skipIf(cannotMount !== null)(`a disk that really fills up (20 MB tmpfs)${cannotMount ? ` — skipped: ${cannotMount}` : ''}`, () => {
  it('answers 451/452 when it is full, keeps every service running, loses nothing accepted, and counts the traffic once space is back', async () => {
    const data = path.join(mountPoint, 'data');
    prepareDataDir(data, (s) => {
      s.limits.minFreeDiskBytes = 0; // no floor: the disk really fills
      s.services.dns.enabled = true;
    });
    const serve = await spawnServe(data, 60_000);
    let exitCode: number | null | undefined;
    serve.child.on('exit', (code) => (exitCode = code));
    const adminPassword = /created the mailbox admin@lanpost\.lan with the password (\S+)/.exec(serve.output())![1]!;
    const filler = path.join(mountPoint, 'filler');
    try {
      // Leave about 300 KB, then send 40 KB messages until the disk refuses one.
      const { bavail, bsize } = fs.statfsSync(mountPoint);
      fs.writeFileSync(filler, Buffer.alloc(Math.max(0, bavail * bsize - 300 * 1024)));
      const body = ('x'.repeat(998) + '\r\n').repeat(40);
      let accepted = 0;
      let refusal: { code: number; text: string } | null = null;
      for (let attempt = 0; attempt < 40 && !refusal; attempt++) {
        const client = await smtpSession(serve.ports.smtp!);
        const reply = await sendMessage(client, 'admin@lanpost.lan', body);
        client.close();
        if (reply.code === 250) accepted++;
        else refusal = reply;
      }
      expect(refusal?.code, 'the disk never refused a message').toBeDefined();
      expect([451, 452]).toContain(refusal!.code);

      // What the refused delivery gave back when it cleaned up is taken again (how much depends on
      // where the disk ran out: the message file or the index): the timers below meet a full disk.
      const { bavail: left } = fs.statfsSync(mountPoint);
      fs.appendFileSync(filler, Buffer.alloc(left * bsize));
      // The traffic counter's write (1 s after a message) and the other timers meet the full disk.
      await new Promise((resolve) => setTimeout(resolve, 2500));
      expect(exitCode, serve.output()).toBeUndefined();
      const smtp = await LineClient.connect(serve.ports.smtp!);
      expect((await smtp.smtpReply()).code).toBe(220);
      smtp.close();
      expect(serve.output()).toContain('traffic counts not written, kept in memory');
      // IMAP on the full disk: SELECT claims \Recent, FETCH fills the MIME cache, STORE writes flags.
      const imap = await LineClient.connect(serve.ports.imap!);
      expect(await imap.line()).toMatch(/^\* OK/);
      const imapCommand = async (tag: string, command: string): Promise<string> => {
        imap.send(`${tag} ${command}`);
        for (;;) {
          const line = await imap.line();
          if (line.startsWith(`${tag} `)) return line;
        }
      };
      expect(await imapCommand('a', `LOGIN admin@lanpost.lan "${adminPassword}"`)).toMatch(/^a OK/);
      const select = await imapCommand('b', 'SELECT INBOX');
      expect(select, serve.output().split('\n').filter((l) => l.includes('imap')).join('\n')).toMatch(/^b OK/);
      expect(await imapCommand('c', 'FETCH 1:* (ENVELOPE BODYSTRUCTURE)')).toMatch(/^c (OK|NO)/);
      const store = await imapCommand('d', 'STORE 1 +FLAGS (\\Flagged)');
      expect(store).toMatch(/^d (OK|NO)/);
      expect(store).not.toContain(mountPoint);
      expect(await imapCommand('e', 'NOOP')).toMatch(/^e OK/);
      imap.close();
      await new Promise((resolve) => setTimeout(resolve, 1500)); // the MIME cache's deferred write
      expect(exitCode, serve.output()).toBeUndefined();
      const resolver = new Resolver({ timeout: 3000, tries: 1 });
      resolver.setServers([`127.0.0.1:${serve.ports.dns}`]);
      expect((await resolver.resolveMx('lanpost.lan'))[0]?.exchange).toBe('mail.lanpost.lan');

      // Space back: mail is accepted again, and every message that got 250 is there.
      fs.rmSync(filler);
      const after = await smtpSession(serve.ports.smtp!);
      expect((await sendMessage(after, 'admin@lanpost.lan', 'after')).code).toBe(250);
      after.close();
      const pop = await LineClient.connect(serve.ports.pop3!);
      expect(await pop.line()).toMatch(/^\+OK/);
      pop.send('USER admin@lanpost.lan');
      await pop.line();
      pop.send(`PASS ${adminPassword}`);
      expect(await pop.line()).toMatch(/^\+OK/);
      pop.send('STAT');
      expect(await pop.line()).toMatch(new RegExp(`^\\+OK ${accepted + 1} `));
      pop.close();

      // Counts that waited in memory are written at the latest on stop, and read back after it.
      expect(await serve.stop()).toBe(0);
      const again = await spawnServe(data, 60_000);
      try {
        const url = new URL(again.adminUrl);
        const token = new URLSearchParams(url.hash.slice(1)).get('token');
        const overview = (await fetch(`${url.origin}/api/overview`, { headers: { authorization: `Bearer ${token}` } }).then((r) => r.json())) as OverviewResponse;
        expect(overview.counts.messagesToday).toBe(accepted + 1);
      } finally {
        await again.stop();
      }
    } finally {
      fs.rmSync(filler, { force: true });
      if (exitCode === undefined) await serve.stop();
    }
  });
});

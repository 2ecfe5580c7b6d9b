// Outbound delivery over routes (settings.routes → loopback smtp-server sinks): byte-for-byte
// with DKIM, 4xx then retry, 5xx → DSN, no bounce for the null sender and no bounce loops,
// several domains per message, SIZE, connection reuse, and the queue CLI.
import { Resolver } from 'node:dns/promises';
import fs from 'node:fs';
import path from 'node:path';
import SMTPConnection from 'nodemailer/lib/smtp-connection';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { QueueChange, QueueEntry } from '../server/delivery/queue.js';
import { runCli } from './helpers/cli.js';
import { publishedRecord, verifyWithDkimpy, verifyWithMailauth } from './helpers/dkim-verify.js';
import { waitForDsn } from './helpers/dsn.js';
import { startTestEngine, type TestEngine } from './helpers/engine.js';
import { maildirFiles, withoutTraceHeaders, submitAs } from './helpers/mail.js';
import { startSink, waitFor, type Sink } from './helpers/smtp-sink.js';

let test: TestEngine;
let alice: { address: string; password: string };
const sinks: Record<string, Sink> = {};
const changes: QueueChange[] = [];
let threeAccepts = false;
let openGate: () => void = () => {};

beforeAll(async () => {
  const gate = new Promise<void>((resolve) => (openGate = resolve));
  const started = await Promise.all([
    startSink(),
    startSink({ data: (_message, attempt) => (attempt === 1 ? { code: 451, text: '4.3.0 Try again later' } : null) }),
    startSink({ rcpt: (a) => (a.startsWith('nobody@') ? { code: 550, text: `5.1.1 <${a}>: Recipient address rejected: User unknown` } : null) }),
    startSink(),
    startSink(),
    startSink({ rcpt: () => (threeAccepts ? null : { code: 451, text: '4.2.1 Mailbox busy' }) }),
    startSink({ server: { size: 2000 } }),
    startSink({ rcpt: () => ({ code: 550, text: '5.1.1 No such user here' }) }),
    startSink({ rcpt: () => ({ code: 450, text: '4.2.0 Greylisted, come back later' }) }),
    startSink({ gate }),
  ]);
  const names = ['remote', 'retry', 'reject', 'one', 'two', 'three', 'small', 'bouncer', 'defer', 'burst'];
  names.forEach((name, i) => (sinks[name] = started[i]!));
  test = await startTestEngine({
    change: (settings) => {
      settings.routes = Object.fromEntries(names.map((name) => [`${name}.test`, `127.0.0.1:${sinks[name]!.port}`]));
      settings.outbound.retryBaseSeconds = 3600; // retries in this file are driven by queue.retry()
      settings.outbound.connectionsPerDestination = 2;
      settings.relay.fromTrustedNetworks = true; // port 25 from loopback may relay: null and foreign senders
      settings.localDomains.push('second.lan');
    },
  });
  alice = await test.addUser('alice@lanpost.lan');
  test.engine.context.queue.on('change', (change: QueueChange) => changes.push(change));
});

afterAll(async () => {
  await test?.stop();
  await Promise.all(Object.values(sinks).map((sink) => sink.close()));
});

function message(subject: string, to: string, body = 'Hello.\r\n.leading dot\r\nGrüße, 你好\r\n'): string {
  return (
    `From: Alice <alice@lanpost.lan>\r\nTo: ${to}\r\nSubject: ${subject}\r\nMessage-ID: <${subject}@lanpost.lan>\r\n` +
    `Date: Sat, 28 Nov 2026 10:00:00 +0000\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n${body}`
  );
}

/** As a mail client: authenticated on the submission port. */
function submit(to: string[], raw: string) {
  return submitAs(test, alice, { envelope: { from: alice.address, to }, raw });
}

/** As another server on a trusted network: port 25, no login (relay.fromTrustedNetworks). */
async function relayFromTrustedNetwork(from: string, to: string[], raw: string): Promise<void> {
  const connection = new SMTPConnection({ host: '127.0.0.1', port: test.port('smtp'), ignoreTLS: true });
  await new Promise<void>((resolve, reject) => connection.connect((error) => (error ? reject(error) : resolve())));
  await new Promise((resolve, reject) => connection.send({ from, to }, raw, (error, info) => (error ? reject(error) : resolve(info))));
  connection.quit();
}

function entryFor(recipient: string): QueueEntry | undefined {
  return test.engine.context.queue.list().find((entry) => entry.recipients.some((r) => r.recipient === recipient));
}

function withoutDkimSignature(data: Buffer): { signature: string; rest: Buffer } {
  const match = /^DKIM-Signature:[^\r\n]*\r\n(?:[ \t][^\r\n]*\r\n)*/.exec(data.toString('latin1'));
  if (!match) throw new Error(`no DKIM-Signature at the top of:\n${data.toString('utf8', 0, 300)}`);
  return { signature: match[0], rest: data.subarray(match[0].length) };
}

describe('outbound delivery over routes', () => {
  it('sends a submitted message byte-for-byte, DKIM-signed (verified by dkimpy and mailauth), over opportunistic STARTTLS', async () => {
    const raw = message('dkim', 'bob@remote.test');
    const info = await submit(['bob@remote.test'], raw);
    expect(info.accepted).toEqual(['bob@remote.test']);
    const received = await waitFor(() => sinks.remote!.messages[0], 'the delivery to remote.test');
    expect(received.from).toBe('alice@lanpost.lan');
    expect(received.to).toEqual(['bob@remote.test']);
    expect(received.secure).toBe(true);

    const { signature, rest } = withoutDkimSignature(received.data);
    expect(withoutTraceHeaders(rest).toString('utf8')).toBe(raw);
    expect(signature).toMatch(/\bd=lanpost\.lan;/);
    expect(signature).toMatch(/\bs=lanpost;/);
    expect(signature).toMatch(/\ba=rsa-sha256;/);

    const record = publishedRecord(test.dataDir, 'lanpost.lan');
    // The engine's own DNS responder publishes that key (it re-reads the key files every few seconds).
    const resolver = new Resolver({ timeout: 1000, tries: 1 });
    resolver.setServers([`127.0.0.1:${test.port('dns')}`]);
    const served = await waitFor(async () => {
      const records = await resolver.resolveTxt('lanpost._domainkey.lanpost.lan').catch(() => []);
      return records.length ? records.map((chunks) => chunks.join('')) : undefined;
    }, 'the DKIM TXT record from the engine DNS');
    expect(served).toEqual([record]);
    expect(verifyWithDkimpy(received.data, record, 'lanpost.lan')).toBe('pass');
    const results = await verifyWithMailauth(received.data, record, 'lanpost.lan');
    expect(results).toHaveLength(1);
    expect(results[0]!.status.result).toBe('pass');
    expect(results[0]!.signingDomain).toBe('lanpost.lan');
    // The verifiers can say no: a changed body fails.
    const tampered = Buffer.from(received.data.toString('latin1').replace('Hello.', 'Hullo.'), 'latin1');
    expect(verifyWithDkimpy(tampered, record, 'lanpost.lan')).toBe('fail');

    // A key per local domain since the first start, in the files the DNS responder publishes from.
    for (const domain of ['lanpost.lan', 'second.lan']) {
      const dir = path.join(test.dataDir, 'dkim', domain);
      expect(fs.statSync(path.join(dir, 'lanpost.key.pem')).mode & 0o777).toBe(0o600);
      expect(fs.readFileSync(path.join(dir, 'lanpost.pub.pem'), 'utf8')).toMatch(/^-----BEGIN PUBLIC KEY-----\n/);
    }
    await waitFor(() => !entryFor('bob@remote.test'), 'the entry to leave the queue');
  });

  it('retries after a 4xx and delivers on the retry', async () => {
    await submit(['carol@retry.test'], message('retry', 'carol@retry.test'));
    const entry = await waitFor(() => {
      const found = entryFor('carol@retry.test');
      return found && found.recipients[0]!.attempts === 1 ? found : undefined;
    }, 'the first attempt');
    const first = entry.recipients[0]!;
    expect(first.status).toBe('pending');
    expect(first.last_response).toMatch(/^451 4\.3\.0 Try again later/);
    expect(first.status_code).toBe('4.3.0');
    expect(first.remote_host).toBe(`127.0.0.1:${sinks.retry!.port}`);
    expect(first.next_attempt_at - first.last_attempt_at!).toBe(3600_000); // the backoff base from settings
    expect(sinks.retry!.messages).toHaveLength(0);

    expect(test.engine.context.queue.retry(entry.id)).toBe(1);
    await waitFor(() => sinks.retry!.messages.length === 1, 'the retry');
    expect(withoutTraceHeaders(withoutDkimSignature(sinks.retry!.messages[0]!.data).rest).toString('utf8')).toBe(message('retry', 'carol@retry.test'));
    await waitFor(() => !test.engine.context.queue.get(entry.id), 'the entry to leave the queue');
    const attempts = changes.filter((c) => c.kind === 'attempt' && c.id === entry.id);
    expect(attempts.map((c) => (c.kind === 'attempt' ? c.results.map((r) => r.status) : []))).toEqual([['pending'], ['delivered']]);
  });

  it('bounces a 5xx recipient at once with an RFC 3464 DSN in the sender INBOX; the accepted one is delivered', async () => {
    await submit(['ok@reject.test', 'nobody@reject.test'], message('bounce', 'ok@reject.test, nobody@reject.test'));
    await waitFor(() => sinks.reject!.messages.length === 1, 'the delivery of the accepted recipient');
    expect(sinks.reject!.messages[0]!.to).toEqual(['ok@reject.test']);

    const dsn = await waitForDsn(test, alice.address, 'bounce');
    expect(dsn.raw).toMatch(/^Return-Path: <>\r\n/);
    expect(dsn.raw).toMatch(/\r\nFrom: Mail Delivery System <MAILER-DAEMON@lanpost\.lan>\r\n/);
    expect(dsn.raw).toMatch(/\r\nAuto-Submitted: auto-replied\r\n/);
    expect(dsn.parts.map((p) => p.type)).toEqual(['text/plain', 'message/delivery-status', 'text/rfc822-headers']);
    expect(dsn.status).toMatch(/^Reporting-MTA: dns; mail\.lanpost\.lan$/m);
    expect(dsn.status).toMatch(/^Final-Recipient: rfc822; nobody@reject\.test$/m);
    expect(dsn.status).toMatch(/^Action: failed$/m);
    expect(dsn.status).toMatch(/^Status: 5\.1\.1$/m);
    expect(dsn.status).toMatch(new RegExp(`^Remote-MTA: dns; 127\\.0\\.0\\.1:${sinks.reject!.port}$`, 'm'));
    expect(dsn.status).toMatch(/^Diagnostic-Code: smtp; 550 5\.1\.1 <nobody@reject\.test>: Recipient address rejected: User unknown$/m);
    expect(dsn.status).not.toContain('ok@reject.test');
    expect(dsn.originalHeaders).toMatch(/^Subject: bounce$/m);
    expect(dsn.originalHeaders).toMatch(/^Message-ID: <bounce@lanpost\.lan>$/m);
    expect(dsn.originalHeaders).not.toContain('Hello.');
    await waitFor(() => !entryFor('nobody@reject.test'), 'the entry to leave the queue');
  });

  it('never bounces mail from the null sender, so a bounce to a bounce cannot loop', async () => {
    const inboxBefore = maildirFiles(test, alice.address).length;
    const adminBefore = maildirFiles(test, test.admin.address).length;
    // A bounce from elsewhere (null sender) that cannot be delivered either.
    await relayFromTrustedNetwork('', ['nobody@bouncer.test'], message('nullsender', 'nobody@bouncer.test'));
    // A foreign sender whose message bounces: the DSN goes back out with <> and is refused there too.
    await relayFromTrustedNetwork('stranger@bouncer.test', ['nobody@reject.test'], message('stranger', 'nobody@reject.test'));

    await waitFor(() => sinks.bouncer!.rcptTo.length === 2 && !entryFor('nobody@bouncer.test') && !entryFor('stranger@bouncer.test') && !entryFor('nobody@reject.test'), 'both to be given up');
    expect(sinks.bouncer!.rcptTo.sort()).toEqual(['nobody@bouncer.test', 'stranger@bouncer.test']);
    expect(sinks.bouncer!.mailFrom).toEqual(['', '']);
    const notBounced = test.engine.context.log.recent().filter((e) => e.source === 'outbound' && e.message.includes('not bounced (null sender)'));
    expect(notBounced).toHaveLength(2);
    expect(test.engine.context.queue.list().filter((e) => e.sender === '')).toHaveLength(0);
    expect(maildirFiles(test, alice.address)).toHaveLength(inboxBefore);
    expect(maildirFiles(test, test.admin.address)).toHaveLength(adminBefore);
  });

  it('makes one message to three domains three deliveries, tracked per recipient', async () => {
    const raw = message('three', 'a@one.test, b@two.test, c@three.test');
    await submit(['a@one.test', 'b@two.test', 'c@three.test'], raw);
    const entry = await waitFor(() => {
      const found = entryFor('c@three.test');
      return found && found.recipients.every((r) => r.attempts === 1) ? found : undefined;
    }, 'an attempt for each domain');
    expect(entry.recipients.map((r) => [r.recipient, r.status])).toEqual([
      ['a@one.test', 'delivered'],
      ['b@two.test', 'delivered'],
      ['c@three.test', 'pending'],
    ]);
    expect(entry.recipients[2]!.last_response).toMatch(/^451 4\.2\.1 Mailbox busy/);
    expect(sinks.one!.messages.map((m) => m.to)).toEqual([['a@one.test']]);
    expect(sinks.two!.messages.map((m) => m.to)).toEqual([['b@two.test']]);
    expect(sinks.three!.messages).toHaveLength(0);

    threeAccepts = true;
    expect(test.engine.context.queue.retry(entry.id)).toBe(1); // only c@three.test still waits
    await waitFor(() => sinks.three!.messages.length === 1, 'the third delivery');
    expect(sinks.three!.messages[0]!.to).toEqual(['c@three.test']);
    for (const sink of [sinks.one!, sinks.two!, sinks.three!]) {
      expect(withoutTraceHeaders(withoutDkimSignature(sink.messages[0]!.data).rest).toString('utf8')).toBe(raw);
    }
    await waitFor(() => !test.engine.context.queue.get(entry.id), 'the entry to leave the queue');
    expect(sinks.one!.messages).toHaveLength(1);
    expect(sinks.two!.messages).toHaveLength(1);
  });

  it('honours the remote SIZE limit: too big bounces with 5.3.4 and is never sent', async () => {
    const body = `${'x'.repeat(76)}\r\n`.repeat(60);
    await submit(['x@small.test'], message('toobig', 'x@small.test', body));
    const dsn = await waitForDsn(test, alice.address, 'toobig');
    expect(dsn.status).toMatch(/^Status: 5\.3\.4$/m);
    expect(dsn.status).toMatch(/^Diagnostic-Code: x-lanpost; message too big/m);
    expect(sinks.small!.dataAttempts).toBe(0);
    expect(sinks.small!.messages).toHaveLength(0);
  });

  it('reuses connections for several messages to one destination, within the per-destination limit', async () => {
    for (let i = 0; i < 6; i++) await submit([`m${i}@burst.test`], message(`burst${i}`, `m${i}@burst.test`));
    openGate(); // the sink greets only now: all six wait for the two sessions the limit allows
    await waitFor(() => sinks.burst!.messages.length === 6, 'six deliveries');
    expect(sinks.burst!.connections).toBeLessThanOrEqual(2);
    const perConnection = new Map<number, number>();
    for (const m of sinks.burst!.messages) perConnection.set(m.connection, (perConnection.get(m.connection) ?? 0) + 1);
    expect(Math.max(...perConnection.values())).toBeGreaterThanOrEqual(3);
  });

  it('lets `lanpost queue` list, retry and delete entries while the engine runs', async () => {
    await submit(['dora@defer.test'], message('cli', 'dora@defer.test'));
    const entry = await waitFor(() => {
      const found = entryFor('dora@defer.test');
      return found && found.recipients[0]!.attempts === 1 ? found : undefined;
    }, 'the first attempt');

    const list = await runCli(['queue', 'list', '--data', test.dataDir]);
    expect(list.code).toBe(0);
    expect(list.stdout).toContain(`${entry.id}  ${entry.size} bytes  arrived `);
    expect(list.stdout).toContain('from <alice@lanpost.lan>');
    expect(list.stdout).toMatch(/^ {2}dora@defer\.test {2}pending {2}attempts 1 {2}next \S+Z {2}last: 450 4\.2\.0 Greylisted, come back later$/m);

    const retry = await runCli(['queue', 'retry', entry.id, '--data', test.dataDir]);
    expect(retry.code).toBe(0);
    expect(retry.stdout).toContain(`${entry.id}: 1 recipient(s) due now`);
    await waitFor(() => test.engine.context.queue.get(entry.id)?.recipients[0]!.attempts === 2, 'the engine to retry');
    expect(sinks.defer!.rcptTo.filter((r) => r === 'dora@defer.test')).toHaveLength(2);

    const file = test.engine.context.queue.messagePath(entry);
    expect(fs.existsSync(file)).toBe(true);
    const removed = await runCli(['queue', 'delete', entry.id, '--data', test.dataDir]);
    expect(removed.code).toBe(0);
    expect(test.engine.context.queue.get(entry.id)).toBeUndefined();
    expect(fs.existsSync(file)).toBe(false);
    const missing = await runCli(['queue', 'retry', entry.id, '--data', test.dataDir]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain(`no queue entry ${entry.id}`);
  });

  it('gives up on an entry whose message file was removed by hand, and tells the sender', async () => {
    await submit(['lost@defer.test'], message('lostfile', 'lost@defer.test'));
    const entry = await waitFor(() => {
      const found = entryFor('lost@defer.test');
      return found && found.recipients[0]!.attempts === 1 ? found : undefined;
    }, 'the first attempt');
    fs.rmSync(test.engine.context.queue.messagePath(entry));
    test.engine.context.queue.retry(entry.id);
    const dsn = await waitFor(() => maildirFiles(test, alice.address).map((f) => fs.readFileSync(f, 'utf8')).find((text) => text.includes(`X-LanPost-Queue-ID: ${entry.id}`)), 'the DSN');
    expect(dsn).toMatch(/\r\nStatus: 5\.3\.0\r\n/);
    expect(dsn).toMatch(/\r\nDiagnostic-Code: x-lanpost; the queued message file is missing/);
    await waitFor(() => !test.engine.context.queue.get(entry.id), 'the entry to leave the queue');
  });

  it('never queues mail between local users', async () => {
    const bob = await test.addUser('bob@lanpost.lan');
    const queuedBefore = changes.filter((c) => c.kind === 'queued').length;
    await submit([bob.address], message('local', bob.address));
    expect(maildirFiles(test, bob.address)).toHaveLength(1);
    expect(changes.filter((c) => c.kind === 'queued')).toHaveLength(queuedBefore);
  });
});

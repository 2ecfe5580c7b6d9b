// Direct delivery by MX lookup against a DNS responder on loopback (settings.outbound.resolvers):
// preference order, equal preferences shuffled, the next host when one is down, the implicit MX
// (A record), null MX (RFC 7505) and a domain that does not exist bounce at once, SERVFAIL waits.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { orderMx } from '../server/delivery/outbound/mx.js';
import type { QueueEntry } from '../server/delivery/queue.js';
import { waitForDsn } from './helpers/dsn.js';
import { startTestEngine, type TestEngine } from './helpers/engine.js';
import { submitAs } from './helpers/mail.js';
import { startLoopbackDns, type LoopbackDns } from './helpers/loopback-dns.js';
import { startSink, waitFor, type Sink } from './helpers/smtp-sink.js';

let test: TestEngine;
let dns: LoopbackDns;
let alice: { address: string; password: string };
/** One sink per loopback address, all on the same port (the MX port). */
const hosts: Record<string, Sink> = {};

/** Free on all the given addresses at once: the port the MX hosts share. */
async function sinksOnOnePort(addresses: string[]): Promise<void> {
  for (let tries = 0; tries < 20; tries++) {
    const first = await startSink({ host: addresses[0] });
    const rest: Sink[] = [];
    try {
      for (const host of addresses.slice(1)) rest.push(await startSink({ host, port: first.port }));
      [first, ...rest].forEach((sink) => (hosts[sink.host] = sink));
      return;
    } catch {
      await Promise.all([first, ...rest].map((s) => s.close()));
    }
  }
  throw new Error('no port free on every test address');
}

beforeAll(async () => {
  await sinksOnOnePort(['127.0.0.3', '127.0.0.4', '127.0.0.5', '127.0.0.6', '127.0.0.7']);
  dns = await startLoopbackDns({
    // 127.0.0.2 has no server: that MX host is down.
    'mx.test': { MX: [{ preference: 10, exchange: 'a.mx.test' }, { preference: 10, exchange: 'b.mx.test' }, { preference: 20, exchange: 'c.mx.test' }] },
    'a.mx.test': { A: ['127.0.0.2'] },
    'b.mx.test': { A: ['127.0.0.3'] },
    'c.mx.test': { A: ['127.0.0.4'] },
    'backup.test': { MX: [{ preference: 5, exchange: 'down.backup.test' }, { preference: 50, exchange: 'up.backup.test' }] },
    'down.backup.test': { A: ['127.0.0.2'] },
    'up.backup.test': { A: ['127.0.0.4'] },
    'plain.test': { A: ['127.0.0.5'] },
    // Many domains on the same two equal MX hosts: each is its own destination, so each round looks the MX up afresh.
    ...Object.fromEntries(
      Array.from({ length: 24 }, (_, i) => [`equal${i}.test`, { MX: [{ preference: 10, exchange: 'e1.equal.test' }, { preference: 10, exchange: 'e2.equal.test' }] }]),
    ),
    'e1.equal.test': { A: ['127.0.0.6'] },
    'e2.equal.test': { A: ['127.0.0.7'] },
    'null.test': { MX: [{ preference: 0, exchange: '.' }] },
    'flaky.test': { servfail: true },
  });
  test = await startTestEngine({
    change: (settings) => {
      settings.outbound.resolvers = [dns.address];
      settings.outbound.mxPort = hosts['127.0.0.3']!.port;
      settings.outbound.retryBaseSeconds = 3600;
    },
  });
  alice = await test.addUser('alice@lanpost.lan');
});

afterAll(async () => {
  await test?.stop();
  await dns?.close();
  await Promise.all(Object.values(hosts).map((sink) => sink.close()));
});

async function submit(to: string, subject: string): Promise<void> {
  await submitAs(test, alice, { from: alice.address, to, subject, text: `to ${to}` });
}

function received(host: string, recipient: string): boolean {
  return hosts[host]!.messages.some((m) => m.to.includes(recipient));
}

function entryFor(recipient: string): QueueEntry | undefined {
  return test.engine.context.queue.list().find((entry) => entry.recipients.some((r) => r.recipient === recipient));
}

describe('outbound delivery by MX lookup', () => {
  it('orders MX records by preference and shuffles equal ones (RFC 5321 §5.1)', () => {
    const records = [
      { exchange: 'c', priority: 20 },
      { exchange: 'a', priority: 10 },
      { exchange: 'b', priority: 10 },
    ];
    const firsts = new Set<string>();
    for (let i = 0; i < 200; i++) {
      const ordered = orderMx(records);
      expect(ordered.map((r) => r.priority)).toEqual([10, 10, 20]);
      firsts.add(ordered[0]!.exchange);
    }
    expect([...firsts].sort()).toEqual(['a', 'b']);
  });

  it('tries the MX hosts in preference order, skipping one that is down, and never the backup while a preferred host answers', async () => {
    await submit('bob@mx.test', 'mx');
    await waitFor(() => received('127.0.0.3', 'bob@mx.test'), 'delivery at b.mx.test');
    expect(received('127.0.0.4', 'bob@mx.test')).toBe(false);
    expect(dns.queries).toContain('MX mx.test');

    await submit('bob@backup.test', 'backup');
    await waitFor(() => received('127.0.0.4', 'bob@backup.test'), 'delivery at the backup MX');
  });

  it('spreads mail over equal-preference hosts', async () => {
    for (let round = 0; round < 24 && !(hosts['127.0.0.6']!.messages.length && hosts['127.0.0.7']!.messages.length); round++) {
      const recipient = `r@equal${round}.test`;
      await submit(recipient, `equal ${round}`);
      await waitFor(() => received('127.0.0.6', recipient) || received('127.0.0.7', recipient), `delivery of round ${round}`);
    }
    expect(hosts['127.0.0.6']!.messages.length).toBeGreaterThan(0);
    expect(hosts['127.0.0.7']!.messages.length).toBeGreaterThan(0);
  });

  it('falls back to the A record of a domain without MX (the implicit MX)', async () => {
    await submit('carol@plain.test', 'plain');
    await waitFor(() => received('127.0.0.5', 'carol@plain.test'), 'delivery to the A record');
    expect(dns.queries).toContain('MX plain.test');
    expect(dns.queries).toContain('A plain.test');
  });

  it('bounces mail for a null MX domain at once (RFC 7505), without connecting anywhere', async () => {
    const connections = Object.values(hosts).reduce((n, sink) => n + sink.connections, 0);
    await submit('dan@null.test', 'nullmx');
    const dsn = await waitForDsn(test, alice.address, 'nullmx');
    expect(dsn.status).toMatch(/^Final-Recipient: rfc822; dan@null\.test$/m);
    expect(dsn.status).toMatch(/^Status: 5\.1\.10$/m);
    expect(dsn.status).toMatch(/^Diagnostic-Code: x-lanpost; null\.test accepts no mail \(null MX/m);
    expect(Object.values(hosts).reduce((n, sink) => n + sink.connections, 0)).toBe(connections);
    expect(dns.queries.filter((q) => q === 'MX null.test')).toHaveLength(1);
  });

  it('bounces mail for a domain that does not exist, and keeps mail whose DNS answers SERVFAIL for a retry', async () => {
    await submit('erin@nowhere.test', 'nxdomain');
    const dsn = await waitForDsn(test, alice.address, 'nxdomain');
    expect(dsn.status).toMatch(/^Status: 5\.4\.4$/m);
    expect(dsn.status).toMatch(/does not exist/);

    await submit('fay@flaky.test', 'servfail');
    const entry = await waitFor(() => {
      const found = entryFor('fay@flaky.test');
      return found && found.recipients[0]!.attempts === 1 ? found : undefined;
    }, 'the first attempt');
    expect(entry.recipients[0]!.status).toBe('pending');
    expect(entry.recipients[0]!.status_code).toBe('4.4.3');
    expect(entry.recipients[0]!.last_response).toMatch(/MX lookup for flaky\.test failed \(DNS: ESERVFAIL\)/);
  });
});

// The admin API's Queue and DNS zone parts against a real engine: outbound mail routed to a
// loopback sink (counted as "out") or to a closed port (waits in the queue: list, retry,
// delete); the zone table, extra records through the settings, the BIND zone file.
import net from 'node:net';
import nodemailer from 'nodemailer';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DnsZoneResponse, QueueResponse } from '../server/admin/contract/index.js';
import { LiveEvents, api, freePort } from './helpers/admin.js';
import { startTestEngine, type TestEngine } from './helpers/engine.js';

let test: TestEngine;
let sink: SMTPServer;
let sinkPort: number;
let closedPort: number;
const received: string[] = [];

beforeAll(async () => {
  sink = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      stream.resume();
      stream.on('end', () => {
        received.push(...session.envelope.rcptTo.map((r) => r.address));
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => sink.listen(0, '127.0.0.1', resolve));
  sinkPort = (sink.server.address() as net.AddressInfo).port;
  closedPort = await freePort();
  test = await startTestEngine({
    change: (settings) => {
      settings.routes = { 'sink.test': `127.0.0.1:${sinkPort}`, 'closed.test': `127.0.0.1:${closedPort}` };
      settings.outbound.retryBaseSeconds = 3600;
    },
  });
});
afterAll(async () => {
  await test?.stop();
  await new Promise<void>((resolve) => sink.close(() => resolve()));
});

async function send(to: string): Promise<void> {
  const user = await test.addUser(`sender${received.length}${Date.now()}@lanpost.lan`);
  const transport = nodemailer.createTransport({ host: '127.0.0.1', port: test.port('submission'), secure: false, ignoreTLS: true, auth: { user: user.address, pass: user.password } });
  await transport.sendMail({ from: user.address, to, subject: 'out', text: 'hello' });
}

describe('queue', () => {
  it('counts a message handed to another server as traffic out', async () => {
    const live = await LiveEvents.open(test);
    await send('someone@sink.test');
    await live.waitFor((e) => e.type === 'traffic' && e.hour.out >= 1);
    expect(received).toContain('someone@sink.test');
    const overview = await api(test, '/api/overview');
    expect(overview.body.traffic.reduce((sum: number, h: { out: number }) => sum + h.out, 0)).toBe(1);
    // The entry leaves the queue once the attempt is recorded.
    await expect.poll(async () => (await api(test, '/api/overview')).body.counts.queue).toBe(0);
    live.close();
  });

  it('lists a waiting message with the last answer, retries it and deletes it', async () => {
    const live = await LiveEvents.open(test);
    await send('nobody@closed.test');
    const attempt = await live.waitFor((e) => e.type === 'queue' && e.change.kind === 'attempt');
    const id = attempt.type === 'queue' ? attempt.change.id : '';
    const queue = await api<QueueResponse>(test, '/api/queue');
    const entry = queue.body.entries.find((e) => e.id === id)!;
    expect(entry.recipients[0]).toMatchObject({ recipient: 'nobody@closed.test', status: 'pending', attempts: 1 });
    expect(entry.recipients[0]!.lastResponse).toBeTruthy();
    expect(entry.recipients[0]!.nextAttemptAt).toBeGreaterThan(Date.now() + 60_000);
    expect((await api(test, '/api/overview')).body.counts.queue).toBe(1);

    const retried = await api(test, `/api/queue/${id}/retry`, { method: 'POST' });
    expect(retried.body.retried).toBe(1);
    await live.waitFor((e) => e.type === 'queue' && e.change.kind === 'attempt' && live.events.filter((x) => x.type === 'queue' && x.change.kind === 'attempt').length >= 2);
    expect((await api<QueueResponse>(test, '/api/queue')).body.entries.find((e) => e.id === id)!.recipients[0]!.attempts).toBe(2);

    expect((await api(test, `/api/queue/${id}`, { method: 'DELETE' })).status).toBe(200);
    expect((await api<QueueResponse>(test, '/api/queue')).body.entries.find((e) => e.id === id)).toBeUndefined();
    const missing = await api(test, `/api/queue/${id}`, { method: 'DELETE' });
    expect(missing.status).toBe(404);
    expect(missing.body.error).toContain(id);
    live.close();
  });
});

describe('DNS zone', () => {
  it('shows the zone the DNS serves, with MX and the mail host', async () => {
    const zone = await api<DnsZoneResponse>(test, '/api/dns/zone');
    expect(zone.status).toBe(200);
    const main = zone.body.zones[0]!;
    expect(main.origin).toBe('lanpost.lan');
    expect(main.records.find((r) => r.type === 'MX')).toMatchObject({ name: 'lanpost.lan', data: '10 mail.lanpost.lan.' });
    expect(main.records.some((r) => r.type === 'SOA')).toBe(true);
    expect(zone.body.dnsService.name).toBe('dns');
  });

  it('adds an extra record through the settings, refuses a bad one with the field, and exports the BIND file', async () => {
    const added = await api(test, '/api/settings', {
      method: 'PATCH',
      body: { changes: [{ key: 'dns.extraRecords', value: [{ type: 'A', name: 'printer', address: '192.168.1.50' }] }] },
    });
    expect(added.status).toBe(200);
    const zone = await api<DnsZoneResponse>(test, '/api/dns/zone');
    expect(zone.body.extraRecords).toEqual([{ type: 'A', name: 'printer', address: '192.168.1.50' }]);
    expect(zone.body.zones[0]!.records).toContainEqual(expect.objectContaining({ name: 'printer.lanpost.lan', type: 'A', data: '192.168.1.50' }));

    const bad = await api(test, '/api/settings', {
      method: 'PATCH',
      body: { changes: [{ key: 'dns.extraRecords', value: [{ type: 'A', name: 'printer', address: '192.168.1.50' }, { type: 'A', name: 'scanner', address: '999.1.1.1' }] }] },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.problems).toEqual([{ field: 'dns.extraRecords.1.address', reason: 'must be an IPv4 address such as 192.168.1.20' }]);
    expect((await api<DnsZoneResponse>(test, '/api/dns/zone')).body.extraRecords).toHaveLength(1);

    const file = await fetch(new URL(test.engine.adminUrl).origin + '/api/dns/zone.txt', { headers: { authorization: `Bearer ${test.engine.adminToken}` } });
    expect(file.headers.get('content-disposition')).toBe('attachment; filename="lanpost.lan.zone"');
    const text = await file.text();
    expect(text).toContain('$ORIGIN lanpost.lan.');
    expect(text).toMatch(/^\s+IN MX\s+10 mail$/m);
    expect(text).toMatch(/^printer\s+IN A\s+192\.168\.1\.50$/m);
  });
});

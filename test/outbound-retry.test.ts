// Retries on their own: an unreachable host is tried again with doubling backoff (1 s base here),
// the sender gets a delay warning and, when the queue lifetime ends, a DSN; a queue entry
// waiting when the engine stops is delivered after the next start.
import fs from 'node:fs';
import net from 'node:net';
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEngine } from '../server/engine.js';
import { loadSettings, saveSettings } from '../server/settings/file.js';
import { waitForDsn } from './helpers/dsn.js';
import type { QueueChange } from '../server/delivery/queue.js';
import { prepareDataDir, startTestEngine, type TestEngine } from './helpers/engine.js';
import { maildirFiles, withoutTraceHeaders } from './helpers/mail.js';
import { startSink, waitFor, type Sink } from './helpers/smtp-sink.js';

let test: TestEngine;
let alice: { address: string; password: string };
let closedPort: number;
const cleanups: Array<() => Promise<void> | void> = [];

/** A port nothing listens on: connections to it are refused. */
async function unusedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

beforeAll(async () => {
  closedPort = await unusedPort();
  test = await startTestEngine({
    change: (settings) => {
      settings.routes = { 'dead.test': `127.0.0.1:${closedPort}` };
      settings.outbound.retryBaseSeconds = 1;
      settings.outbound.retryMaxSeconds = 60;
      settings.outbound.lifetimeSeconds = 4;
      settings.outbound.delayWarningHours = 1 / 3600; // one second
    },
  });
  alice = await test.addUser('alice@lanpost.lan');
});

afterAll(async () => {
  await test?.stop();
  for (const cleanup of cleanups.reverse()) await cleanup();
});

async function submit(port: number, user: { address: string; password: string }, to: string, subject: string, raw?: string) {
  const transport = nodemailer.createTransport({ host: '127.0.0.1', port, auth: { user: user.address, pass: user.password }, tls: { rejectUnauthorized: false } });
  try {
    if (raw) return await transport.sendMail({ envelope: { from: user.address, to: [to] }, raw });
    return await transport.sendMail({ from: user.address, to, subject, text: 'are you there?' });
  } finally {
    transport.close();
  }
}

describe('outbound retries over time', () => {
  it('retries an unreachable host with doubling backoff, warns the sender of the delay, and bounces when the lifetime ends', async () => {
    const queue = test.engine.context.queue;
    const attempts: Array<Extract<QueueChange, { kind: 'attempt' }>> = [];
    queue.on('change', (change: QueueChange) => change.kind === 'attempt' && attempts.push(change));
    await submit(test.port('submission'), alice, 'zed@dead.test', 'unreachable');
    const entry = await waitFor(() => queue.list().find((e) => e.recipients[0]!.recipient === 'zed@dead.test' && e.recipients[0]!.attempts >= 2), 'a second attempt');
    const second = entry.recipients[0]!;
    expect(second.status).toBe('pending');
    expect(second.status_code).toBe('4.4.1');
    expect(second.last_response).toMatch(new RegExp(`^127\\.0\\.0\\.1:${closedPort}: connection failed: .*ECONNREFUSED`));

    const warning = await waitForDsn(test, alice.address, 'unreachable', 'delayed');
    expect(warning.raw).toMatch(/\r\nSubject: Delayed Mail \(still being retried\)\r\n/);
    expect(warning.status).toMatch(/^Final-Recipient: rfc822; zed@dead\.test$/m);
    expect(warning.status).toMatch(/^Status: 4\.4\.1$/m);
    expect(warning.status).toMatch(/^Will-Retry-Until: /m);

    const bounce = await waitForDsn(test, alice.address, 'unreachable', 'failed');
    expect(bounce.status).toMatch(/^Action: failed$/m);
    expect(bounce.status).toMatch(/^Status: 4\.4\.7$/m);
    expect(bounce.status).toMatch(/^Diagnostic-Code: x-lanpost; 127\.0\.0\.1:\d+: connection failed/m);
    await waitFor(() => !queue.get(entry.id), 'the entry to leave the queue');
    expect(maildirFiles(test, alice.address)).toHaveLength(2); // one warning, one bounce: no repeated warnings

    // The recorded schedule: each wait doubles from the 1 s base, cut short by the 4 s lifetime; the last attempt gives up.
    const expiresAt = entry.created_at + 4000;
    const ours = attempts.filter((a) => a.id === entry.id);
    expect(ours.length).toBeGreaterThanOrEqual(3);
    ours.slice(0, -1).forEach((attempt, i) => {
      expect(attempt.results[0]!.status).toBe('pending');
      expect(attempt.results[0]!.nextAttemptAt - attempt.at).toBe(Math.min(1000 * 2 ** i, expiresAt - attempt.at));
    });
    expect(ours.at(-1)!.results[0]!.status).toBe('expired');
  });

  it('keeps to the global connection limit across destinations', async () => {
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => (release = resolve));
    const tracker = { open: 0, max: 0 };
    const first = await startSink({ gate, tracker });
    const second = await startSink({ gate, tracker });
    cleanups.push(() => first.close(), () => second.close());
    const { settings } = loadSettings(test.dataDir);
    settings.routes = { 'g1.test': `127.0.0.1:${first.port}`, 'g2.test': `127.0.0.1:${second.port}` };
    settings.outbound.connectionsTotal = 1;
    saveSettings(test.dataDir, settings);
    await test.engine.reloadSettings();

    await submit(test.port('submission'), alice, 'x@g1.test', 'global one');
    await submit(test.port('submission'), alice, 'y@g2.test', 'global two');
    await waitFor(() => tracker.open === 1, 'one session, held at the greeting');
    await new Promise((resolve) => setTimeout(resolve, 300)); // room for a second session, if the limit let one through
    expect(first.connections + second.connections).toBe(1);
    release();
    await waitFor(() => first.messages.length === 1 && second.messages.length === 1, 'both deliveries');
    expect(tracker.max).toBe(1);
  });

  it('delivers an entry that was waiting when the engine stopped, after the next start', async () => {
    const dataDir = fs.mkdtempSync(`${test.dataDir}-restart-`);
    cleanups.push(() => fs.rmSync(dataDir, { recursive: true, force: true }));
    const down = await unusedPort();
    prepareDataDir(dataDir, (settings) => {
      settings.routes = { 'later.test': `127.0.0.1:${down}` };
      settings.outbound.retryBaseSeconds = 1;
    });
    const first = await startEngine({ dataDir, print: null });
    const bob = { address: 'bob@lanpost.lan', password: 'correct horse battery' };
    await first.context.accounts.addUser(bob.address, bob.password);
    const raw = 'From: bob@lanpost.lan\r\nTo: kim@later.test\r\nSubject: after restart\r\nMessage-ID: <restart@lanpost.lan>\r\nDate: Sat, 28 Nov 2026 10:00:00 +0000\r\n\r\nstill here\r\n';
    await submit(first.status('submission').port, bob, 'kim@later.test', 'after restart', raw);
    const entry = await waitFor(() => first.context.queue.list().find((e) => e.recipients[0]!.attempts >= 1), 'a failed first attempt');
    await first.stop();

    const sink: Sink = await startSink();
    cleanups.push(() => sink.close());
    const { settings } = loadSettings(dataDir);
    settings.routes = { 'later.test': `127.0.0.1:${sink.port}` };
    saveSettings(dataDir, settings);
    const second = await startEngine({ dataDir, print: null });
    cleanups.push(() => second.stop());
    expect(second.context.queue.get(entry.id)?.recipients[0]!.status).toBe('pending');
    await waitFor(() => sink.messages.length === 1, 'the delivery after the restart');
    const data = sink.messages[0]!.data.toString('latin1').replace(/^DKIM-Signature:[^\r\n]*\r\n(?:[ \t][^\r\n]*\r\n)*/, '');
    expect(withoutTraceHeaders(Buffer.from(data, 'latin1')).toString('utf8')).toBe(raw);
    await waitFor(() => !second.context.queue.get(entry.id) && !fs.existsSync(second.context.queue.messagePath(entry)), 'the entry and its file to leave the queue');
  });
});

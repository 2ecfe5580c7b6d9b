// The outbound queue across kill -9: clients relay mail for a domain whose server is down while
// the engine is killed; after a restart with the server up, every message that got 250 reaches
// it, whole, and the queue empties.
import fs from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { startEngine } from '../server/engine.js';
import { loadSettings, saveSettings } from '../server/settings/file.js';
import { spawnServe } from './helpers/cli.js';
import { prepareDataDir, tempDataDir } from './helpers/engine.js';
import { LineClient } from './helpers/line-client.js';
import { startSink, waitFor } from './helpers/smtp-sink.js';

const dataDir = tempDataDir('lanpost-outbound-crash-');
afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

const SENDERS = 8;
const FILLER = ('0123456789abcdef'.repeat(4) + '\r\n').repeat(30);

function messageFor(id: string): string {
  return `Subject: relay ${id}\r\nMessage-ID: <${id}@crash.test>\r\n\r\n${FILLER}END ${id}\r\n`;
}

/** Relays messages to far.test back to back (port 25, trusted network) until the engine dies. */
async function sender(port: number, index: number, acknowledged: Set<string>): Promise<void> {
  let client: LineClient;
  try {
    client = await LineClient.connect(port);
    await client.smtpReply();
    await client.command('EHLO crash.test');
  } catch {
    return;
  }
  for (let n = 0; n < 10_000; n++) {
    const id = `s${index}m${n}`;
    try {
      if ((await client.command('MAIL FROM:<load@example.org>')).code !== 250) return;
      if ((await client.command(`RCPT TO:<${id}@far.test>`)).code !== 250) return;
      if ((await client.command('DATA')).code !== 354) return;
      client.write(messageFor(id) + '.\r\n');
      if ((await client.smtpReply()).code === 250) acknowledged.add(id);
    } catch {
      return; // the engine died: not acknowledged
    }
  }
}

describe('outbound queue crash safety', () => {
  it('delivers every acknowledged message after kill -9 and a restart', async () => {
    prepareDataDir(dataDir, (settings) => {
      settings.routes = { 'far.test': '127.0.0.1:9' }; // down: everything waits in the queue
      settings.relay.fromTrustedNetworks = true;
      settings.outbound.retryBaseSeconds = 1;
    });
    const serve = await spawnServe(dataDir);
    const acknowledged = new Set<string>();
    const senders = Array.from({ length: SENDERS }, (_, i) => sender(serve.ports.smtp!, i, acknowledged));
    for (let i = 0; i < 200 && acknowledged.size < 100; i++) await new Promise((resolve) => setTimeout(resolve, 50));
    serve.child.kill('SIGKILL');
    await Promise.all(senders);
    expect(acknowledged.size).toBeGreaterThan(20);

    const sink = await startSink();
    const { settings } = loadSettings(dataDir);
    settings.routes = { 'far.test': `127.0.0.1:${sink.port}` };
    saveSettings(dataDir, settings);
    const engine = await startEngine({ dataDir, print: null });
    try {
      const arrived = new Map<string, string>();
      await waitFor(
        () => {
          for (const m of sink.messages.splice(0)) for (const to of m.to) arrived.set(to.split('@')[0]!, m.data.toString('latin1'));
          return [...acknowledged].every((id) => arrived.has(id)) && engine.context.queue.list().length === 0;
        },
        'every acknowledged message at the sink and an empty queue',
        60_000,
      );
      for (const [id, data] of arrived) expect(data.endsWith(`\r\n\r\n${FILLER}END ${id}\r\n`), `${id} arrived whole`).toBe(true);
    } finally {
      await engine.stop();
      await sink.close();
    }
    // Files of messages the crash caught between file and row (never acknowledged) were swept at start.
    expect(fs.readdirSync(`${dataDir}/queue`).filter((name) => name.endsWith('.eml'))).toEqual([]);
    expect(fs.readdirSync(`${dataDir}/queue/tmp`)).toEqual([]);
  });
});

// The outbound queue across kill -9: clients relay mail for a domain whose server is down while
// the engine is killed; after a restart with the server up, every message that got 250 reaches
// it, whole, and the queue empties.
import fs from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { startEngine } from '../server/engine.js';
import { loadSettings, saveSettings } from '../server/settings/file.js';
import { spawnServe } from './helpers/cli.js';
import { prepareDataDir, tempDataDir } from './helpers/engine.js';
import { sendUntilDead } from './helpers/load.js';
import { startSink, waitFor } from './helpers/smtp-sink.js';

const dataDir = tempDataDir('lanpost-outbound-crash-');
afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

const SENDERS = 8;
const FILLER = ('0123456789abcdef'.repeat(4) + '\r\n').repeat(30);

function messageFor(id: string): string {
  return `Subject: relay ${id}\r\nMessage-ID: <${id}@crash.test>\r\n\r\n${FILLER}END ${id}\r\n`;
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
    const senders = Array.from({ length: SENDERS }, (_, i) => sendUntilDead(serve.ports.smtp!, i, acknowledged, { recipient: (id) => `${id}@far.test`, body: messageFor }));
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

// Crash safety: kill -9 the engine while many clients send; every message that got 250 must be
// there, whole, after a restart, with no partial file in new/ and the index matching the files.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { spawnServe, runCli } from './helpers/cli.js';
import { prepareDataDir, tempDataDir } from './helpers/engine.js';
import { sendUntilDead } from './helpers/load.js';
import { startEngine } from '../server/engine.js';

const dataDir = tempDataDir('lanpost-crash-');
afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

const SENDERS = 12;
const FILLER = ('0123456789abcdef'.repeat(4) + '\r\n').repeat(60); // ~4 KB

function messageFor(id: string): string {
  return `Subject: crash ${id}\r\nMessage-ID: <${id}@crash.test>\r\n\r\n${FILLER}END ${id}\r\n`;
}

describe('crash safety', () => {
  it('keeps every acknowledged message whole across kill -9', async () => {
    prepareDataDir(dataDir);
    const added = await runCli(['user', 'add', 'crash@lanpost.lan', '--data', dataDir], { input: 'crash password 1\n' });
    expect(added.code).toBe(0);

    const serve = await spawnServe(dataDir);
    const acknowledged = new Set<string>();
    const senders = Array.from({ length: SENDERS }, (_, i) => sendUntilDead(serve.ports.smtp!, i, acknowledged, { recipient: () => 'crash@lanpost.lan', body: messageFor }));
    // Let the load run until a good number of messages went through, then pull the plug.
    for (let i = 0; i < 200 && acknowledged.size < 150; i++) await new Promise((r) => setTimeout(r, 50));
    serve.child.kill('SIGKILL');
    await Promise.all(senders);
    expect(acknowledged.size).toBeGreaterThan(20);

    // Restart: the engine reconciles the index with the files.
    const engine = await startEngine({ dataDir, print: null });
    try {
      const user = engine.context.accounts.findUser('crash@lanpost.lan')!;
      const inbox = engine.context.mailStore.getMailbox(user.id, 'INBOX')!;
      const root = path.join(dataDir, user.maildir);
      const files = ['new', 'cur'].flatMap((sub) => fs.readdirSync(path.join(root, sub)).map((f) => `${sub}/${f}`));
      const found = new Map<string, number>();
      for (const file of files) {
        const text = fs.readFileSync(path.join(root, file), 'utf8');
        const id = /^Subject: crash (\S+)$/m.exec(text)?.[1];
        expect(id, `a file in ${file} without its subject`).toBeTruthy();
        expect(text.endsWith(`\r\n\r\n${FILLER}END ${id}\r\n`), `${file} is not whole`).toBe(true);
        expect(Number(/,S=(\d+)/.exec(file)?.[1])).toBe(Buffer.byteLength(text));
        found.set(id!, (found.get(id!) ?? 0) + 1);
      }
      const lost = [...acknowledged].filter((id) => !found.has(id));
      expect(lost, 'acknowledged messages missing after the crash').toEqual([]);
      const indexed = engine.context.mailStore.listMessages(inbox.id).map((m) => m.filename).sort();
      expect(indexed).toEqual(files.sort());
    } finally {
      await engine.stop();
    }
  });
});

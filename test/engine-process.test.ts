// The engine process (server/main.ts) and its message protocol, forked as a plain Node child —
// the same messages the desktop app exchanges with it through Electron's utilityProcess.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EngineMessage, EngineSnapshot } from '../server/engine-messages.js';
import { loadSettings, saveSettings } from '../server/settings/file.js';
import { engineDataDir, forkEngine, isReady, PARENT_PORT_SHIM, type ForkedEngine } from './helpers/engine-process.js';
import { LineClient } from './helpers/line-client.js';

const dirs: string[] = [];
const engines: ForkedEngine[] = [];
const freshDir = () => engineDataDir(dirs);
function start(dir: string, options?: Parameters<typeof forkEngine>[1]): ForkedEngine {
  const engine = forkEngine(dir, options);
  engines.push(engine);
  return engine;
}
afterAll(() => {
  for (const engine of engines) if (engine.child.exitCode === null && engine.child.signalCode === null) engine.child.kill('SIGKILL');
  dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true }));
});

type StateMessage = Extract<EngineMessage, { type: 'state' }>;
const isState = (m: EngineMessage): m is StateMessage => m.type === 'state';
const status = (state: EngineSnapshot, name: string) => state.services.find((s) => s.name === name)!;

async function smtpGreeting(port: number): Promise<string> {
  const client = await LineClient.connect(port);
  const reply = await client.smtpReply();
  client.close();
  return `${reply.code} ${reply.text}`;
}

function refused(port: number): Promise<boolean> {
  return LineClient.connect(port).then(
    (client) => {
      client.close();
      return false;
    },
    (error: NodeJS.ErrnoException) => error.code === 'ECONNREFUSED',
  );
}

describe('engine process with a parent (the desktop app)', () => {
  let dir: string;
  let engine: ForkedEngine;
  let ready: Extract<EngineMessage, { type: 'ready' }>;

  beforeAll(async () => {
    dir = freshDir();
    engine = start(dir);
    ready = await engine.waitFor(isReady, 'ready message');
  });

  it('says ready with the admin URL and token, the data folder, the first-start mailbox and every service', async () => {
    expect(engine.messages[0]).toEqual({ type: 'starting', pid: engine.child.pid }); // first, once it listens
    expect(ready.pid).toBe(engine.child.pid);
    expect(ready.dataDir).toBe(path.resolve(dir));
    expect(ready.adminUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/#token=/);
    expect(ready.adminUrl.endsWith(`#token=${ready.adminToken}`)).toBe(true);
    expect(ready.firstStart?.address).toBe('admin@lanpost.lan');
    expect(ready.state.domain).toBe('lanpost.lan');
    expect(ready.state.hostname).toBe('mail.lanpost.lan');
    expect(ready.state.services.map((s) => s.name)).toEqual(['smtp', 'submission', 'smtps', 'pop3', 'pop3s', 'imap', 'imaps', 'dns', 'http', 'https']);
    expect(status(ready.state, 'smtp').state).toBe('listening');
    expect(ready.state.diskLow).toBeNull();
    expect(await smtpGreeting(status(ready.state, 'smtp').port)).toMatch(/^220 /);

    // The URL and token reach the admin API; the token stays out of the printed log.
    const api = new URL('/api/status', ready.adminUrl);
    const answer = await fetch(api, { headers: { authorization: `Bearer ${ready.adminToken}` } });
    expect(answer.status).toBe(200);
    const body = (await answer.json()) as { services: { name: string; state: string }[] };
    expect(body.services.find((s) => s.name === 'smtp')?.state).toBe('listening');
    expect((await fetch(api)).status).toBe(401);
    expect(engine.output()).toContain('smtp 127.0.0.1:');
    expect(engine.output()).not.toContain(ready.adminToken);
  });

  it('stops and starts every service on request and reports each change as a state message', async () => {
    const smtpPort = status(ready.state, 'smtp').port;
    const before = engine.messages.length;
    engine.send({ type: 'services', action: 'stop' });
    const stopped = await engine.waitFor(
      (m) => engine.messages.indexOf(m) >= before && isState(m) && m.state.services.every((s) => s.state !== 'listening'),
      'state with every service stopped',
    );
    expect(status((stopped as StateMessage).state, 'smtp').state).toBe('stopped');
    // Disabled (or not yet available) services stay as they were.
    const disabled = (state: EngineSnapshot) => state.services.filter((s) => s.state === 'disabled').map((s) => s.name);
    expect(disabled((stopped as StateMessage).state)).toEqual(disabled(ready.state));
    expect(await refused(smtpPort)).toBe(true);

    const mark = engine.messages.length;
    engine.send({ type: 'services', action: 'start' });
    const started = (await engine.waitFor(
      (m) => engine.messages.indexOf(m) >= mark && isState(m) && status(m.state, 'smtp').state === 'listening',
      'state with smtp listening again',
    )) as StateMessage;
    const listeningBefore = ready.state.services.filter((s) => s.state === 'listening').map((s) => s.name);
    expect(started.state.services.filter((s) => s.state === 'listening').map((s) => s.name)).toEqual(listeningBefore);
    expect(await smtpGreeting(status(started.state, 'smtp').port)).toMatch(/^220 /);
  });

  it('answers a state request, and ignores messages it does not know', async () => {
    const mark = engine.messages.length;
    engine.child.send({ type: 'reboot-the-world' });
    engine.child.send('stop'); // not an object: ignored
    engine.send({ type: 'state' });
    const state = (await engine.waitFor((m) => engine.messages.indexOf(m) >= mark && isState(m), 'state answer')) as StateMessage;
    expect(status(state.state, 'smtp').state).toBe('listening');
    expect(engine.child.exitCode).toBeNull();
  });

  it('tells the tray when free disk space is below the floor, and when it is back above', async () => {
    const setFloor = (bytes: number) => {
      const { settings } = loadSettings(dir);
      settings.limits.minFreeDiskBytes = bytes;
      saveSettings(dir, settings);
    };
    const mark = engine.messages.length;
    setFloor(Number.MAX_SAFE_INTEGER);
    const low = (await engine.waitFor((m) => engine.messages.indexOf(m) >= mark && isState(m) && m.state.diskLow !== null, 'state with diskLow')) as StateMessage;
    expect(low.state.diskLow).toMatchObject({ low: true, floorBytes: Number.MAX_SAFE_INTEGER });
    const back = engine.messages.length;
    setFloor(0);
    await engine.waitFor((m) => engine.messages.indexOf(m) >= back && isState(m) && m.state.diskLow === null, 'state without diskLow');
  });

  it('stops cleanly on the stop message: says stopped, exits 0, leaves the database closed', async () => {
    engine.send({ type: 'stop' });
    const exit = await engine.exited;
    expect(exit).toEqual({ code: 0, signal: null });
    expect(engine.messages.at(-1)).toEqual({ type: 'stopped' });
    expect(engine.output()).toContain('stop requested: stopping');
    // SQLite removes the WAL file when the last connection closes cleanly.
    expect(fs.existsSync(path.join(dir, 'lanpost.db'))).toBe(true);
    expect(fs.existsSync(path.join(dir, 'lanpost.db-wal'))).toBe(false);
  });
});

// Each test forks its own engine: they run side by side.
describe.concurrent('engine process stops', () => {
  it('on SIGTERM, cleanly', async ({ expect }) => {
    const engine = start(freshDir());
    await engine.waitFor(isReady, 'ready message');
    engine.child.kill('SIGTERM');
    expect(await engine.exited).toEqual({ code: 0, signal: null });
    expect(engine.messages.at(-1)).toEqual({ type: 'stopped' });
    expect(engine.output()).toContain('SIGTERM: stopping');
  });

  it('when the stop message comes while it is still starting', async ({ expect }) => {
    const dir = freshDir();
    const engine = start(dir);
    await engine.waitFor((m) => m.type === 'starting', 'starting message');
    engine.send({ type: 'stop' });
    expect(await engine.exited).toEqual({ code: 0, signal: null });
    expect(engine.messages.at(-1)).toEqual({ type: 'stopped' });
    expect(fs.existsSync(path.join(dir, 'lanpost.db-wal'))).toBe(false);
  });

  it('when its parent goes away (the IPC channel closes)', async ({ expect }) => {
    const engine = start(freshDir());
    await engine.waitFor(isReady, 'ready message');
    engine.child.disconnect();
    expect(await engine.exited).toEqual({ code: 0, signal: null });
    expect(engine.output()).toContain('parent gone: stopping');
  });
});

describe.concurrent('engine process failures and headless use', () => {
  it('says failed with the reason and exits 1 when the settings are bad', async ({ expect }) => {
    const dir = freshDir();
    const file = path.join(dir, 'settings.json');
    const settings = JSON.parse(fs.readFileSync(file, 'utf8'));
    settings.services.smtp.port = 70000;
    fs.writeFileSync(file, JSON.stringify(settings));
    const engine = start(dir);
    const failed = await engine.waitFor((m) => m.type === 'failed', 'failed message');
    expect(failed).toEqual({ type: 'failed', message: expect.stringContaining('services.smtp.port'), code: 'SettingsError' });
    expect((await engine.exited).code).toBe(1);
    expect(engine.messages.map((m) => m.type)).toEqual(['starting', 'failed']);
  });

  it('says failed with the error code when its data folder is a regular file', async ({ expect }) => {
    const file = path.join(freshDir(), 'not-a-folder');
    fs.writeFileSync(file, 'a file where the data folder should be\n');
    const engine = start(file);
    const failed = await engine.waitFor((m) => m.type === 'failed', 'failed message');
    expect(failed).toEqual({ type: 'failed', message: expect.stringContaining(file), code: 'EEXIST' });
    expect((await engine.exited).code).toBe(1);
  });

  it("speaks through Electron's process.parentPort when there is one (messages in as { data })", async ({ expect }) => {
    const engine = start(freshDir(), { preload: PARENT_PORT_SHIM });
    const wrapped = (m: unknown) => (m as { viaParentPort?: EngineMessage }).viaParentPort;
    const ready = await engine.waitFor((m) => wrapped(m)?.type === 'ready', 'ready through the parentPort');
    expect(wrapped(ready)).toMatchObject({ type: 'ready', adminToken: expect.any(String) });
    engine.send({ type: 'stop' });
    expect(await engine.exited).toEqual({ code: 0, signal: null });
    expect(engine.messages.map((m) => wrapped(m)?.type)).toEqual(['starting', 'ready', 'stopped']);
  });

  it('refuses an unknown argument with exit 2 and the usage', async ({ expect }) => {
    const engine = start(freshDir(), { args: ['--dta', '/tmp/x'] });
    expect((await engine.exited).code).toBe(2);
    expect(engine.output()).toContain('Usage: node server/main.js [--data DIR]');
  });

  it('without a parent, prints the admin URL with its token and the first-start password, and stops on SIGINT', async ({ expect }) => {
    const engine = start(freshDir(), { ipc: false });
    const deadline = Date.now() + 30_000;
    while (!/admin http:\S+#token=\S+/.test(engine.output()) && Date.now() < deadline && engine.child.exitCode === null) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(engine.output()).toMatch(/admin http:\/\/127\.0\.0\.1:\d+\/#token=\S+/);
    expect(engine.output()).toMatch(/first start: created the mailbox admin@lanpost\.lan with the password \S+/);
    engine.child.kill('SIGINT');
    expect(await engine.exited).toEqual({ code: 0, signal: null });
  });
});

// The desktop app's engine supervisor and its restart backoff, driving the real engine process
// forked as a Node child (Electron's utilityProcess gives the same messages).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_BACKOFF, planRestart } from '../electron/backoff.js';
import { classifyEngineFailure } from '../electron/engine-failure.js';
import { chooseEngineLauncher, isExecutableFile, NoNodeError } from '../electron/engine-launcher.js';
import { EngineSupervisor, type EngineChild, type EngineState, type ReadyMessage } from '../electron/engine-supervisor.js';
import { spawnNodeEngine } from '../electron/node-engine.js';
import { buildTrayModel, iconState } from '../electron/tray-model.js';
import { ENGINE_MAIN, engineDataDir, nodeEngineChild, type ForkedEngine } from './helpers/engine-process.js';
import { tempDataDir } from './helpers/engine.js';

describe('restart backoff', () => {
  it('doubles the wait after each crash in a row, up to the cap', () => {
    const delays: number[] = [];
    let crashes = 0;
    for (let i = 0; i < 9; i++) {
      const plan = planRestart(crashes, 5_000);
      crashes = plan.crashes;
      delays.push(plan.delayMs);
    }
    expect(delays).toEqual([1000, 2000, 4000, 8000, 16000, 32000, 60000, 60000, 60000]);
    expect(crashes).toBe(9);
  });

  it('starts over after a run that lasted long enough to count as healthy', () => {
    expect(planRestart(6, DEFAULT_BACKOFF.stableMs)).toEqual({ crashes: 1, delayMs: 1000 });
    expect(planRestart(6, DEFAULT_BACKOFF.stableMs - 1)).toEqual({ crashes: 7, delayMs: 60000 });
  });

  it('an engine that never got ready counts as a crash in a row; huge counts stay at the cap', () => {
    expect(planRestart(0, 0)).toEqual({ crashes: 1, delayMs: 1000 });
    expect(planRestart(5000, 0, { baseMs: 50, maxMs: 700, stableMs: 10 }).delayMs).toBe(700);
  });
});

const dirs: string[] = [];
const forked: ForkedEngine[] = [];
afterAll(() => {
  for (const engine of forked) if (engine.child.exitCode === null && engine.child.signalCode === null) engine.child.kill('SIGKILL');
  dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true }));
});

const dataDir = () => engineDataDir(dirs);

let scripts: string | null = null;
/** A small script file for a real process that stands in for the engine. */
function writeScript(name: string, text: string): string {
  if (!scripts) dirs.push((scripts = tempDataDir('lanpost-supervisor-scripts-')));
  const file = path.join(scripts, name);
  fs.writeFileSync(file, text);
  return file;
}

/** A real Node process running `script`, through the same spawn as the desktop app's system-Node engine. */
function scriptChild(script: string): EngineChild {
  return spawnNodeEngine({ nodePath: process.execPath, entry: script, args: [], cwd: path.dirname(script), env: process.env });
}

/** The next state (from now on) that matches; bounded. */
function nextState(supervisor: EngineSupervisor, match: (state: EngineState) => boolean, what: string): Promise<EngineState> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      supervisor.off('change', listener);
      reject(new Error(`no state with ${what}; last: ${JSON.stringify(supervisor.state)}`));
    }, 40_000);
    const listener = (state: EngineState) => {
      if (!match(state)) return;
      clearTimeout(timer);
      supervisor.off('change', listener);
      resolve(state);
    };
    supervisor.on('change', listener);
  });
}

describe('engine supervisor with the real engine process', () => {
  it('starts the engine, starts it again after it is killed (tray: restarting), relays Start/Stop services, and stops it cleanly', async () => {
    const dir = dataDir();
    const supervisor = new EngineSupervisor({
      spawn: () => nodeEngineChild(dir, forked),
      backoff: { baseMs: 100, maxMs: 1000, stableMs: 600_000 },
    });
    const running = nextState(supervisor, (s) => s.phase === 'running', 'the engine running');
    supervisor.start();
    expect(supervisor.state.phase).toBe('starting');
    const first = await running;
    expect(first.adminUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/#token=/);
    expect(first.adminToken).toBeTruthy();
    expect(first.snapshot?.services.find((s) => s.name === 'smtp')?.state).toBe('listening');
    expect(['running', 'partial']).toContain(iconState(first));

    // The engine dies: the supervisor says so, waits, and starts a new one.
    const restarting = nextState(supervisor, (s) => s.phase === 'restarting', 'restarting');
    const again = nextState(supervisor, (s) => s.phase === 'running', 'the engine running again');
    forked[0]!.child.kill('SIGKILL');
    const down = await restarting;
    expect(down.restart).toEqual({ crashes: 1, delayMs: 100, reason: 'the engine process ended' });
    expect(down.adminUrl).toBeNull();
    const tray = buildTrayModel({ engine: down, launchAtLogin: false });
    expect(tray.icon).toBe('stopped');
    expect(tray.items).toContainEqual(expect.objectContaining({ label: 'LanPost: Engine stopped (the engine process ended); restarting in 1 s' }));
    expect(tray.items).toContainEqual(expect.objectContaining({ label: 'Open LanPost', enabled: false }));
    const second = await again;
    expect(forked).toHaveLength(2);
    expect(second.adminUrl).not.toBe(first.adminUrl); // new port and token: the window reloads
    expect(second.restart).toBeNull();

    // Start/Stop services from the tray reach the engine, and its state comes back.
    const allStopped = nextState(supervisor, (s) => !!s.snapshot && s.snapshot.services.every((x) => x.state !== 'listening'), 'every service stopped');
    expect(supervisor.services('stop')).toBe(true);
    const stopped = await allStopped;
    expect(iconState(stopped)).toBe('stopped');
    expect(buildTrayModel({ engine: stopped, launchAtLogin: false }).items).toContainEqual(expect.objectContaining({ action: 'start-services', enabled: true }));
    const backUp = nextState(supervisor, (s) => s.snapshot?.services.find((x) => x.name === 'smtp')?.state === 'listening', 'smtp listening');
    expect(supervisor.services('start')).toBe(true);
    expect(iconState(await backUp)).not.toBe('stopped');

    // Quit: a clean stop, and no restart after it.
    expect(await supervisor.stop()).toBe('clean');
    expect(supervisor.state.phase).toBe('stopped');
    expect(await forked[1]!.exited).toEqual({ code: 0, signal: null });
    expect(forked[1]!.messages.at(-1)).toEqual({ type: 'stopped' });
    expect(forked).toHaveLength(2);
    expect(supervisor.services('start')).toBe(false);
  });

  it('retries an engine that dies while starting with growing waits, shows why, and a stop while waiting ends it', async () => {
    // A real process that dies at once with an error, as an engine crashing during start would.
    const script = writeScript('dies.cjs', "console.error('Error: the disk hiccuped'); process.exit(3);");
    const supervisor = new EngineSupervisor({ spawn: () => scriptChild(script), backoff: { baseMs: 100, maxMs: 10_000, stableMs: 600_000 } });
    const plans: NonNullable<EngineState['restart']>[] = [];
    supervisor.on('change', (s) => {
      if (s.phase === 'restarting' && s.restart) plans.push(s.restart);
    });
    const secondFailure = nextState(supervisor, (s) => s.phase === 'restarting' && s.restart?.crashes === 2, 'a second failed start');
    supervisor.start();
    await secondFailure;
    expect(await supervisor.stop()).toBe('not-running'); // between two attempts: nothing to stop
    expect(plans.map((p) => [p.crashes, p.delayMs])).toEqual([
      [1, 100],
      [2, 200],
    ]);
    expect(plans[1]!.reason).toBe('the engine exited with code 3: Error: the disk hiccuped');
    const tray = buildTrayModel({ engine: supervisor.state, launchAtLogin: false });
    expect(supervisor.state.phase).toBe('stopped');
    expect(tray.tooltip).toBe('LanPost: Stopped');
  });

  it('a Quit while the engine is still starting stops it cleanly once it can hear', async () => {
    const spawned: ForkedEngine[] = [];
    const supervisor = new EngineSupervisor({ spawn: () => nodeEngineChild(dataDir(), spawned) });
    supervisor.start();
    const outcome = supervisor.stop(); // sent as soon as the engine says it is starting
    expect(supervisor.state.phase).toBe('stopping');
    expect(await outcome).toBe('clean');
    forked.push(...spawned);
    expect(spawned).toHaveLength(1);
    expect(await spawned[0]!.exited).toEqual({ code: 0, signal: null });
    expect(spawned[0]!.messages[0]?.type).toBe('starting');
    expect(spawned[0]!.messages.at(-1)).toEqual({ type: 'stopped' });
    expect(supervisor.state.phase).toBe('stopped');
  });

  it('kills an engine that does not stop within the bounded wait', async () => {
    // A real process that says it is starting, takes the stop message and never acts on it.
    const script = "process.send({ type: 'starting', pid: process.pid }); process.on('message', () => {}); setInterval(() => {}, 1000);";
    const stubborn = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'ignore', 'ignore', 'ipc'] });
    const heard = new Promise<unknown>((resolve) => stubborn.on('message', resolve));
    const exited = new Promise<NodeJS.Signals | null>((resolve) => stubborn.on('exit', (_code, signal) => resolve(signal)));
    const child: EngineChild = {
      send: (message) => stubborn.send(message),
      kill: () => stubborn.kill('SIGKILL'),
      onMessage: (listener) => stubborn.on('message', listener),
      onExit: (listener) => stubborn.on('exit', (code) => listener(code)),
    };
    const supervisor = new EngineSupervisor({ spawn: () => child, stopTimeoutMs: 300 });
    supervisor.start();
    await heard;
    expect(await supervisor.stop()).toBe('killed');
    expect(await exited).toBe('SIGKILL');
    expect(supervisor.state.phase).toBe('stopped');
  });
});

describe('the app started from the sources: the engine under the system Node.js, as main.ts runs it', () => {
  // The launcher's real choice on this machine (LANPOST_TEST_NODE, when set, is the Node to test with).
  const env = process.env.LANPOST_TEST_NODE ? { ...process.env, LANPOST_NODE: process.env.LANPOST_TEST_NODE } : process.env;
  const launcher = chooseEngineLauncher({ isPackaged: false, env, platform: process.platform, execPath: '/nowhere/electron', isExecutable: isExecutableFile });
  const nodePath = launcher.kind === 'system-node' ? launcher.nodePath : '';
  const tsx = ENGINE_MAIN.endsWith('.ts') ? ['--import', pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href] : [];
  const short = { baseMs: 50, maxMs: 1000, stableMs: 600_000 };
  const BROKEN_NATIVE_PRELOAD = path.join(import.meta.dirname, 'helpers', 'broken-native-preload.mjs');

  /** A supervisor whose spawn starts the real engine under the system Node, counting the processes. */
  function systemNodeSupervisor(dir: string, extra: { execArgv?: string[]; env?: NodeJS.ProcessEnv; cwd?: string } = {}) {
    const started: number[] = [];
    const supervisor = new EngineSupervisor({
      spawn: () => {
        started.push(Date.now());
        return spawnNodeEngine({
          nodePath,
          entry: ENGINE_MAIN,
          args: ['--data', dir],
          execArgv: [...tsx, ...(extra.execArgv ?? [])],
          cwd: extra.cwd ?? dir,
          env: { ...process.env, ...extra.env },
        });
      },
      classify: (input) => classifyEngineFailure(input, { packaged: false, nodePath, dataDir: dir }),
      backoff: short,
    });
    return { supervisor, started };
  }

  /** The failed state, then a wait several backoffs long: no second process. */
  async function failsOnce(supervisor: EngineSupervisor, started: number[]): Promise<EngineState> {
    const failed = nextState(supervisor, (s) => s.phase === 'failed', 'the failed phase');
    supervisor.start();
    const state = await failed;
    await new Promise((resolve) => setTimeout(resolve, short.baseMs * 8));
    expect(started).toHaveLength(1);
    expect(supervisor.state.phase).toBe('failed');
    return state;
  }

  it('finds a system Node.js here', () => {
    expect(launcher).toMatchObject({ kind: 'system-node', nodePath: expect.any(String) });
  });

  it('runs the real engine, starts it again after kill -9 (a crash, not a failure), and stops it cleanly', async () => {
    const { supervisor, started } = systemNodeSupervisor(dataDir());
    const pids: number[] = [];
    supervisor.on('ready', (ready: ReadyMessage) => pids.push(ready.pid));
    const running = nextState(supervisor, (s) => s.phase === 'running', 'the engine running');
    supervisor.start();
    const first = await running;
    expect(first.adminUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/#token=/);
    expect(first.snapshot?.services.find((s) => s.name === 'smtp')?.state).toBe('listening');

    const restarting = nextState(supervisor, (s) => s.phase === 'restarting', 'restarting');
    const again = nextState(supervisor, (s) => s.phase === 'running', 'the engine running again');
    process.kill(pids[0]!, 'SIGKILL');
    expect((await restarting).restart).toEqual({ crashes: 1, delayMs: 50, reason: 'the engine process ended' });
    const second = await again;
    expect(second.failure).toBeNull();
    expect(started).toHaveLength(2);
    expect(pids[1]).not.toBe(pids[0]);

    expect(await supervisor.stop()).toBe('clean');
    expect(supervisor.state.phase).toBe('stopped');
  });

  it('bad settings: fails once and is not started again, the state says why and what to do; Try again after the fix runs it', async () => {
    const dir = dataDir();
    const file = path.join(dir, 'settings.json');
    const good = fs.readFileSync(file, 'utf8');
    const settings = JSON.parse(good);
    settings.services.imap.port = -1;
    fs.writeFileSync(file, JSON.stringify(settings));
    const { supervisor, started } = systemNodeSupervisor(dir);
    const failures: unknown[] = [];
    supervisor.on('failed', (failure) => failures.push(failure));
    const state = await failsOnce(supervisor, started);
    expect(state.failure).toMatchObject({ permanent: true, kind: 'settings' });
    expect(state.failure!.reason).toMatch(/^settings\.json has a bad value: services\.imap\.port: /);
    expect(state.failure!.fix).toBe(`Correct that value in settings.json in ${dir}, then choose Try again.`);
    expect(state.restart).toBeNull();
    expect(failures).toEqual([state.failure]);
    const tray = buildTrayModel({ engine: state, launchAtLogin: false });
    expect(tray.tooltip).toMatch(/^LanPost cannot start: settings\.json has a bad value: services\.imap\.port: /);
    expect(tray.items).toContainEqual(expect.objectContaining({ label: 'Try again', action: 'retry-engine' }));

    fs.writeFileSync(file, good);
    const running = nextState(supervisor, (s) => s.phase === 'running', 'the engine running after Try again');
    supervisor.start(); // the tray's Try again
    expect(supervisor.state).toMatchObject({ phase: 'starting', failure: null });
    await running;
    expect(started).toHaveLength(2);
    expect(await supervisor.stop()).toBe('clean');
  });

  it('a data folder that is a regular file: fails once, says the folder cannot be used', async () => {
    const file = path.join(dataDir(), 'not-a-folder');
    fs.writeFileSync(file, 'a file where the data folder should be\n');
    const { supervisor, started } = systemNodeSupervisor(file, { cwd: path.dirname(file) });
    const state = await failsOnce(supervisor, started);
    expect(state.failure).toMatchObject({ permanent: true, kind: 'data-folder', reason: `The data folder cannot be used: EEXIST: file already exists, mkdir '${file}'` });
    expect(state.failure!.fix).toContain(`Make ${file} a folder you can write to`);
  });

  it('a native module the engine cannot load (a real ERR_DLOPEN_FAILED inside the real engine): fails once, says rebuild it', async () => {
    const bogus = writeScript('better_sqlite3.node', 'not a shared library\n');
    const dir = dataDir();
    const { supervisor, started } = systemNodeSupervisor(dir, { execArgv: ['--import', pathToFileURL(BROKEN_NATIVE_PRELOAD).href], env: { LANPOST_TEST_BROKEN_NATIVE: bogus } });
    const state = await failsOnce(supervisor, started);
    expect(state.failure).toMatchObject({ permanent: true, kind: 'native-module', reasonKey: 'native-load', fixKey: 'rebuild-native' });
    expect(state.failure!.reason.startsWith(`The database module (better-sqlite3) cannot be loaded: ${bogus}: `)).toBe(true);
    expect(state.failure!.fix).toBe(`Rebuild it for that Node.js (${nodePath}): run npm rebuild better-sqlite3 in the LanPost folder, then choose Try again.`);
  });

  it('an engine that dies at its native module before it can say anything: read from its stderr, fails once', async () => {
    const bogus = writeScript('early.node', 'not a shared library either\n');
    const script = writeScript('early-death.cjs', `require(${JSON.stringify(bogus)});`);
    let count = 0;
    const supervisor = new EngineSupervisor({
      spawn: () => {
        count++;
        return scriptChild(script);
      },
      backoff: short,
    });
    const failed = nextState(supervisor, (s) => s.phase === 'failed', 'the failed phase');
    supervisor.start();
    const state = await failed;
    await new Promise((resolve) => setTimeout(resolve, short.baseMs * 8));
    expect(count).toBe(1);
    expect(state.failure).toMatchObject({ permanent: true, kind: 'native-module' });
    expect(state.failure!.detail).toContain('ERR_DLOPEN_FAILED');
  });

  it('no Node.js found, or the one found cannot be run: fails at once, says where it looked', async () => {
    const nowhere = tempDataDir('lanpost-no-node-');
    dirs.push(nowhere);
    let attempts = 0;
    const none = new EngineSupervisor({
      spawn: () => {
        attempts++;
        const choice = chooseEngineLauncher({ isPackaged: false, env: { PATH: nowhere }, platform: process.platform, execPath: '/nowhere/electron', isExecutable: isExecutableFile });
        if (choice.kind !== 'system-node') throw new NoNodeError(choice.kind === 'no-node' ? choice.tried : []);
        throw new Error('found a node in an empty folder');
      },
      backoff: short,
    });
    none.start();
    expect(none.state).toMatchObject({ phase: 'failed', failure: { permanent: true, kind: 'no-node' } });
    expect(none.state.failure!.reason).toBe('No Node.js was found to run the engine (looked at: node on the PATH).');
    await new Promise((resolve) => setTimeout(resolve, short.baseMs * 4));
    expect(attempts).toBe(1);

    const gone = path.join(nowhere, 'node');
    const unrunnable = new EngineSupervisor({
      spawn: () => spawnNodeEngine({ nodePath: gone, entry: ENGINE_MAIN, args: [], cwd: nowhere, env: process.env }),
      classify: (input) => classifyEngineFailure(input, { nodePath: gone }),
      backoff: short,
    });
    const failed = nextState(unrunnable, (s) => s.phase === 'failed', 'the failed phase');
    unrunnable.start();
    expect((await failed).failure).toMatchObject({ permanent: true, kind: 'no-node', reason: `The Node.js at ${gone} could not be run (ENOENT).` });
  });
});

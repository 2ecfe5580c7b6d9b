// The desktop app's engine supervisor and its restart backoff, driving the real engine process
// forked as a Node child (Electron's utilityProcess gives the same messages).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_BACKOFF, planRestart } from '../electron/backoff.js';
import { EngineSupervisor, type EngineChild, type EngineState } from '../electron/engine-supervisor.js';
import { buildTrayModel, iconState } from '../electron/tray-model.js';
import { engineDataDir, nodeEngineChild, type ForkedEngine } from './helpers/engine-process.js';

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

  it('retries an engine that cannot start with growing waits, shows why, and a stop while waiting ends it', async () => {
    const dir = dataDir();
    const file = path.join(dir, 'settings.json');
    const settings = JSON.parse(fs.readFileSync(file, 'utf8'));
    settings.services.imap.port = -1;
    fs.writeFileSync(file, JSON.stringify(settings));
    const spawned: ForkedEngine[] = [];
    const supervisor = new EngineSupervisor({ spawn: () => nodeEngineChild(dir, spawned), backoff: { baseMs: 100, maxMs: 10_000, stableMs: 600_000 } });
    const plans: NonNullable<EngineState['restart']>[] = [];
    supervisor.on('change', (s) => {
      if (s.phase === 'restarting' && s.restart) plans.push(s.restart);
    });
    const secondFailure = nextState(supervisor, (s) => s.phase === 'restarting' && s.restart?.crashes === 2, 'a second failed start');
    supervisor.start();
    await secondFailure;
    expect(await supervisor.stop()).toBe('not-running'); // between two attempts: nothing to stop
    forked.push(...spawned);
    expect(plans.map((p) => [p.crashes, p.delayMs])).toEqual([
      [1, 100],
      [2, 200],
    ]);
    expect(plans[1]!.reason).toContain('services.imap.port');
    expect(spawned.map((e) => e.child.exitCode)).toEqual([1, 1]);
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

// `npm start`: the desktop app where Electron can start, else one line saying why and the
// headless engine — the decision (scripts/launch.js) and the real fallback (scripts/start.js).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BUILD_OUTPUTS, desktopEnv, electronFailedReason, electronUnavailableReason, findElectronBinary, missingBuildReason } from '../scripts/launch.js';
import { prepareDataDir, tempDataDir } from './helpers/engine.js';

const ROOT = path.join(import.meta.dirname, '..');
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

describe('whether Electron can start', () => {
  const electronPath = '/opt/electron/electron';

  it('can where the binary is installed and there is a display (or not Linux)', () => {
    expect(electronUnavailableReason({ platform: 'linux', env: { DISPLAY: ':0' }, electronPath })).toBeNull();
    expect(electronUnavailableReason({ platform: 'linux', env: { WAYLAND_DISPLAY: 'wayland-0' }, electronPath })).toBeNull();
    expect(electronUnavailableReason({ platform: 'win32', env: {}, electronPath })).toBeNull();
    expect(electronUnavailableReason({ platform: 'darwin', env: {}, electronPath })).toBeNull();
    expect(electronUnavailableReason({ platform: 'linux', env: { DISPLAY: ':0', LANPOST_HEADLESS: '0' }, electronPath })).toBeNull();
  });

  it('cannot without the binary, without a display on Linux, or when told to run headless', () => {
    expect(electronUnavailableReason({ platform: 'linux', env: { DISPLAY: ':0' }, electronPath: null })).toMatch(/Electron binary is not installed/);
    expect(electronUnavailableReason({ platform: 'win32', env: {}, electronPath: null })).toMatch(/Electron binary is not installed/);
    expect(electronUnavailableReason({ platform: 'linux', env: {}, electronPath })).toBe('there is no display (DISPLAY / WAYLAND_DISPLAY unset)');
    expect(electronUnavailableReason({ platform: 'linux', env: { DISPLAY: ':0', LANPOST_HEADLESS: '1' }, electronPath })).toBe('LANPOST_HEADLESS is set');
    expect(electronUnavailableReason({ platform: 'darwin', env: { ELECTRON_RUN_AS_NODE: '1' }, electronPath })).toMatch(/ELECTRON_RUN_AS_NODE/);
  });

  it('needs the built app, and falls back when Electron cannot load or run at all', () => {
    expect(missingBuildReason(() => true)).toBeNull();
    expect(missingBuildReason((file) => file !== 'dist/electron/preload.cjs')).toBe('the build did not produce dist/electron/preload.cjs');
    expect(missingBuildReason(() => false)).toBe(`the build did not produce ${BUILD_OUTPUTS.join(', ')}`);
    expect(electronFailedReason(127, null)).toBe('Electron could not load its system libraries');
    expect(electronFailedReason(null, 'EACCES')).toBe('Electron could not be run (EACCES)');
    // Ordinary exits of the app are the app's: no fallback.
    expect(electronFailedReason(0, null)).toBeNull();
    expect(electronFailedReason(1, null)).toBeNull();
    expect(electronFailedReason(null, null)).toBeNull();
  });

  it("Electron gets the Node.js npm start runs with as LANPOST_NODE (the engine's Node), unless the user named one", () => {
    expect(desktopEnv({ DISPLAY: ':0', npm_node_execpath: '/usr/bin/node' }, '/opt/node-20/bin/node')).toEqual({
      DISPLAY: ':0',
      npm_node_execpath: '/usr/bin/node',
      LANPOST_NODE: '/opt/node-20/bin/node',
    });
    expect(desktopEnv({ LANPOST_NODE: '/opt/mine/node' }, '/usr/bin/node').LANPOST_NODE).toBe('/opt/mine/node');
    expect(desktopEnv({ LANPOST_NODE: '' }, '/usr/bin/node').LANPOST_NODE).toBe('/usr/bin/node');
    const start = fs.readFileSync(path.join(ROOT, 'scripts', 'start.js'), 'utf8');
    expect(start).toContain('run(electron, [root, ...args], true, desktopEnv(process.env, process.execPath))');
  });

  it('the build outputs are where the app and electron-builder look for them', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { main: string; scripts: Record<string, string> };
    expect(BUILD_OUTPUTS).toContain(pkg.main);
    const main = fs.readFileSync(path.join(ROOT, 'electron', 'main.ts'), 'utf8');
    expect(main).toContain("path.join(ROOT, 'dist', 'server', 'main.js')");
    expect(main).toContain("path.join(ROOT, 'dist', 'electron', 'preload.cjs')");
    expect(pkg.scripts.build).toContain('tsc -p electron/tsconfig.json');
    expect(pkg.scripts.typecheck).toContain('tsc -p electron/tsconfig.json --noEmit');
  });
});

describe('npm start where Electron cannot start', () => {
  it('says why in one line, runs the headless engine with --data, and stops on SIGTERM', async () => {
    const dataDir = tempDataDir('lanpost-start-');
    dirs.push(dataDir);
    prepareDataDir(dataDir);
    // Where Electron could start (a developer's desktop), ask for the headless engine instead.
    const electronReason = electronUnavailableReason({ platform: process.platform, env: process.env, electronPath: findElectronBinary() });
    const env = electronReason ? { ...process.env } : { ...process.env, LANPOST_HEADLESS: '1' };
    const reason = electronReason ?? 'LANPOST_HEADLESS is set';

    const child = spawn(process.execPath, [path.join(ROOT, 'scripts', 'start.js'), '--data', dataDir], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const deadline = Date.now() + 40_000;
    while (!/\nadmin http:/.test(output) && child.exitCode === null && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));

    const lines = output.split('\n');
    expect(lines[0]).toBe(`LanPost: the desktop app cannot start here (${reason}); running the headless engine instead.`);
    expect(output).toContain(`data ${dataDir}`);
    expect(output).toMatch(/\nsmtp 127\.0\.0\.1:\d+ listening\n/);
    expect(output).toMatch(/\nadmin http:\/\/127\.0\.0\.1:\d+\/#token=\S+/);
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(output).toContain('SIGTERM: stopping');
  });
});

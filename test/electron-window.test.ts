// The window's rules (origins, external links, CSP), the preload bridge, the app's arguments
// (data folder, --hidden, Linux autostart entry), its small preference file and engine log.
import fs from 'node:fs';
import path from 'node:path';
import vm from 'node:vm';
import ts from 'typescript';
import { afterAll, describe, expect, it } from 'vitest';
import { chooseDataDir, desktopExecArgument, linuxAutostartEntry, parseDesktopArguments } from '../electron/arguments.js';
import { CHANNELS } from '../electron/bridge.js';
import { ENGINE_LOG, openEngineLog } from '../electron/engine-log.js';
import { loadPreferences, PREFERENCES_FILE, savePreferences } from '../electron/preferences.js';
import { adminOrigin, contentSecurityPolicy, isAdminPage, isSafeExternalUrl } from '../electron/window-policy.js';
import { tempDataDir } from './helpers/engine.js';

const dirs: string[] = [];
function tempDir(): string {
  const dir = tempDataDir('lanpost-electron-');
  dirs.push(dir);
  return dir;
}
afterAll(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

describe('window policy', () => {
  const origin = adminOrigin('http://127.0.0.1:41234/#token=abc');

  it('only pages of the running engine belong in the window', () => {
    expect(origin).toBe('http://127.0.0.1:41234');
    expect(isAdminPage('http://127.0.0.1:41234/users?x=1', origin)).toBe(true);
    expect(isAdminPage('http://127.0.0.1:41235/', origin)).toBe(false); // an old engine's port
    expect(isAdminPage('http://localhost:41234/', origin)).toBe(false);
    expect(isAdminPage('https://127.0.0.1:41234/', origin)).toBe(false);
    expect(isAdminPage('http://127.0.0.1:41234@evil.example/', origin)).toBe(false);
    expect(isAdminPage('file:///etc/passwd', origin)).toBe(false);
    expect(isAdminPage('not a url', origin)).toBe(false);
    expect(isAdminPage('http://127.0.0.1:41234/', null)).toBe(false); // no engine: nothing belongs
  });

  it('opens outside only web and mail links', () => {
    expect(isSafeExternalUrl('https://www.rfc-editor.org/rfc/rfc5321#section-4.1.1')).toBe(true);
    expect(isSafeExternalUrl('http://example.org/help')).toBe(true);
    expect(isSafeExternalUrl('mailto:admin@school.lan')).toBe(true);
    for (const bad of ['file:///C:/Windows/system32/calc.exe', 'javascript:alert(1)', 'smb://server/share', 'ms-settings:', 'https://user:pw@example.org/', 'https://', '', 42, null, `https://example.org/${'a'.repeat(3000)}`]) {
      expect(isSafeExternalUrl(bad), String(bad)).toBe(false);
    }
  });

  it('the CSP allows the page its own scripts and the engine WebSocket, and nothing from elsewhere', () => {
    const csp = contentSecurityPolicy(origin);
    const directives = Object.fromEntries(csp.split('; ').map((d) => [d.split(' ')[0], d.split(' ').slice(1)]));
    expect(directives['default-src']).toEqual(["'self'"]);
    expect(directives['script-src']).toEqual(["'self'"]); // no inline scripts, no eval
    expect(directives['connect-src']).toEqual(["'self'", 'ws://127.0.0.1:41234']);
    expect(directives['object-src']).toEqual(["'none'"]);
    expect(directives['frame-ancestors']).toEqual(["'none'"]);
    expect(csp).not.toMatch(/\*|unsafe-eval|https?:\/\/(?!127)/);
  });
});

describe('preload bridge', () => {
  // Compiled as the build does (CommonJS), then run the way a sandboxed preload runs: a module
  // wrapper whose require() knows only 'electron'.
  const source = fs.readFileSync(path.join(import.meta.dirname, '..', 'electron', 'preload.cts'), 'utf8');
  const compiled = ts.transpileModule(source, { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 } }).outputText;

  function loadPreload() {
    const exposed: Record<string, unknown> = {};
    const invoked: unknown[][] = [];
    const electron = {
      contextBridge: { exposeInMainWorld: (key: string, api: unknown) => (exposed[key] = api) },
      ipcRenderer: { invoke: async (...args: unknown[]) => (invoked.push(args), 'answer') },
    };
    const required: string[] = [];
    const sandboxRequire = (name: string) => {
      required.push(name);
      if (name !== 'electron') throw new Error(`a sandboxed preload cannot require ${name}`);
      return electron;
    };
    const module = { exports: {} };
    vm.runInNewContext(`(function (exports, require, module) {${compiled}\n})`, {})(module.exports, sandboxRequire, module);
    return { exposed, invoked, required };
  }

  it('needs nothing but electron and exposes only session() and openExternal() as window.lanpost', async () => {
    const { exposed, invoked, required } = loadPreload();
    expect(required).toEqual(['electron']);
    expect(Object.keys(exposed)).toEqual(['lanpost']);
    const api = exposed.lanpost as Record<string, (...a: unknown[]) => Promise<unknown>>;
    expect(Object.keys(api).sort()).toEqual(['openExternal', 'session']);
    await api.session!();
    await api.openExternal!({ toString: () => 'https://example.org/' });
    expect(invoked).toEqual([[CHANNELS.session], [CHANNELS.openExternal, 'https://example.org/']]);
  });
});

describe('desktop arguments and data folder', () => {
  it('reads --data DIR, --data=DIR and --hidden among Electron and Chromium arguments', () => {
    expect(parseDesktopArguments(['/opt/LanPost/lanpost', '--no-sandbox', '--data', '/srv/mail', '--hidden'])).toEqual({ dataDir: '/srv/mail', hidden: true });
    expect(parseDesktopArguments(['electron', '.', '--data=/srv/other'])).toEqual({ dataDir: '/srv/other', hidden: false });
    expect(parseDesktopArguments(['electron', '.', '--data', '--hidden'])).toEqual({ dataDir: null, hidden: true });
    expect(parseDesktopArguments(['electron', '.', '--data='])).toEqual({ dataDir: null, hidden: false });
  });

  it('uses --data, else $LANPOST_DATA, else the folder named in data-folder.txt, else the app folder', () => {
    const userData = '/home/u/.config/LanPost';
    const none = { dataDir: null, hidden: false };
    expect(chooseDataDir({ dataDir: '/a', hidden: false }, { LANPOST_DATA: '/b' }, userData, '/c\n')).toBe('/a');
    expect(chooseDataDir(none, { LANPOST_DATA: '/b' }, userData, '/c\n')).toBe('/b');
    expect(chooseDataDir(none, { LANPOST_DATA: '' }, userData, '  /srv/mail/lanpost//  \r\nnotes\n')).toBe('/srv/mail/lanpost/');
    expect(chooseDataDir(none, {}, userData, 'relative/folder\n')).toBe(userData); // only absolute paths
    expect(chooseDataDir(none, {}, userData, '\n/late/line')).toBe(userData);
    expect(chooseDataDir(none, {}, userData, null)).toBe(userData);
    expect(chooseDataDir(none, {}, userData)).toBe(userData);
  });

  it('writes a Linux autostart entry that starts hidden, quoting paths as the Desktop Entry spec asks', () => {
    expect(linuxAutostartEntry('/opt/LanPost/lanpost')).toContain('\nExec=/opt/LanPost/lanpost --hidden\n');
    const entry = linuxAutostartEntry('/home/ann/My Apps/LanPost-0.1.0.AppImage');
    expect(entry.startsWith('[Desktop Entry]\nType=Application\nName=LanPost\n')).toBe(true);
    expect(entry).toContain('\nExec="/home/ann/My Apps/LanPost-0.1.0.AppImage" --hidden\n');
    expect(desktopExecArgument('/tmp/100%/a$b')).toBe('"/tmp/100%%/a\\\\$b"');
    expect(desktopExecArgument('C:\\x y')).toBe('"C:\\\\\\\\x y"');
    expect(desktopExecArgument('plain-arg')).toBe('plain-arg');
  });
});

describe('desktop files', () => {
  it('remembers that the close-to-tray notice was shown; a damaged file means defaults', () => {
    const dir = tempDir();
    expect(loadPreferences(dir)).toEqual({ closeNoticeShown: false });
    savePreferences(dir, { closeNoticeShown: true });
    expect(loadPreferences(dir)).toEqual({ closeNoticeShown: true });
    fs.writeFileSync(path.join(dir, PREFERENCES_FILE), '{not json');
    expect(loadPreferences(dir)).toEqual({ closeNoticeShown: false });
  });

  it('appends the engine output to engine.log and keeps a too-big log as engine.log.1', async () => {
    const dir = path.join(tempDir(), 'logs');
    const write = (text: string, max?: number) =>
      new Promise<void>((resolve) => {
        const log = openEngineLog(dir, max);
        log.end(text, () => resolve());
      });
    await write('first run\n');
    await write('second run\n');
    expect(fs.readFileSync(path.join(dir, ENGINE_LOG), 'utf8')).toBe('first run\nsecond run\n');
    await write('third run\n', 10);
    expect(fs.readFileSync(path.join(dir, `${ENGINE_LOG}.1`), 'utf8')).toBe('first run\nsecond run\n');
    expect(fs.readFileSync(path.join(dir, ENGINE_LOG), 'utf8')).toBe('third run\n');
  });
});

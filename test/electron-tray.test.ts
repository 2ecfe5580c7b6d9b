// The tray as data: menu model, icon choice and tooltip from the engine state; the tray image
// files; the text of "Copy client settings".
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { clientSettingsText } from '../electron/client-settings.js';
import { classifyEngineFailure } from '../electron/engine-failure.js';
import type { EngineState } from '../electron/engine-supervisor.js';
import { trayIconFile, trayTheme, WINDOW_ICON } from '../electron/icons.js';
import { buildTrayModel, iconState, TOOLTIP_MAX, type IconState, type TrayItem } from '../electron/tray-model.js';
import type { EngineSnapshot } from '../server/engine-messages.js';
import type { ServiceState, ServiceStatus } from '../server/net/listener.js';
import { SERVICE_NAMES, STANDARD_PORTS, type ServiceName } from '../server/settings/schema.js';

const ASSETS = path.join(import.meta.dirname, '..', 'assets');

function snapshot(states: Partial<Record<ServiceName, ServiceState>> = {}): EngineSnapshot {
  const services: ServiceStatus[] = SERVICE_NAMES.map((name) => {
    const state = states[name] ?? 'listening';
    return { name, address: '0.0.0.0', port: STANDARD_PORTS[name], state, detail: state };
  });
  return { hostname: 'mail.school.lan', domain: 'school.lan', lanAddresses: ['192.168.1.20', 'fd00::20'], services, diskLow: null };
}

function running(states?: Partial<Record<ServiceName, ServiceState>>): EngineState {
  return { phase: 'running', snapshot: snapshot(states), adminUrl: 'http://127.0.0.1:41000/#token=t', adminToken: 't', restart: null, failure: null };
}

const labels = (items: TrayItem[]) => items.flatMap((i) => (i.type === 'separator' ? ['---'] : [i.label]));
const item = (items: TrayItem[], label: string) => items.find((i) => i.type !== 'separator' && i.label === label) as Exclude<TrayItem, { type: 'separator' }>;

describe('tray menu model', () => {
  it('all running: one line per service, Stop services, Copy client settings, Launch at login, Quit', () => {
    const model = buildTrayModel({ engine: running(), launchAtLogin: true });
    expect(model.icon).toBe('running');
    expect(model.tooltip).toBe('LanPost: Running: 10 services');
    expect(labels(model.items)).toEqual([
      'Open LanPost',
      '---',
      'LanPost: Running: 10 services',
      '    SMTP (port 25): running',
      '    SMTP submission (port 587): running',
      '    SMTPS (port 465): running',
      '    POP3 (port 110): running',
      '    POP3S (port 995): running',
      '    IMAP (port 143): running',
      '    IMAPS (port 993): running',
      '    DNS (port 53): running',
      '    HTTP (LAN web) (port 80): running',
      '    HTTPS (LAN web) (port 443): running',
      '---',
      'Stop services',
      'Copy client settings',
      '---',
      'Launch at login',
      '---',
      'Quit LanPost',
    ]);
    expect(item(model.items, 'Open LanPost')).toMatchObject({ action: 'open', enabled: true });
    expect(item(model.items, 'Stop services')).toMatchObject({ action: 'stop-services', enabled: true });
    expect(item(model.items, 'Copy client settings')).toMatchObject({ action: 'copy-client-settings', enabled: true });
    expect(item(model.items, 'Launch at login')).toEqual({ type: 'checkbox', label: 'Launch at login', action: 'toggle-launch-at-login', checked: true, enabled: true });
    expect(item(model.items, 'Quit LanPost')).toMatchObject({ action: 'quit', enabled: true });
    expect(item(model.items, '    SMTP (port 25): running')).toMatchObject({ action: null, enabled: false });
  });

  it('some blocked: the partial icon, the blocked services named, and their lines open the window (where the fix is)', () => {
    const model = buildTrayModel({ engine: running({ smtp: 'blocked', dns: 'in-use', imap: 'disabled', imaps: 'disabled' }), launchAtLogin: false });
    expect(model.icon).toBe('partial');
    expect(model.tooltip).toBe('LanPost: 2 of 8 services not running (SMTP, DNS)');
    expect(item(model.items, '    SMTP (port 25): blocked (permission)')).toMatchObject({ action: 'open', enabled: true });
    expect(item(model.items, '    DNS (port 53): blocked (port in use)')).toMatchObject({ action: 'open', enabled: true });
    expect(item(model.items, '    IMAP: off')).toMatchObject({ action: null, enabled: false });
    expect(item(model.items, 'Launch at login')).toMatchObject({ checked: false });
  });

  it('disk nearly full: the partial icon, the tooltip and a line that opens the window say new mail is refused', () => {
    const engine = running();
    engine.snapshot!.diskLow = { freeBytes: 12 * 1048576 + 5, floorBytes: 64 * 1048576, low: true };
    const model = buildTrayModel({ engine, launchAtLogin: false });
    expect(model.icon).toBe('partial');
    expect(model.tooltip).toBe('LanPost: Disk nearly full (12 MB free): new mail refused. Running: 10 services');
    expect(item(model.items, '    Disk nearly full (12 MB free): new mail refused')).toMatchObject({ action: 'open', enabled: true });
    expect(buildTrayModel({ engine: running(), launchAtLogin: false }).items.some((i) => i.type !== 'separator' && i.label.includes('Disk'))).toBe(false);
  });

  it('services stopped by the user: the stopped icon and Start services', () => {
    const stopped = Object.fromEntries(SERVICE_NAMES.map((n) => [n, 'stopped'])) as Record<ServiceName, ServiceState>;
    const model = buildTrayModel({ engine: running({ ...stopped, dns: 'disabled' }), launchAtLogin: false });
    expect(model.icon).toBe('stopped');
    expect(model.tooltip).toBe('LanPost: Services stopped');
    expect(labels(model.items)).not.toContain('Stop services');
    expect(item(model.items, 'Start services')).toMatchObject({ action: 'start-services', enabled: true });
    expect(item(model.items, 'Copy client settings')).toMatchObject({ enabled: false });
  });

  it('a mix of running and stopped services is partial; with only port 25 and DNS there is nothing for clients to copy', () => {
    const engine = running({ submission: 'stopped', smtps: 'stopped', pop3: 'stopped', pop3s: 'stopped', imap: 'stopped', imaps: 'stopped' });
    expect(iconState(engine)).toBe('partial');
    const model = buildTrayModel({ engine, launchAtLogin: false });
    expect(model.tooltip).toBe('LanPost: 6 of 10 services not running (SMTP submission, SMTPS, POP3, POP3S, IMAP, IMAPS)');
    expect(item(model.items, 'Stop services')).toMatchObject({ enabled: true });
    expect(item(model.items, 'Copy client settings')).toMatchObject({ enabled: false });
  });

  it('starting, stopping, stopped: no service lines, nothing to open or start, Quit only when not already stopping', () => {
    const base = { snapshot: null, adminUrl: null, adminToken: null, restart: null, failure: null };
    for (const [phase, summary] of [
      ['starting', 'Starting…'],
      ['stopping', 'Stopping…'],
      ['stopped', 'Stopped'],
    ] as const) {
      const model = buildTrayModel({ engine: { ...base, phase }, launchAtLogin: false });
      expect(model.icon).toBe('stopped');
      expect(model.tooltip).toBe(`LanPost: ${summary}`);
      expect(labels(model.items).filter((l) => l.startsWith('    '))).toEqual([]);
      expect(item(model.items, 'Open LanPost').enabled).toBe(false);
      expect(item(model.items, 'Start services').enabled).toBe(false);
      expect(item(model.items, 'Quit LanPost').enabled).toBe(phase !== 'stopping');
    }
  });

  it('restarting: says why and when, even for a long reason, within the tooltip limit', () => {
    const reason = `settings.json: services.smtp.port: must be from 0 to 65535 ${'and more '.repeat(30)}`;
    const engine: EngineState = { phase: 'restarting', snapshot: snapshot(), adminUrl: null, adminToken: null, restart: { crashes: 3, delayMs: 4000, reason }, failure: null };
    const model = buildTrayModel({ engine, launchAtLogin: false });
    expect(model.icon).toBe('stopped');
    const header = labels(model.items)[2]!;
    expect(header).toMatch(/^LanPost: Engine stopped \(settings\.json: services\.smtp\.port: must be from 0 to 65535 and .*…\); restarting in 4 s$/);
    expect(model.tooltip.length).toBeLessThanOrEqual(TOOLTIP_MAX);
    expect(labels(model.items).filter((l) => l.startsWith('    '))).toEqual([]); // the last snapshot is stale: not shown
    // Starting again after a crash reads differently from the first start.
    expect(buildTrayModel({ engine: { ...engine, phase: 'starting', restart: null }, launchAtLogin: false }).tooltip).toBe('LanPost: Starting again…');
  });

  it('cannot start: the reason in the tooltip and a menu line, the fix, Try again, and Open shows the window with both', () => {
    const abi =
      "The module '/home/ann/lanpost/node_modules/better-sqlite3/build/Release/better_sqlite3.node'\nwas compiled against a different Node.js version using\nNODE_MODULE_VERSION 115. This version of Node.js requires\nNODE_MODULE_VERSION 145. Please try re-compiling or re-installing\nthe module (for instance, using `npm rebuild` or `npm install`).";
    const failure = classifyEngineFailure({ failed: { message: abi, code: 'ERR_DLOPEN_FAILED' }, exitCode: 1 }, { nodePath: '/usr/bin/node', dataDir: '/home/ann/.config/LanPost' });
    const engine: EngineState = { phase: 'failed', snapshot: snapshot(), adminUrl: null, adminToken: null, restart: null, failure };
    const model = buildTrayModel({ engine, launchAtLogin: false });
    expect(model.icon).toBe('stopped');
    expect(model.tooltip.length).toBeLessThanOrEqual(TOOLTIP_MAX);
    expect(model.tooltip).toBe('LanPost cannot start: The database module better-sqlite3 was built for another Node.js (module version 115, needed 145).');
    expect(labels(model.items).slice(0, 6)).toEqual([
      'Open LanPost',
      '---',
      'LanPost: Engine cannot start',
      '    The database module better-sqlite3 was built for another Node.js (module version 115, needed 145).',
      '    Fix: Rebuild it for that Node.js (/usr/bin/node): run npm rebuild better-sqlite3 in the LanPost folder, …',
      'Try again',
    ]);
    expect(item(model.items, 'Try again')).toEqual({ type: 'normal', label: 'Try again', action: 'retry-engine', enabled: true });
    expect(item(model.items, 'Open LanPost')).toMatchObject({ action: 'open', enabled: true });
    expect(item(model.items, 'Start services').enabled).toBe(false);
    expect(item(model.items, 'Copy client settings').enabled).toBe(false);
    expect(item(model.items, 'Quit LanPost').enabled).toBe(true);
    // Starting again (Try again) drops the lines.
    const retrying = buildTrayModel({ engine: { ...engine, phase: 'starting', failure: null }, launchAtLogin: false });
    expect(labels(retrying.items)).not.toContain('Try again');
    expect(retrying.tooltip).toBe('LanPost: Starting again…');
  });
});

describe('tray icon files', () => {
  it('per platform: template images on macOS, the dark-panel icon on Linux, the theme on Windows', () => {
    expect(trayTheme('darwin', false)).toBe('template');
    expect(trayTheme('darwin', true)).toBe('template');
    expect(trayTheme('linux', false)).toBe('dark');
    expect(trayTheme('win32', true)).toBe('dark');
    expect(trayTheme('win32', false)).toBe('light');
    expect(trayIconFile('running', 'template')).toBe('tray-runningTemplate.png');
    expect(trayIconFile('partial', 'dark')).toBe('tray-partial-dark.png');
    expect(trayIconFile('stopped', 'light')).toBe('tray-stopped-light.png');
  });

  it('every icon the app can ask for exists, with its @2x file, at 16 and 32 pixels', () => {
    const states: IconState[] = ['running', 'partial', 'stopped'];
    const files = new Set<string>();
    for (const state of states) for (const theme of ['dark', 'light', 'template'] as const) files.add(trayIconFile(state, theme));
    expect(files.size).toBe(9);
    for (const file of files) {
      expect(pngSize(path.join(ASSETS, 'tray', file))).toEqual([16, 16]);
      expect(pngSize(path.join(ASSETS, 'tray', file.replace('.png', '@2x.png')))).toEqual([32, 32]);
    }
    expect(pngSize(path.join(ASSETS, WINDOW_ICON))).toEqual([256, 256]);
  });

  it('the three states look different, and template images are black with alpha only', () => {
    const running = fs.readFileSync(path.join(ASSETS, 'tray', 'tray-running-dark.png'));
    const partial = fs.readFileSync(path.join(ASSETS, 'tray', 'tray-partial-dark.png'));
    const stopped = fs.readFileSync(path.join(ASSETS, 'tray', 'tray-stopped-dark.png'));
    expect(running.equals(partial) || running.equals(stopped) || partial.equals(stopped)).toBe(false);
    for (const state of ['running', 'partial', 'stopped']) {
      for (const file of [`tray-${state}Template.png`, `tray-${state}Template@2x.png`]) {
        const { rgba } = decodePng(path.join(ASSETS, 'tray', file));
        let visible = 0;
        for (let i = 0; i < rgba.length; i += 4) {
          if (rgba[i + 3] === 0) continue;
          visible++;
          expect([rgba[i], rgba[i + 1], rgba[i + 2]]).toEqual([0, 0, 0]);
        }
        expect(visible).toBeGreaterThan(20);
      }
    }
    // The coloured icons are not: running has green in its badge.
    const { rgba } = decodePng(path.join(ASSETS, 'tray', 'tray-running-dark@2x.png'));
    let green = 0;
    for (let i = 0; i < rgba.length; i += 4) if (rgba[i + 3]! > 200 && rgba[i + 1]! > 150 && rgba[i]! < 100) green++;
    expect(green).toBeGreaterThan(10);
  });
});

describe('copy client settings', () => {
  it('lists the listening client services with their ports and TLS, the host name and the LAN address', () => {
    const text = clientSettingsText(snapshot({ pop3: 'blocked', pop3s: 'stopped' }));
    expect(text).toBe(
      [
        'LanPost mail settings for school.lan',
        'Server: mail.school.lan (or 192.168.1.20 where that name does not resolve)',
        'User name: your full address, e.g. someone@school.lan',
        'Incoming (IMAP): port 993, SSL/TLS or port 143, STARTTLS',
        'Outgoing (SMTP): port 465, SSL/TLS or port 587, STARTTLS; authentication: normal password, same user name',
        'Password: the one your LanPost administrator gave you',
        "The server's certificate is signed by the LanPost local CA: install the CA from the LanPost window (Certificates) to avoid warnings.",
        '',
      ].join('\n'),
    );
  });

  it('says when nothing is there to send with, and works without a LAN address', () => {
    const data = { ...snapshot({ smtps: 'stopped', submission: 'disabled' }), lanAddresses: [] };
    const text = clientSettingsText(data);
    expect(text).toContain('Server: mail.school.lan\n');
    expect(text).toContain('Outgoing (SMTP): not running\n');
    expect(text).toContain('Incoming (POP3): port 995, SSL/TLS or port 110, STARTTLS\n');
  });
});

/** 8-bit RGBA, non-interlaced PNG (what resvg writes) → straight RGBA pixels. */
function decodePng(file: string): { width: number; height: number; rgba: Buffer } {
  const data = fs.readFileSync(file);
  const [width, height] = pngSize(file);
  expect([data[24], data[25], data[28]]).toEqual([8, 6, 0]); // bit depth 8, RGBA, not interlaced
  const idat: Buffer[] = [];
  for (let at = 8; at < data.length; ) {
    const length = data.readUInt32BE(at);
    if (data.subarray(at + 4, at + 8).toString('latin1') === 'IDAT') idat.push(data.subarray(at + 8, at + 8 + length));
    at += 12 + length;
  }
  const raw = zlib.inflateSync(Buffer.concat(idat));
  const stride = width * 4;
  const rgba = Buffer.alloc(stride * height);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)]!;
    for (let x = 0; x < stride; x++) {
      const value = raw[y * (stride + 1) + 1 + x]!;
      const left = x >= 4 ? rgba[y * stride + x - 4]! : 0;
      const up = y > 0 ? rgba[(y - 1) * stride + x]! : 0;
      const upLeft = x >= 4 && y > 0 ? rgba[(y - 1) * stride + x - 4]! : 0;
      const p = left + up - upLeft;
      const [pa, pb, pc] = [Math.abs(p - left), Math.abs(p - up), Math.abs(p - upLeft)];
      const paeth = pa <= pb && pa <= pc ? left : pb <= pc ? up : upLeft;
      const predictor = [0, left, up, (left + up) >> 1, paeth][filter]!;
      rgba[y * stride + x] = (value + predictor) & 0xff;
    }
  }
  return { width, height, rgba };
}

/** Width and height from a PNG's IHDR chunk. */
function pngSize(file: string): [number, number] {
  const data = fs.readFileSync(file);
  expect(data.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
  expect(data.subarray(12, 16).toString('latin1')).toBe('IHDR');
  return [data.readUInt32BE(16), data.readUInt32BE(20)];
}

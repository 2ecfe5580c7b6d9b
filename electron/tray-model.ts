// The tray, as data: icon state, tooltip and menu items, built by a pure function from the
// engine state. main.ts turns the model into Electron's Menu and rebuilds it on every change.
import type { ServiceStatus } from '../server/net/listener.js';
import type { ServiceName } from '../server/settings/schema.js';
import type { EngineState } from './engine-supervisor.js';

/** running: every enabled service listens; partial: some do not (blocked, port in use, stopped), or the disk is nearly full; stopped: none. */
export type IconState = 'running' | 'partial' | 'stopped';

export type MenuAction = 'open' | 'start-services' | 'stop-services' | 'copy-client-settings' | 'retry-engine' | 'toggle-launch-at-login' | 'quit';

export type TrayItem =
  | { type: 'separator' }
  | { type: 'normal'; label: string; action: MenuAction | null; enabled: boolean }
  | { type: 'checkbox'; label: string; action: MenuAction; checked: boolean; enabled: boolean };

export interface TrayModel {
  icon: IconState;
  tooltip: string;
  items: TrayItem[];
}

export interface TrayInput {
  engine: EngineState;
  launchAtLogin: boolean;
}

export const SERVICE_LABELS: Record<ServiceName, string> = {
  smtp: 'SMTP',
  submission: 'SMTP submission',
  smtps: 'SMTPS',
  pop3: 'POP3',
  pop3s: 'POP3S',
  imap: 'IMAP',
  imaps: 'IMAPS',
  dns: 'DNS',
  http: 'HTTP (LAN web)',
  https: 'HTTPS (LAN web)',
};

/** What mail programs use (port 25, DNS and the LAN web service are not): Copy client settings needs one. */
const MAIL_CLIENT_SERVICES: readonly ServiceName[] = ['submission', 'smtps', 'pop3', 'pop3s', 'imap', 'imaps'];

/** Windows cuts tray tooltips at 127 characters. */
export const TOOLTIP_MAX = 127;
const REASON_MAX = 80;
/** A menu line with the reason or the fix of a failed start (the window shows them whole). */
const FAILURE_LINE_MAX = 100;

function enabledServices(engine: EngineState): ServiceStatus[] {
  return engine.snapshot?.services.filter((s) => s.state !== 'disabled') ?? [];
}

export function iconState(engine: EngineState): IconState {
  if (engine.phase !== 'running') return 'stopped';
  const enabled = enabledServices(engine);
  const listening = enabled.filter((s) => s.state === 'listening').length;
  if (listening === 0) return 'stopped';
  return listening === enabled.length && !engine.snapshot?.diskLow ? 'running' : 'partial';
}

/** While free disk space is below the floor: new mail is refused, the window says what to do. */
function diskLine(engine: EngineState): string | null {
  const disk = engine.phase === 'running' ? engine.snapshot?.diskLow : null;
  if (!disk) return null;
  return `Disk nearly full (${Math.floor((disk.freeBytes ?? 0) / 1048576)} MB free): new mail refused`;
}

/** One short word or two for a service's state, as a tray line can hold. */
export function serviceStateText(status: ServiceStatus): string {
  switch (status.state) {
    case 'listening':
      return 'running';
    case 'blocked':
      return 'blocked (permission)';
    case 'in-use':
      return 'blocked (port in use)';
    case 'error':
      return 'error';
    case 'stopped':
      return 'stopped';
    case 'disabled':
      return 'off';
  }
}

export function serviceLine(status: ServiceStatus): string {
  const label = SERVICE_LABELS[status.name] ?? status.name;
  if (status.state === 'disabled') return `${label}: off`;
  return `${label} (port ${status.port}): ${serviceStateText(status)}`;
}

function shorten(text: string, max: number): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length <= max ? line : `${line.slice(0, max - 1)}…`;
}

/** The first line of the menu and the tooltip: what the engine is doing. */
export function summary(engine: EngineState): string {
  switch (engine.phase) {
    case 'starting':
      return engine.snapshot ? 'Starting again…' : 'Starting…';
    case 'stopping':
      return 'Stopping…';
    case 'stopped':
      return 'Stopped';
    case 'failed':
      return 'Engine cannot start';
    case 'restarting': {
      const restart = engine.restart;
      if (!restart) return 'Restarting…';
      const seconds = Math.max(1, Math.round(restart.delayMs / 1000));
      return `Engine stopped (${shorten(restart.reason, REASON_MAX)}); restarting in ${seconds} s`;
    }
    case 'running': {
      const enabled = enabledServices(engine);
      const down = enabled.filter((s) => s.state !== 'listening');
      if (!enabled.length) return 'Running, no service enabled';
      if (!down.length) return `Running: ${enabled.length} service${enabled.length === 1 ? '' : 's'}`;
      if (down.length === enabled.length) return 'Services stopped';
      const blocked = down.filter((s) => s.state !== 'stopped');
      const names = (blocked.length ? blocked : down).map((s) => SERVICE_LABELS[s.name] ?? s.name);
      return `${down.length} of ${enabled.length} services not running (${names.join(', ')})`;
    }
  }
}

/** The lines under the summary when the engine cannot start: why, what to do, and Try again. */
function failureItems(engine: EngineState): TrayItem[] {
  const failure = engine.failure;
  if (engine.phase !== 'failed' || !failure) return [];
  return [
    { type: 'normal', label: `    ${shorten(failure.reason, FAILURE_LINE_MAX)}`, action: null, enabled: false },
    { type: 'normal', label: `    Fix: ${shorten(failure.fix, FAILURE_LINE_MAX)}`, action: null, enabled: false },
    { type: 'normal', label: 'Try again', action: 'retry-engine', enabled: true },
  ];
}

function tooltip(engine: EngineState): string {
  if (engine.phase === 'failed' && engine.failure) return shorten(`LanPost cannot start: ${engine.failure.reason}`, TOOLTIP_MAX);
  const disk = diskLine(engine);
  return shorten(`LanPost: ${disk ? `${disk}. ` : ''}${summary(engine)}`, TOOLTIP_MAX);
}

export function buildTrayModel({ engine, launchAtLogin }: TrayInput): TrayModel {
  const running = engine.phase === 'running';
  const failed = engine.phase === 'failed';
  const services = running ? (engine.snapshot?.services ?? []) : [];
  const anyListening = services.some((s) => s.state === 'listening');
  const anyStartable = services.some((s) => s.state !== 'listening' && s.state !== 'disabled');
  const mailListening = services.some((s) => s.state === 'listening' && MAIL_CLIENT_SERVICES.includes(s.name));
  const disk = diskLine(engine);

  const items: TrayItem[] = [
    // When the engine cannot start, the window shows why and how to fix it.
    { type: 'normal', label: 'Open LanPost', action: 'open', enabled: (running && !!engine.adminUrl) || (failed && !!engine.failure) },
    { type: 'separator' },
    { type: 'normal', label: `LanPost: ${summary(engine)}`, action: null, enabled: false },
    ...failureItems(engine),
    ...(disk ? [{ type: 'normal', label: `    ${disk}`, action: 'open', enabled: true } satisfies TrayItem] : []),
    // A line that needs attention opens the window, where the fix is shown.
    ...services.map((status): TrayItem => {
      const problem = status.state === 'blocked' || status.state === 'in-use' || status.state === 'error';
      return { type: 'normal', label: `    ${serviceLine(status)}`, action: problem ? 'open' : null, enabled: problem };
    }),
    { type: 'separator' },
    anyListening
      ? { type: 'normal', label: 'Stop services', action: 'stop-services', enabled: running }
      : { type: 'normal', label: 'Start services', action: 'start-services', enabled: running && anyStartable },
    { type: 'normal', label: 'Copy client settings', action: 'copy-client-settings', enabled: running && mailListening },
    { type: 'separator' },
    { type: 'checkbox', label: 'Launch at login', action: 'toggle-launch-at-login', checked: launchAtLogin, enabled: true },
    { type: 'separator' },
    { type: 'normal', label: 'Quit LanPost', action: 'quit', enabled: engine.phase !== 'stopping' },
  ];
  return { icon: iconState(engine), tooltip: tooltip(engine), items };
}

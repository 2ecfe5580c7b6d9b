// The engine process: what the desktop app starts with Electron's utilityProcess.fork, and what
// runs the same way as a plain Node child (child_process.fork) or from a terminal. It talks to
// its parent in the messages below: `process.parentPort` under Electron, `process.send` /
// `process.on('message')` under Node. Without a parent it prints like `lanpost serve`.
// No Electron import here: the engine is plain Node (and must run under Electron's Node too).
import path from 'node:path';
import { parseArgs } from 'node:util';
import { startEngine, type Engine, type FirstStart } from './engine.js';
import { lanAddresses } from './net/interfaces.js';
import { describeStatus, type ServiceStatus } from './net/listener.js';
import { SERVICE_NAMES } from './settings/schema.js';
import type { DiskStatus } from './store/disk-space.js';

// ── the message protocol (the desktop app imports these types) ───────────────

/** What the desktop app needs to draw the tray: names, addresses and every service's state. */
export interface EngineSnapshot {
  hostname: string;
  domain: string;
  /** LAN addresses of this machine, IPv4 first. */
  lanAddresses: string[];
  services: ServiceStatus[];
  /** Set while free space is below the floor and new mail is refused; null otherwise. */
  diskLow: DiskStatus | null;
}

/** Parent → engine. */
export type ParentMessage =
  /** Stop every service, close the store, answer `stopped` and exit 0. */
  | { type: 'stop' }
  /** Start every enabled service that is not listening, or stop every running one. */
  | { type: 'services'; action: 'start' | 'stop' }
  /** Send a `state` message now, changed or not. */
  | { type: 'state' };

/**
 * Engine → parent. `starting` comes first, once the engine listens for messages: a Node parent
 * sends nothing before it (Node drops IPC messages that arrive before a listener; Electron's
 * parentPort queues them).
 */
export type EngineMessage =
  | { type: 'starting'; pid: number }
  | {
      type: 'ready';
      pid: number;
      dataDir: string;
      /** The admin URL with the token in its fragment, ready to load in the window. */
      adminUrl: string;
      adminToken: string;
      /** The admin mailbox made at the very first start, with its password (shown once). */
      firstStart: FirstStart | null;
      state: EngineSnapshot;
    }
  /** Sent whenever the snapshot changes (a service starts, stops, is blocked, settings change). */
  | { type: 'state'; state: EngineSnapshot }
  /**
   * The engine could not start (bad settings, database locked, …); the process exits 1 next.
   * `code` is the error's code (EACCES, ERR_DLOPEN_FAILED, SQLITE_BUSY, …) or, without one, its
   * name (SettingsError): the desktop app tells from it whether starting again can help.
   */
  | { type: 'failed'; message: string; code?: string }
  /** Stopped cleanly; the process exits 0 next. */
  | { type: 'stopped' };

export function isParentMessage(value: unknown): value is ParentMessage {
  if (!value || typeof value !== 'object') return false;
  const message = value as { type?: unknown; action?: unknown };
  if (message.type === 'stop' || message.type === 'state') return true;
  return message.type === 'services' && (message.action === 'start' || message.action === 'stop');
}

// ── the parent channel ───────────────────────────────────────────────────────

interface ParentChannel {
  send(message: EngineMessage): Promise<void>;
  onMessage(listener: (message: unknown) => void): void;
  /** Called when the parent goes away (Node IPC only; Electron ends its utility processes itself). */
  onClose(listener: () => void): void;
}

/** Electron's `process.parentPort` (typed here so the engine never imports electron). */
interface ParentPortLike {
  postMessage(message: unknown): void;
  on(event: 'message', listener: (event: { data: unknown }) => void): void;
}

function parentChannel(): ParentChannel | null {
  const port = (process as NodeJS.Process & { parentPort?: ParentPortLike }).parentPort;
  if (port) {
    return {
      send: async (message) => port.postMessage(message),
      onMessage: (listener) => port.on('message', (event) => listener(event.data)),
      onClose: () => {},
    };
  }
  if (process.send) {
    return {
      send: (message) =>
        new Promise((resolve) => {
          if (!process.connected || !process.send) return resolve();
          process.send(message, undefined, {}, () => resolve()); // an error means the parent is gone: nothing to tell
        }),
      onMessage: (listener) => process.on('message', listener),
      onClose: (listener) => process.on('disconnect', listener),
    };
  }
  return null;
}

// ── the process ──────────────────────────────────────────────────────────────

const USAGE = 'Usage: node server/main.js [--data DIR]   (the data folder: --data, else $LANPOST_DATA, else ./lanpost-data)';
/** Changes not announced by a log line (a service stopped through the admin API) are found by this poll. */
const STATE_POLL_MS = 2000;

function snapshot(engine: Engine): EngineSnapshot {
  const settings = engine.context.settings();
  const disk = engine.context.disk.status;
  return {
    hostname: settings.hostname,
    domain: settings.domain,
    lanAddresses: lanAddresses().map((a) => a.address),
    services: engine.statuses(),
    diskLow: disk.low ? disk : null,
  };
}

async function run(): Promise<void> {
  let dataDir: string;
  try {
    const { values } = parseArgs({ args: process.argv.slice(2), options: { data: { type: 'string' } } });
    dataDir = path.resolve(values.data ?? process.env.LANPOST_DATA ?? 'lanpost-data');
  } catch (error) {
    process.stderr.write(`lanpost engine: ${(error as Error).message}\n${USAGE}\n`);
    process.exit(2);
  }

  const parent = parentChannel();
  const print = (line: string) => process.stdout.write(line + '\n');
  const starting = startEngine({ dataDir, print });
  let engine: Engine | null = null;
  let stopping: Promise<void> | null = null;
  let work = Promise.resolve(); // service commands run one after the other

  // A stop may arrive while the engine is still starting: it is carried out once start is done.
  const stop = (why: string): Promise<void> => {
    stopping ??= (async () => {
      await starting.catch(() => {});
      print(`${why}: stopping`);
      let code = 0;
      try {
        await work;
        await engine?.stop();
      } catch (error) {
        process.stderr.write(`lanpost engine: stop failed: ${(error as Error).message}\n`);
        code = 1;
      }
      if (code === 0) await parent?.send({ type: 'stopped' });
      process.exit(code);
    })();
    return stopping;
  };

  let lastState = '';
  const publish = (force = false) => {
    if (!engine || stopping || !parent) return;
    const state = snapshot(engine);
    const text = JSON.stringify(state);
    if (!force && text === lastState) return;
    lastState = text;
    void parent.send({ type: 'state', state });
  };

  async function services(action: 'start' | 'stop'): Promise<void> {
    if (!engine) return;
    for (const name of SERVICE_NAMES) {
      const status = engine.status(name);
      if (action === 'stop' && status.state !== 'disabled' && status.state !== 'stopped') await engine.stopService(name);
      if (action === 'start' && status.state !== 'listening' && engine.context.settings().services[name].enabled) await engine.restartService(name);
    }
    print(`services ${action === 'start' ? 'started' : 'stopped'} on request`);
    for (const status of engine.statuses()) print(describeStatus(status));
  }

  parent?.onMessage((message) => {
    if (!isParentMessage(message)) return;
    if (message.type === 'stop') void stop('stop requested');
    else if (message.type === 'state') void starting.then(() => publish(true), () => {});
    else {
      work = work
        .then(() => starting)
        .then(() => (stopping ? undefined : services(message.action)))
        .catch((error: Error) => process.stderr.write(`lanpost engine: services ${message.action} failed: ${error.message}\n`))
        .then(() => publish());
    }
  });
  parent?.onClose(() => void stop('parent gone'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
  void parent?.send({ type: 'starting', pid: process.pid });

  try {
    engine = await starting;
  } catch (error) {
    const { message, name, code } = error as NodeJS.ErrnoException;
    process.stderr.write(`lanpost engine: could not start: ${message}\n`);
    await parent?.send({ type: 'failed', message, code: typeof code === 'string' ? code : name });
    process.exit(1);
  }
  if (stopping) return;

  print(`data ${dataDir}`);
  for (const status of engine.statuses()) print(describeStatus(status));
  if (parent) {
    // The token goes to the parent only, never into a log.
    print(`admin ${engine.adminUrl.replace(/#.*$/, '')} (token sent to the desktop app)`);
    const state = snapshot(engine);
    lastState = JSON.stringify(state);
    await parent.send({
      type: 'ready',
      pid: process.pid,
      dataDir,
      adminUrl: engine.adminUrl,
      adminToken: engine.adminToken,
      firstStart: engine.firstStart,
      state,
    });
  } else {
    if (engine.firstStart) {
      print(`first start: created the mailbox ${engine.firstStart.address} with the password ${engine.firstStart.password}`);
      print(`  (shown only this once; change it with: lanpost user passwd ${engine.firstStart.address})`);
    }
    print(`admin ${engine.adminUrl}`);
  }

  // Service changes are logged by the engine; look at the statuses right after each log line.
  let queued = false;
  engine.context.log.on('entry', () => {
    if (queued) return;
    queued = true;
    setImmediate(() => {
      queued = false;
      publish();
    });
  });
  setInterval(() => publish(), STATE_POLL_MS).unref();
}

await run();

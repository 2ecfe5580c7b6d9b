// The engine as a process: what the desktop app starts (Electron's utilityProcess, or the system
// Node as a child with an IPC channel), what `node server/main.js` runs, and what `lanpost serve`
// runs: one way to start, report and stop, whoever the parent is. It talks to its parent in the
// messages of engine-messages.ts — `process.parentPort` under Electron, `process.send` /
// `process.on('message')` under Node; without a parent it prints the admin URL with its token.
// No Electron import here: the engine is plain Node (and must run under Electron's Node too).
import { startEngine, type Engine } from './engine.js';
import type { EngineMessage, EngineSnapshot } from './engine-messages.js';
import { isParentMessage } from './engine-messages.js';
import { lanAddresses } from './net/interfaces.js';
import { describeStatus } from './net/listener.js';
import { SERVICE_NAMES } from './settings/schema.js';


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

/**
 * Runs the engine in this process until it is told to stop (SIGTERM, SIGINT, the parent's `stop`,
 * the parent going away); resolves with the exit code: 0 after a clean stop, 1 when stopping
 * failed or, with a parent, when the engine could not start (the parent is told why). Without a
 * parent a failed start rejects, for the caller to report (`lanpost serve` exits 2 on bad settings).
 * `lanpost serve` never looks for a parent: under a process manager that happens to open an IPC
 * channel it still prints its admin URL.
 */
export async function runEngineProcess(dataDir: string, options: { parent: boolean }): Promise<number> {
  let exit!: (code: number) => void;
  const exited = new Promise<number>((resolve) => (exit = resolve));
  const parent = options.parent ? parentChannel() : null;
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
      exit(code);
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
    if (!parent) throw error;
    const { message, name, code } = error as NodeJS.ErrnoException;
    process.stderr.write(`lanpost engine: could not start: ${message}\n`);
    await parent.send({ type: 'failed', message, code: typeof code === 'string' ? code : name });
    return 1;
  }
  if (stopping) return exited;

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
  return exited;
}

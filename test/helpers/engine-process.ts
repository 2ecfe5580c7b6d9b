// The engine process (server/main.ts) forked as a plain Node child, speaking the same messages
// as under Electron's utilityProcess; and the same child as an EngineChild for the supervisor.
import { fork, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { EngineChild } from '../../electron/engine-supervisor.js';
import { certificateIdentity } from '../../server/engine.js';
import type { EngineMessage, ParentMessage } from '../../server/engine-messages.js';
import { ensureCertificates } from '../../server/tls/certificates.js';
import { prepareDataDir, tempDataDir } from './engine.js';

const ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
// By default the TypeScript sources through tsx. To check the compiled engine under another
// Node (e.g. the version inside Electron): LANPOST_TEST_ENGINE=dist/server/main.js and
// LANPOST_TEST_NODE=/path/to/node (its better-sqlite3 must be built for that Node).
export const ENGINE_MAIN = process.env.LANPOST_TEST_ENGINE ? path.resolve(ROOT, process.env.LANPOST_TEST_ENGINE) : path.join(ROOT, 'server', 'main.ts');
const NODE = process.env.LANPOST_TEST_NODE || process.execPath;
const EXEC_ARGV = process.env.LANPOST_TEST_ENGINE ? [] : ['--import', 'tsx'];
const WAIT_MS = 45_000;

let template: string | null = null;

/**
 * A data folder for an engine process: test settings (127.0.0.1, port 0) and a CA + server
 * certificate made once per test file and copied in, so each engine starts without key generation.
 * The folders made (and the template) are pushed onto `made` for the test's cleanup.
 */
export function engineDataDir(made: string[]): string {
  if (!template) {
    template = tempDataDir('lanpost-engine-template-');
    made.push(template);
    ensureCertificates(template, certificateIdentity(prepareDataDir(template)));
  }
  const dir = tempDataDir('lanpost-engine-process-');
  made.push(dir);
  prepareDataDir(dir);
  fs.cpSync(path.join(template, 'tls'), path.join(dir, 'tls'), { recursive: true });
  return dir;
}

export interface ForkedEngine {
  child: ChildProcess;
  messages: EngineMessage[];
  output(): string;
  send(message: ParentMessage): void;
  /** Resolves with the first message (already received or coming) that matches; rejects after a bounded wait. */
  waitFor<T extends EngineMessage>(match: (message: EngineMessage) => message is T, what?: string): Promise<T>;
  waitFor(match: (message: EngineMessage) => boolean, what?: string): Promise<EngineMessage>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export function isReady(message: EngineMessage): message is Extract<EngineMessage, { type: 'ready' }> {
  return message.type === 'ready';
}

export const PARENT_PORT_SHIM = path.join(ROOT, 'test', 'helpers', 'parent-port-shim.mjs');

/** Forks server/main.ts through tsx with `--data dataDir`; `ipc: false` runs it as from a terminal; `preload` is --import'ed first. */
export function forkEngine(dataDir: string, options: { ipc?: boolean; args?: string[]; preload?: string } = {}): ForkedEngine {
  const ipc = options.ipc ?? true;
  const args = options.args ?? ['--data', dataDir];
  const execArgv = options.preload ? [...EXEC_ARGV, '--import', pathToFileURL(options.preload).href] : EXEC_ARGV;
  const child = ipc
    ? fork(ENGINE_MAIN, args, { cwd: ROOT, execPath: NODE, execArgv, stdio: ['ignore', 'pipe', 'pipe', 'ipc'] })
    : spawn(NODE, [...EXEC_ARGV, ENGINE_MAIN, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk));
  const messages: EngineMessage[] = [];
  const waiters: { match: (m: EngineMessage) => boolean; resolve: (m: EngineMessage) => void }[] = [];
  child.on('message', (message: EngineMessage) => {
    messages.push(message);
    for (const waiter of waiters.splice(0)) {
      if (waiter.match(message)) waiter.resolve(message);
      else waiters.push(waiter);
    }
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  const waitFor = (match: (m: EngineMessage) => boolean, what = 'a message') => {
    const seen = messages.find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise<EngineMessage>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ${what} from the engine; output:\n${output}`)), WAIT_MS);
      waiters.push({
        match,
        resolve: (m) => {
          clearTimeout(timer);
          resolve(m);
        },
      });
      void exited.then(({ code }) => {
        clearTimeout(timer);
        reject(new Error(`the engine exited (${code}) before ${what}; output:\n${output}`));
      });
    });
  };
  return {
    child,
    messages,
    output: () => output,
    send: (message) => child.send(message),
    waitFor: waitFor as ForkedEngine['waitFor'],
    exited,
  };
}

/** What the supervisor needs, backed by a forked Node child (Electron's utilityProcess in the app). */
export function nodeEngineChild(dataDir: string, spawned: ForkedEngine[] = []): EngineChild {
  const engine = forkEngine(dataDir);
  spawned.push(engine);
  return {
    send: (message) => engine.send(message),
    kill: () => engine.child.kill('SIGKILL'),
    onMessage: (listener) => engine.child.on('message', listener),
    onExit: (listener) => void engine.exited.then(({ code }) => listener(code)),
  };
}

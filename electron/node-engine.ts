// The engine under the system Node.js, as a child process with an IPC channel: what the desktop
// app started from the sources runs (see engine-launcher.ts). No Electron import, so the tests
// run this very code with the real engine.
import { spawn } from 'node:child_process';
import type { Writable } from 'node:stream';
import type { EngineMessage } from '../server/engine-messages.js';
import type { EngineChild, ExitDetail } from './engine-supervisor.js';

export interface NodeEngineOptions {
  nodePath: string;
  /** The engine's entry: dist/server/main.js in the app. */
  entry: string;
  args: string[];
  /** Node options before the entry (the tests run the TypeScript sources with --import tsx). */
  execArgv?: string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** Where the engine's stdout and stderr go (the engine log); the stream is ended at exit. */
  log?: Writable | null;
}

/** The last `max` characters written to a stream: what the engine said before it died. */
export class OutputTail {
  private text = '';
  constructor(private readonly max = 8192) {}
  push(chunk: Buffer | string): void {
    this.text = (this.text + chunk.toString()).slice(-this.max);
  }
  toString(): string {
    return this.text;
  }
}

export function spawnNodeEngine(options: NodeEngineOptions): EngineChild {
  const child = spawn(options.nodePath, [...(options.execArgv ?? []), options.entry, ...options.args], {
    cwd: options.cwd,
    env: options.env,
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    windowsHide: true, // no console window next to the tray app on Windows
  });
  const stderr = new OutputTail();
  const log = options.log ?? null;
  child.stdout?.on('data', (chunk: Buffer) => log?.write(chunk));
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr.push(chunk);
    log?.write(chunk);
  });

  let spawnError: NodeJS.ErrnoException | null = null;
  let done = false;
  const exitListeners: ((code: number | null, detail?: ExitDetail) => void)[] = [];
  const finish = (code: number | null) => {
    if (done) return;
    done = true;
    const error = spawnError ? { message: spawnError.message, code: spawnError.code } : undefined;
    log?.end(`--- engine exit ${code ?? (spawnError ? spawnError.code : 'signal')}\n`);
    for (const listener of exitListeners) listener(code, { stderr: stderr.toString(), error });
  };
  // 'error' without a pid: the program could not be run (ENOENT, EACCES); later ones are send errors.
  child.on('error', (error: NodeJS.ErrnoException) => {
    if (child.pid !== undefined) return;
    spawnError = error;
    finish(null);
  });
  // 'close' comes after the output streams ended: the stderr tail is complete.
  child.on('close', (code) => finish(code));

  return {
    send: (message) => {
      if (child.connected) child.send(message, () => {}); // an error means the channel closed: the exit follows
    },
    kill: () => child.kill('SIGKILL'),
    onMessage: (listener) => child.on('message', (message) => listener(message as EngineMessage)),
    onExit: (listener) => exitListeners.push(listener),
  };
}

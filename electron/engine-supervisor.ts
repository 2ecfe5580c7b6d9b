// Runs the engine process and keeps it running: starts it, follows its messages, starts it again
// with backoff when it dies, and stops it cleanly (bounded) on quit. An engine that cannot start
// for a reason a restart will not fix (engine-failure.ts: its native module does not load, bad
// settings, data folder not writable, no Node.js) is not started again: the state says why until
// `start()` is called (the tray's Try again). No Electron import: the process comes from a
// `spawn` function (utilityProcess or the system Node in main.ts, a Node child in the tests), so
// this logic is tested against a real engine.
import { EventEmitter } from 'node:events';
import type { EngineMessage, EngineSnapshot, ParentMessage } from '../server/engine-messages.js';
import { DEFAULT_BACKOFF, planRestart, type BackoffOptions } from './backoff.js';
import { classifyEngineFailure, type EngineFailure, type FailureInput } from './engine-failure.js';

/** failed: the engine could not start and starting it again would not help; see `failure`. */
export type EnginePhase = 'starting' | 'running' | 'restarting' | 'failed' | 'stopping' | 'stopped';

export interface EngineState {
  phase: EnginePhase;
  /** The engine's last report; kept while it restarts so the tray can say what it was doing. */
  snapshot: EngineSnapshot | null;
  adminUrl: string | null;
  adminToken: string | null;
  /** Set while waiting to start the engine again after it died. */
  restart: { crashes: number; delayMs: number; reason: string } | null;
  /** Set in the failed phase: why, and what to do (kept until the next start). */
  failure: EngineFailure | null;
}

export type ReadyMessage = Extract<EngineMessage, { type: 'ready' }>;
export type StopOutcome = 'clean' | 'failed' | 'killed' | 'not-running';

/** What the process left behind when it ended: the end of its stderr, or why it could not be run. */
export interface ExitDetail {
  stderr?: string;
  error?: { message: string; code?: string };
}

/** One engine process, whatever started it. */
export interface EngineChild {
  send(message: ParentMessage): void;
  /** Ends the process now (used only after the bounded wait for a clean stop). */
  kill(): void;
  onMessage(listener: (message: EngineMessage) => void): void;
  /** Exactly once, when the process has ended (or could not be started). */
  onExit(listener: (code: number | null, detail?: ExitDetail) => void): void;
}

export interface SupervisorOptions {
  /** Starts an engine process; may throw when it cannot (no Node.js, data folder not creatable). */
  spawn: () => EngineChild;
  /** Why it stopped and whether a restart can help (default: classifyEngineFailure without context). */
  classify?: (input: FailureInput) => EngineFailure;
  backoff?: BackoffOptions;
  /** Longest wait for a clean stop before the process is killed. */
  stopTimeoutMs?: number;
  now?: () => number;
}

interface Events {
  change: [EngineState];
  ready: [ReadyMessage];
  failed: [EngineFailure];
}

const KILL_WAIT_MS = 5000;

export class EngineSupervisor extends EventEmitter<Events> {
  private current: EngineState = { phase: 'stopped', snapshot: null, adminUrl: null, adminToken: null, restart: null, failure: null };
  private child: EngineChild | null = null;
  /** Messages for a child that has not spoken yet (a Node child would drop them). */
  private pending: ParentMessage[] = [];
  private heard = false;
  private readyAt: number | null = null;
  private lastFailure: { message: string; code?: string } | null = null;
  private crashes = 0;
  private restartTimer: NodeJS.Timeout | null = null;
  private stopRequested = false;
  private exitWaiters: ((code: number | null) => void)[] = [];
  private readonly backoff: BackoffOptions;
  private readonly stopTimeoutMs: number;
  private readonly now: () => number;
  private readonly classify: (input: FailureInput) => EngineFailure;

  constructor(private readonly options: SupervisorOptions) {
    super();
    this.backoff = options.backoff ?? DEFAULT_BACKOFF;
    this.stopTimeoutMs = options.stopTimeoutMs ?? 15_000;
    this.now = options.now ?? Date.now;
    this.classify = options.classify ?? ((input) => classifyEngineFailure(input));
  }

  get state(): EngineState {
    return this.current;
  }

  /** Starts the engine (again, after a stop or a failure). */
  start(): void {
    if (this.child) return;
    this.stopRequested = false;
    this.crashes = 0;
    this.clearRestartTimer();
    this.launch();
  }

  /** Asks the engine to start or stop its services (the tray's Start/Stop services). */
  services(action: 'start' | 'stop'): boolean {
    return this.send({ type: 'services', action });
  }

  /** Asks for a fresh state message. */
  refresh(): boolean {
    return this.send({ type: 'state' });
  }

  /** Asks the engine to stop cleanly and waits for it (bounded); kills it if the wait runs out. */
  async stop(): Promise<StopOutcome> {
    this.stopRequested = true;
    this.clearRestartTimer();
    const child = this.child;
    if (!child) {
      this.update({ phase: 'stopped', restart: null });
      return 'not-running';
    }
    this.update({ phase: 'stopping', restart: null });
    const exited = new Promise<number | null>((resolve) => this.exitWaiters.push(resolve));
    this.deliver({ type: 'stop' });
    const code = await within(exited, this.stopTimeoutMs);
    if (code !== undefined) return code === 0 ? 'clean' : 'failed';
    child.kill();
    await within(exited, KILL_WAIT_MS);
    return 'killed';
  }

  private send(message: ParentMessage): boolean {
    if (!this.child || this.current.phase !== 'running') return false;
    this.deliver(message);
    return true;
  }

  /** Sends now, or once the child has said `starting`. */
  private deliver(message: ParentMessage): void {
    if (!this.heard) {
      this.pending.push(message);
      return;
    }
    try {
      this.child?.send(message);
    } catch {
      // the channel is gone: the exit follows
    }
  }

  private launch(): void {
    this.readyAt = null;
    this.lastFailure = null;
    this.update({ phase: 'starting', restart: null, failure: null });
    let child: EngineChild;
    try {
      child = this.options.spawn();
    } catch (error) {
      const { message, code } = error as NodeJS.ErrnoException;
      this.ended(null, { error: { message, code: typeof code === 'string' ? code : undefined } });
      return;
    }
    this.child = child;
    this.heard = false;
    this.pending = [];
    child.onMessage((message) => {
      if (this.child !== child) return;
      if (!this.heard) {
        this.heard = true;
        for (const queued of this.pending.splice(0)) this.deliver(queued);
      }
      this.onMessage(message);
    });
    child.onExit((code, detail) => {
      if (this.child !== child) return;
      this.child = null;
      for (const waiter of this.exitWaiters.splice(0)) waiter(code);
      if (this.stopRequested) this.update({ phase: 'stopped', adminUrl: null, adminToken: null });
      else this.ended(code, detail);
    });
  }

  private onMessage(message: EngineMessage): void {
    switch (message.type) {
      case 'starting':
        break;
      case 'ready':
        this.readyAt = this.now();
        this.update({ phase: this.stopRequested ? 'stopping' : 'running', snapshot: message.state, adminUrl: message.adminUrl, adminToken: message.adminToken });
        this.emit('ready', message);
        break;
      case 'state':
        this.update({ snapshot: message.state });
        break;
      case 'failed':
        this.lastFailure = { message: message.message, code: message.code };
        break;
      case 'stopped':
        break;
    }
  }

  /** The engine process ended (or never started) without being asked to: give up, or start it again after a wait. */
  private ended(code: number | null, detail: ExitDetail = {}): void {
    const failure = this.classify({
      failed: this.lastFailure,
      stderr: detail.stderr,
      exitCode: code,
      startError: detail.error ?? null,
      wasReady: this.readyAt !== null,
    });
    if (failure.permanent) {
      this.update({ phase: 'failed', adminUrl: null, adminToken: null, restart: null, failure });
      this.emit('failed', failure);
      return;
    }
    const uptime = this.readyAt === null ? 0 : this.now() - this.readyAt;
    const plan = planRestart(this.crashes, uptime, this.backoff);
    this.crashes = plan.crashes;
    this.update({ phase: 'restarting', adminUrl: null, adminToken: null, restart: { ...plan, reason: failure.reason } });
    this.restartTimer = setTimeout(() => {
      this.restartTimer = null;
      if (!this.stopRequested) this.launch();
    }, plan.delayMs);
  }

  private clearRestartTimer(): void {
    if (this.restartTimer) clearTimeout(this.restartTimer);
    this.restartTimer = null;
  }

  private update(change: Partial<EngineState>): void {
    this.current = { ...this.current, ...change };
    this.emit('change', this.current);
  }
}

/** The promise's value, or undefined when it takes longer than `ms`. */
function within<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout;
  const timeout = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), ms)));
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

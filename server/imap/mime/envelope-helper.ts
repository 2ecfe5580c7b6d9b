// A second thread for the first FETCH ENVELOPE of a never-opened mailbox: while the main thread
// reads and parses the batch's uncached messages from the start, the helper (envelope-worker.ts)
// does the same from the end; each message is claimed in a shared status array, so the work is
// split as the two threads' speeds allow, none is done twice, and the main thread never waits
// for more than the one message the helper is on. The helper is started after a FETCH that met
// such batches (that one runs alone: a thread starting up would only compete with it), serves
// the FETCHes that follow, and stops after a quiet while — an engine nobody fetches from carries
// no extra thread. If it cannot start or fails, the main thread simply does every message.
import { Worker } from 'node:worker_threads';
import { DONE, FAILED, FREE, HELPER, MAIN, READY, SLOT, type EnvelopeJob } from './envelope-worker.js';

/** The helper stops after this long without a job. */
const IDLE_MS = 30_000;
/** Longest wait for the message the helper is on (a stuck helper must not stall a FETCH). */
const WAIT_MS = 20;

/** One batch's messages shared with the helper. */
export class SharedBatch {
  private readonly status: Int32Array;
  private readonly lengths: Int32Array;
  private readonly texts: Buffer;

  constructor(job: EnvelopeJob) {
    this.status = new Int32Array(job.status);
    this.lengths = new Int32Array(job.lengths);
    this.texts = Buffer.from(job.texts);
  }

  /** Has the helper finished message i (made its text, or given up on it)? */
  finished(i: number): boolean {
    const state = Atomics.load(this.status, i);
    return state === DONE || state === FAILED;
  }

  /** Message i's ENVELOPE text if the helper made it; null if the main thread is to make it now. */
  take(i: number): string | null {
    let state = Atomics.compareExchange(this.status, i, FREE, MAIN);
    if (state === FREE) return null;
    // the helper is on it: a message's work, at most
    if (state === HELPER && waitWhile(this.status, i, HELPER) === 'timed-out') return null;
    state = Atomics.load(this.status, i);
    return state === DONE ? this.texts.toString('latin1', i * SLOT, i * SLOT + this.lengths[i]!) : null;
  }
}

/** Atomics.wait, or 'timed-out' where this thread may not block (the caller then does the work). */
function waitWhile(status: Int32Array, i: number, value: number): string {
  try {
    return Atomics.wait(status, i, value, WAIT_MS);
  } catch {
    return 'timed-out';
  }
}

export class EnvelopeHelper {
  private worker: Worker | null = null;
  private running = false;
  private broken = false;
  private idleTimer: NodeJS.Timeout | null = null;

  /** Is a helper up, ready for batches? */
  get ready(): boolean {
    return this.running;
  }

  /** Starts the helper (if none runs) for the FETCHes to come. */
  prepare(): void {
    this.start();
    this.keepAlive();
  }

  /** Shares a batch of message files with the helper; null when none is ready. */
  share(files: string[]): SharedBatch | null {
    const worker = this.worker;
    if (!worker || !this.running) return null;
    this.keepAlive();
    try {
      const job: EnvelopeJob = {
        files,
        status: new SharedArrayBuffer(files.length * 4),
        lengths: new SharedArrayBuffer(files.length * 4),
        texts: new SharedArrayBuffer(files.length * SLOT),
      };
      worker.postMessage(job);
      return new SharedBatch(job);
    } catch {
      // no shared memory here (an embedding that forbids it): the main thread works alone
      this.broken = true;
      this.stop();
      return null;
    }
  }

  /** Stops the helper now (engine stop). */
  stop(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = null;
    const worker = this.worker;
    this.worker = null;
    this.running = false;
    void worker?.terminate();
  }

  private start(): Worker | null {
    if (this.worker || this.broken) return this.worker;
    let worker: Worker;
    try {
      worker = startWorker();
    } catch {
      this.broken = true;
      return null;
    }
    worker.on('message', (message: unknown) => {
      if (message === READY && this.worker === worker) this.running = true;
    });
    worker.on('error', () => {
      // its batches' messages end as claimed or FAILED, or time out: the main thread does them
      this.broken = true;
      if (this.worker === worker) this.stop();
    });
    worker.on('exit', () => {
      if (this.worker === worker) this.stop();
    });
    worker.unref();
    this.worker = worker;
    return worker;
  }

  private keepAlive(): void {
    if (this.idleTimer) this.idleTimer.refresh();
    else {
      this.idleTimer = setTimeout(() => this.stop(), IDLE_MS);
      this.idleTimer.unref();
    }
  }
}

function startWorker(): Worker {
  const fromSources = import.meta.url.endsWith('.ts');
  const entry = new URL(`./envelope-worker.${fromSources ? 'ts' : 'js'}`, import.meta.url);
  if (!fromSources) return new Worker(entry);
  // running from the TypeScript sources (tests, tsx): the helper reads them through tsx too
  return new Worker(`import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(entry.href)}); });`, { eval: true });
}

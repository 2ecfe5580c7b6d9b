// The one group commit on the engine's SQLite connection: delivery's index rows, the outbound
// queue's rows and the MIME cache's rows are written through it. Writes queued in the same turn of
// the event loop (or within a few milliseconds, for those that may wait) share one transaction, so
// a busy engine does not stall on an fsync per message. A durable write resolves once its commit
// is on the disk: the moment a 250 or an APPEND OK may be sent. A write that fails does not take
// the others with it: the batch is written again one write at a time.
import type { Db } from './db.js';
import { WalSync } from './fsync.js';

export interface WriteOptions<T> {
  /**
   * Resolve only once the commit is on the disk (default). Without: at once after the commit, which
   * becomes durable with the next durable commit (WAL order) or the background sync.
   */
  durable?: boolean;
  /** May wait this long for other writes to share its commit (0: the next turn of the event loop). */
  withinMs?: number;
  /** Called right after the commit, before it is durable (announcing the change to open sessions). */
  committed?: (result: T) => void;
}

interface Pending {
  /** Runs inside the transaction; may run twice (the second time alone) when its batch failed. */
  run: () => unknown;
  durable: boolean;
  committed?: (result: unknown) => void;
  resolve: (result: unknown) => void;
  reject: (error: unknown) => void;
  result?: unknown;
}

export class CommitWriter {
  private pending: Pending[] = [];
  private immediate = false;
  private timer: NodeJS.Timeout | null = null;
  private walSync: WalSync | null = null;
  private background: NodeJS.Timeout | null = null;

  constructor(private readonly db: Db) {}

  /**
   * For the engine's connection: commits return at once (`synchronous = NORMAL`, safe against a
   * crash of the process) and a durable write is made safe against a power cut by an fsync of the
   * WAL file off the main thread, shared by every commit made meanwhile. Whatever does not wait for
   * one reaches the disk within `backgroundMs` anyway. Without this (the CLI), every commit is on
   * the disk when it returns (`synchronous = FULL`).
   */
  syncExplicitly(backgroundMs = 1000): void {
    if (this.walSync) return;
    const walSync = (this.walSync = new WalSync(`${this.db.name}-wal`));
    this.db.pragma('synchronous = NORMAL');
    this.background = setInterval(() => walSync.sync().catch(() => {}), backgroundMs);
    this.background.unref();
  }

  /** Queues a write; resolves with what `run` returned once committed (and on the disk, when durable). */
  write<T>(run: () => T, options: WriteOptions<T> = {}): Promise<T> {
    const { durable = true, withinMs = 0 } = options;
    return new Promise<T>((resolve, reject) => {
      this.pending.push({ run, durable, committed: options.committed as Pending['committed'], resolve: resolve as Pending['resolve'], reject });
      if (this.immediate) return;
      if (withinMs === 0) {
        this.immediate = true;
        setImmediate(() => this.commit());
      } else {
        this.timer ??= setTimeout(() => this.commit(), withinMs);
      }
    });
  }

  /** Resolves once every commit made so far on this connection is on disk. */
  durable(): Promise<void> {
    return this.walSync?.sync() ?? Promise.resolve();
  }

  /** Commits what waits now, without waiting for the next turn (a cache written at stop). */
  flush(): void {
    this.commit();
  }

  /** Commits what waits and lets go of the WAL file: before the database is closed. */
  stop(): void {
    this.commit();
    if (this.background) clearInterval(this.background);
    this.background = null;
    this.walSync?.close();
    this.walSync = null;
  }

  private commit(): void {
    this.immediate = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (!this.pending.length) return;
    const batch = this.pending.splice(0);
    const durable = batch.some((w) => w.durable);
    // Under FULL every commit pays an fsync: writes that need none are committed without it.
    const relaxed = !durable && !this.walSync;
    if (relaxed) this.db.pragma('synchronous = NORMAL');
    let written: Pending[] = batch;
    try {
      this.db.transaction(() => {
        for (const w of batch) w.result = w.run();
      })();
    } catch (error) {
      if (batch.length > 1) written = this.oneByOne(batch);
      else {
        written = [];
        batch[0]!.reject(error);
      }
    } finally {
      if (relaxed) this.db.pragma('synchronous = FULL');
    }
    for (const w of written) w.committed?.(w.result);
    if (!durable) {
      for (const w of written) w.resolve(w.result);
      return;
    }
    this.durable().then(
      () => written.forEach((w) => w.resolve(w.result)),
      (error: unknown) => written.forEach((w) => w.reject(error)),
    );
  }

  /** After a failed batch: each write in a transaction of its own; returns those committed. */
  private oneByOne(batch: Pending[]): Pending[] {
    const committed: Pending[] = [];
    for (const w of batch) {
      try {
        w.result = this.db.transaction(w.run)();
        committed.push(w);
      } catch (error) {
        w.reject(error);
      }
    }
    return committed;
  }
}

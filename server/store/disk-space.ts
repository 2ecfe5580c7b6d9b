// Free space on the disk of the data folder, against the floor below which new mail is refused
// (Postfix queue_minfree): SMTP answers 452 4.3.1 and IMAP APPEND NO [OVERQUOTA] while it is low,
// rather than accepting mail a full disk could not keep. Measured every few seconds and at once
// after a write failed for want of space; 'change' tells the window and the tray.
import { EventEmitter } from 'node:events';
import fs from 'node:fs';

export interface DiskStatus {
  /** Bytes this process may still use on the data folder's disk (statfs bavail × bsize); null until measured. */
  freeBytes: number | null;
  /** limits.minFreeDiskBytes: below it, new mail is refused. */
  floorBytes: number;
  low: boolean;
}

const CHECK_MS = 5000;

/** Errors that mean the disk (or the user's share of it) is full: errno codes and SQLite's. */
export function isDiskFull(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'ENOSPC' || code === 'EDQUOT' || code === 'SQLITE_FULL';
}

export class DiskSpace extends EventEmitter<{ change: [DiskStatus] }> {
  private freeBytes: number | null = null;
  private wasLow = false;
  private timer: NodeJS.Timeout | null = null;
  private measuring: Promise<void> | null = null;

  constructor(
    private readonly dataDir: string,
    private readonly floorBytes: () => number,
    private readonly onError: (message: string) => void,
  ) {
    super();
  }

  /** Measures now, then every few seconds. */
  async start(): Promise<void> {
    await this.measure();
    this.timer = setInterval(() => void this.measure(), CHECK_MS);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  get status(): DiskStatus {
    const floorBytes = this.floorBytes();
    return { freeBytes: this.freeBytes, floorBytes, low: this.freeBytes !== null && this.freeBytes < floorBytes };
  }

  /** Would `bytes` more (a message's announced SIZE, 0 for unknown) take the disk below the floor? */
  refuses(bytes = 0): boolean {
    return this.freeBytes !== null && this.freeBytes - bytes < this.floorBytes();
  }

  /** After a write failed: a full disk is measured again at once instead of at the next tick. */
  noteWriteError(error: unknown): void {
    if (isDiskFull(error)) void this.measure();
  }

  /** The floor setting changed: tell the listeners if that moves the state. */
  recheck(): void {
    this.announce();
  }

  measure(): Promise<void> {
    this.measuring ??= fs.promises
      .statfs(this.dataDir)
      .then(
        (stats) => {
          this.freeBytes = stats.bavail * stats.bsize;
          this.announce();
        },
        (error: Error) => this.onError(`could not measure the free disk space: ${error.message}`),
      )
      .finally(() => (this.measuring = null));
    return this.measuring;
  }

  private announce(): void {
    const status = this.status;
    if (status.low === this.wasLow) return;
    this.wasLow = status.low;
    this.emit('change', status);
  }
}

// The engine's own backups: once a day at settings.backup.timeOfDay (local time) into
// settings.backup.folder (empty: backups/ in the data folder), keeping the newest
// settings.backup.keep archives; and "back up now" from the window. The outcome goes into the log
// and the meta table (the window's Backup page shows it), a failure with its reason.
import fs from 'node:fs';
import path from 'node:path';
import type { Log } from '../log.js';
import type { Settings } from '../settings/schema.js';
import type { Db } from '../store/db.js';
import type { Meta } from '../store/meta.js';
import { ARCHIVE_NAME, BackupError, createBackup, lastBackup, newBackupPath, recordBackup, type LastBackup } from './backup.js';

export const DEFAULT_BACKUP_FOLDER = 'backups';

export interface BackupStatus {
  running: boolean;
  /** The folder backups go into (resolved). */
  folder: string;
  /** When the next scheduled backup starts (ms since 1970), null when none is scheduled. */
  nextAt: number | null;
  last: LastBackup | null;
}

export class BackupScheduler {
  private timer: NodeJS.Timeout | null = null;
  private nextAt: number | null = null;
  private running: Promise<LastBackup> | null = null;
  private readonly abort = new AbortController();

  constructor(
    private readonly dataDir: string,
    private readonly db: Db,
    private readonly meta: Meta,
    private readonly settings: () => Settings,
    private readonly log: Log,
  ) {}

  /** Plans the next scheduled backup from the settings (again after they change). */
  schedule(now = new Date()): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.nextAt = null;
    const { enabled, timeOfDay } = this.settings().backup;
    if (!enabled) return;
    const [hours, minutes] = timeOfDay.split(':').map(Number) as [number, number];
    const next = new Date(now);
    next.setHours(hours, minutes, 0, 0);
    if (next.getTime() <= now.getTime()) next.setDate(next.getDate() + 1);
    this.nextAt = next.getTime();
    this.timer = setTimeout(() => {
      void this.runNow().catch(() => {});
      this.schedule(new Date(Math.max(Date.now(), next.getTime() + 1000)));
    }, next.getTime() - now.getTime());
    this.timer.unref();
  }

  folder(): string {
    return this.settings().backup.folder || path.join(this.dataDir, DEFAULT_BACKUP_FOLDER);
  }

  status(): BackupStatus {
    return { running: !!this.running, folder: this.folder(), nextAt: this.nextAt, last: lastBackup(this.meta) };
  }

  /** Starts a backup now; resolves with its outcome (recorded either way). Only one runs at a time. */
  runNow(): Promise<LastBackup> {
    if (this.running) throw new BackupError('a backup is running already');
    const run = this.run().finally(() => (this.running = null));
    this.running = run;
    return run;
  }

  /** Stops a backup under way (it leaves nothing behind) and the schedule. */
  async stop(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.abort.abort();
    await this.running?.catch(() => {});
  }

  private async run(): Promise<LastBackup> {
    const folder = this.folder();
    // the default folder is made; a folder set by hand must be there (a USB disk not plugged in is a failure to report)
    if (!this.settings().backup.folder) fs.mkdirSync(folder, { recursive: true, mode: 0o700 });
    const file = newBackupPath(folder);
    this.log.info('backup', `backup into ${file} started`);
    try {
      const result = await createBackup(this.dataDir, this.db, file, { signal: this.abort.signal });
      const removed = this.prune(folder);
      this.log.info(
        'backup',
        `backup written to ${file}: ${result.counts.messages} messages, ${(result.bytes / 1048576).toFixed(1)} MB in ${result.seconds.toFixed(1)} s` +
          (removed.length ? `; removed the older ${removed.join(', ')}` : ''),
      );
      return recordBackup(this.meta, { file, result });
    } catch (error) {
      this.log.error('backup', `backup into ${file} failed: ${(error as Error).message}`);
      recordBackup(this.meta, { file, error });
      throw error;
    }
  }

  /** Removes the oldest archives beyond settings.backup.keep; returns their names. */
  private prune(folder: string): string[] {
    const archives = fs
      .readdirSync(folder)
      .filter((name) => ARCHIVE_NAME.test(name))
      .map((name) => ({ name, time: fs.statSync(path.join(folder, name)).mtimeMs }))
      .sort((a, b) => a.time - b.time || a.name.localeCompare(b.name))
      .map(({ name }) => name);
    const old = archives.slice(0, Math.max(0, archives.length - this.settings().backup.keep));
    for (const name of old) fs.rmSync(path.join(folder, name), { force: true });
    return old;
  }
}

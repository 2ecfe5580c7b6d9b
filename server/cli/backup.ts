// lanpost backup [--out FILE] [--data DIR] and lanpost restore FILE --data DIR [--force].
import fs from 'node:fs';
import path from 'node:path';
import { createBackup, newBackupPath, recordBackup } from '../backup/backup.js';
import { restoreBackup } from '../backup/restore.js';
import { DATABASE_FILE, openDatabase } from '../store/db.js';
import { Meta } from '../store/meta.js';
import { terminalProgress } from './progress.js';
import { UsageError } from './usage-error.js';

/** Backs up the data folder (also while the engine runs); the result is kept for the window too. */
export async function backupCommand(dataDir: string, args: string[], out: string | undefined): Promise<number> {
  if (args.length) throw new UsageError('backup takes no arguments but --out FILE and --data DIR');
  if (!fs.existsSync(path.join(dataDir, DATABASE_FILE))) {
    process.stderr.write(`lanpost: backup failed: ${dataDir} holds no LanPost data (no ${DATABASE_FILE})\n`);
    return 1;
  }
  const target = path.resolve(out ?? '.');
  const file = out === undefined || (fs.existsSync(target) && fs.statSync(target).isDirectory()) ? newBackupPath(target) : target;
  const db = openDatabase(dataDir);
  const progress = terminalProgress('backup');
  try {
    const result = await createBackup(dataDir, db, file, { onProgress: (done, total) => progress.update(done, total, 'messages') });
    progress.stop();
    recordBackup(new Meta(db), { file, result });
    const { counts } = result;
    const rate = result.bytes / 1048576 / Math.max(result.seconds, 0.001);
    process.stdout.write(
      `backup written to ${file}: ${counts.users} users, ${counts.mailboxes} mailboxes, ${counts.messages} messages, ${counts.queueEntries} queued; ` +
        `${(result.bytes / 1048576).toFixed(1)} MB in ${result.seconds.toFixed(1)} s (${rate.toFixed(1)} MB/s)\n`,
    );
    if (result.goneMeanwhile) process.stdout.write(`${result.goneMeanwhile} messages were deleted while the backup ran and are not in it\n`);
    return 0;
  } catch (error) {
    recordBackup(new Meta(db), { file, error });
    process.stderr.write(`lanpost: backup failed: ${(error as Error).message}\n`);
    return 1;
  } finally {
    progress.stop();
    db.close();
  }
}

export async function restoreCommand(dataDir: string, args: string[], force: boolean, dataGiven: boolean): Promise<number> {
  if (args.length !== 1) throw new UsageError('restore takes FILE');
  if (!dataGiven) throw new UsageError('restore needs --data NEWDIR: the folder to restore into');
  const progress = terminalProgress('restore');
  try {
    const manifest = await restoreBackup(path.resolve(args[0]!), dataDir, { force, onProgress: (done, total) => progress.update(done, total, 'files') });
    progress.stop();
    const { counts } = manifest;
    process.stdout.write(
      `restored the backup of ${manifest.createdAt} into ${dataDir}: ${counts.users} users, ${counts.mailboxes} mailboxes, ${counts.messages} messages, ${counts.queueEntries} queued; every checksum matches\n` +
        `start it with: lanpost serve --data ${dataDir}\n`,
    );
    return 0;
  } finally {
    progress.stop();
  }
}

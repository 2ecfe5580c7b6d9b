// One backup of a data folder, also while the engine runs and delivers: a consistent snapshot of
// the database (SQLite's online backup), then every file that snapshot knows — each message under
// the name the snapshot gives it, found wherever a flag change or a MOVE put it since — the
// settings, tls/, dkim/ and the queue's files, and last the manifest. A message expunged meanwhile
// is forgotten by the snapshot too, so the archive is the data folder as it was at one moment,
// less what was deleted while the backup ran.
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { SETTINGS_FILE } from '../settings/file.js';
import type { Db } from '../store/db.js';
import { isGone } from '../store/message-files.js';
import type { Meta } from '../store/meta.js';
import { LiveMessageFiles, SnapshotIndex, snapshotDatabase } from '../store/snapshot.js';
import { lanpostVersion } from '../version.js';
import { ArchiveWriter, partialName, type EntryOptions } from './archive.js';
import { DATABASE_ENTRY, type BackupCounts, type Manifest } from './manifest.js';

/** Folders of the data folder taken whole (keys and certificates). */
const WHOLE_FOLDERS = ['tls', 'dkim'];
const QUEUE_FOLDER = 'queue';

export class BackupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BackupError';
  }
}

export interface BackupResult {
  file: string;
  /** The archive's size. */
  bytes: number;
  counts: BackupCounts;
  /** Messages expunged (and queue entries finished) while the backup ran: not in it. */
  goneMeanwhile: number;
  seconds: number;
}

export interface BackupOptions {
  /** Called as the message files go into the archive (every 100); the backup goes on once it returns (or resolves). */
  onProgress?: (done: number, total: number) => void | Promise<void>;
  /** Stops the backup (the engine stopping): nothing is left behind. */
  signal?: AbortSignal;
}

/** Names of backup archives: lanpost-backup-20240131-030000.tar (-2, -3… for more in one second). */
export const ARCHIVE_NAME = /^lanpost-backup-\d{8}-\d{6}(-\d+)?\.tar$/;

/** A new archive's path in `folder`, named after the time (UTC), not taken yet. */
export function newBackupPath(folder: string, now = new Date()): string {
  const stamp = `lanpost-backup-${now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15)}`;
  let file = path.join(folder, `${stamp}.tar`);
  for (let n = 2; fs.existsSync(file) || fs.existsSync(partialName(file)); n++) file = path.join(folder, `${stamp}-${n}.tar`);
  return file;
}

/** Backs up the data folder `dataDir`, whose database `db` is open, into `file` (its folder must exist). */
export async function createBackup(dataDir: string, db: Db, file: string, options: BackupOptions = {}): Promise<BackupResult> {
  const { onProgress = () => {}, signal } = options;
  const started = Date.now();
  const folder = path.dirname(file);
  if (!fs.existsSync(folder)) throw new BackupError(`the folder ${folder} does not exist`);
  if (!fs.statSync(folder).isDirectory()) throw new BackupError(`${folder} is not a folder`);
  if (fs.existsSync(file)) throw new BackupError(`${file} exists already`);
  const snapshotFile = `${partialName(file)}-db`;
  await fsp.rm(snapshotFile, { force: true });
  const archive = ArchiveWriter.create(file);
  let snapshot: SnapshotIndex | null = null;
  try {
    await snapshotDatabase(db, snapshotFile);
    snapshot = new SnapshotIndex(snapshotFile);
    const messages = snapshot.messages();
    await checkRoom(folder, messages.reduce((sum, m) => sum + m.size, fs.statSync(snapshotFile).size));
    await addFile(archive, dataDir, SETTINGS_FILE);
    for (const whole of WHOLE_FOLDERS) for (const name of filesUnder(dataDir, whole)) await addFile(archive, dataDir, name);

    let goneMeanwhile = 0;
    for (const { id, file: queued } of snapshot.queueFiles()) {
      if (await addFile(archive, dataDir, path.posix.join(QUEUE_FOLDER, queued))) continue;
      snapshot.forgetQueueEntry(id);
      goneMeanwhile++;
    }
    const live = new LiveMessageFiles(db, dataDir);
    for (const [done, message] of messages.entries()) {
      if (signal?.aborted) throw new BackupError('stopped before it was done (LanPost was stopping)');
      const name = toEntryName(path.join(message.folder, message.filename));
      const entry = { mode: 0o600, mtime: new Date(message.internalDate) };
      try {
        // small messages are read whole and synchronously: from the page cache that is far cheaper than trips through the thread pool
        if (live.isSmall(message)) await archive.add(name, live.readSync(message), entry);
        else await addOpened(archive, name, await live.open(message), entry);
      } catch (error) {
        if (!isGone(error)) throw error;
        snapshot.forgetMessage(message.id);
        goneMeanwhile++;
        continue;
      }
      if (done % 100 === 0) await onProgress(done, messages.length);
    }
    await onProgress(messages.length, messages.length);

    const counts = snapshot.counts();
    const schemaVersion = snapshot.schemaVersion();
    snapshot.close();
    snapshot = null;
    await addFile(archive, path.dirname(snapshotFile), path.basename(snapshotFile), DATABASE_ENTRY);
    const manifest: Manifest = {
      format: 'lanpost-backup',
      version: 1,
      createdAt: new Date(started).toISOString(),
      lanpost: lanpostVersion(),
      schemaVersion,
      counts: { ...counts, files: Object.keys(archive.checksums).length, bytes: archive.bytes },
      files: archive.checksums,
    };
    await archive.finish(manifest);
    return { file, bytes: fs.statSync(file).size, counts: manifest.counts, goneMeanwhile, seconds: (Date.now() - started) / 1000 };
  } catch (error) {
    await archive.abandon();
    throw explain(error, folder);
  } finally {
    snapshot?.close();
    await fsp.rm(snapshotFile, { force: true });
  }
}

/** Adds `name` (relative to `root`) under `entry`; false when the file is gone. */
async function addFile(archive: ArchiveWriter, root: string, name: string, entry = name): Promise<boolean> {
  let handle: fsp.FileHandle;
  try {
    handle = await fsp.open(path.join(root, name), 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
  await addOpened(archive, toEntryName(entry), handle);
  return true;
}

/** Streams an open file into the archive and closes it. */
async function addOpened(archive: ArchiveWriter, name: string, handle: fsp.FileHandle, options?: EntryOptions): Promise<void> {
  try {
    await archive.addFile(name, handle, options);
  } finally {
    await handle.close();
  }
}

/** Files under `dataDir/sub`, as paths relative to dataDir (none when it does not exist). */
function filesUnder(dataDir: string, sub: string): string[] {
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(path.join(dataDir, sub), { withFileTypes: true });
  } catch {
    return [];
  }
  return entries.flatMap((entry) => {
    const name = path.join(sub, entry.name);
    if (entry.isDirectory()) return filesUnder(dataDir, name);
    return entry.isFile() ? [name] : [];
  });
}

/** Entry names use "/" whatever the system. */
function toEntryName(relative: string): string {
  return relative.split(path.sep).join('/');
}

/** Refuses to start when the archive (about `bytes`) cannot fit. */
async function checkRoom(folder: string, bytes: number): Promise<void> {
  const stats = await fsp.statfs(folder);
  const free = stats.bavail * stats.bsize;
  if (free < bytes) {
    throw new BackupError(`disk full: the backup needs about ${megabytes(bytes)} and ${folder} has ${megabytes(free)} free`);
  }
}

function megabytes(bytes: number): string {
  return `${(bytes / 1048576).toFixed(1)} MB`;
}

/** The reason in words: a full disk, a folder that went away, no permission. */
function explain(error: unknown, folder: string): Error {
  if (error instanceof BackupError) return error;
  const code = (error as NodeJS.ErrnoException).code;
  const message = (error as Error).message;
  if (code === 'ENOSPC' || code === 'EDQUOT') return new BackupError(`disk full while writing into ${folder} (${message})`);
  if (code === 'ENOENT' && !fs.existsSync(folder)) return new BackupError(`the folder ${folder} went away while the backup was written`);
  if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') return new BackupError(`cannot write into ${folder}: ${message}`);
  return error as Error;
}

// ── the last backup, kept in the meta table for the window ──────────────────

const LAST_BACKUP_KEY = 'backup.last';

export interface LastBackup {
  /** When it ended (ISO 8601). */
  at: string;
  ok: boolean;
  file: string;
  bytes: number;
  messages: number;
  seconds: number;
  /** Why it failed. */
  error?: string;
}

export function recordBackup(meta: Meta, outcome: { file: string; result?: BackupResult; error?: unknown }): LastBackup {
  const { result } = outcome;
  const record: LastBackup = {
    at: new Date().toISOString(),
    ok: !!result,
    file: outcome.file,
    bytes: result?.bytes ?? 0,
    messages: result?.counts.messages ?? 0,
    seconds: result?.seconds ?? 0,
    ...(outcome.error === undefined ? {} : { error: (outcome.error as Error).message ?? String(outcome.error) }),
  };
  meta.set(LAST_BACKUP_KEY, JSON.stringify(record));
  return record;
}

export function lastBackup(meta: Meta): LastBackup | null {
  const text = meta.get(LAST_BACKUP_KEY);
  return text ? (JSON.parse(text) as LastBackup) : null;
}

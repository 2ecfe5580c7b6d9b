// `lanpost restore FILE --data DIR`: a backup archive unpacked into a data folder. Everything is
// unpacked into a staging folder first and checked against the manifest (every entry's sha256,
// nothing missing, nothing extra, the counts, the database's integrity); only a whole, matching
// archive is moved into place. The database is the snapshot itself, so users, passwords, folders,
// flags, UIDs and UIDVALIDITY are those of the moment of the backup.
import { execFile } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import tar from 'tar-stream';
import { SnapshotIndex } from '../store/snapshot.js';
import { DATABASE_ENTRY, MANIFEST_NAME, manifestSchema, type Manifest } from './manifest.js';

const run = promisify(execFile);

export class RestoreError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RestoreError';
  }
}

export interface RestoreOptions {
  /** Restore into a folder that is not empty, replacing what the archive holds. */
  force?: boolean;
  onProgress?: (files: number, total: number | null) => void;
}

/** Restores `file` into `dataDir`; returns the manifest. */
export async function restoreBackup(file: string, dataDir: string, options: RestoreOptions = {}): Promise<Manifest> {
  if (!fs.existsSync(file)) throw new RestoreError(`${file} does not exist`);
  const existing = fs.existsSync(dataDir) ? fs.readdirSync(dataDir) : [];
  if (existing.length && !options.force) {
    throw new RestoreError(`${dataDir} is not empty: restore into a new folder, or add --force to replace its data with the backup's`);
  }
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const staging = await fsp.mkdtemp(path.join(dataDir, '.restore-'));
  try {
    const { manifest, checksums } = await unpack(file, staging, options.onProgress ?? (() => {}));
    check(manifest, checksums, staging);
    await syncTree(staging);
    await moveIntoPlace(staging, dataDir);
    return manifest;
  } finally {
    await fsp.rm(staging, { recursive: true, force: true });
  }
}

/** Unpacks every entry into `staging`, hashing each; the manifest must be the last entry. */
async function unpack(file: string, staging: string, onProgress: NonNullable<RestoreOptions['onProgress']>) {
  const checksums = new Map<string, string>();
  let manifestText: string | null = null;
  const extract = tar.extract();
  const reading = pipeline(fs.createReadStream(file), extract);
  reading.catch(() => {});
  try {
    for await (const entry of extract) {
      const name = entry.header.name;
      if (manifestText !== null) throw new RestoreError(`${file}: an entry (${name}) follows the manifest: not a LanPost backup`);
      if (entry.header.type !== 'file') throw new RestoreError(`${file}: ${name} is not a plain file: not a LanPost backup`);
      if (name === MANIFEST_NAME) {
        const chunks: Buffer[] = [];
        for await (const chunk of entry) chunks.push(chunk as Buffer);
        manifestText = Buffer.concat(chunks).toString('utf8');
        continue;
      }
      const target = safePath(staging, name);
      if (checksums.has(name)) throw new RestoreError(`${file}: ${name} is in it twice`);
      await fsp.mkdir(path.dirname(target), { recursive: true, mode: 0o700 });
      const hash = crypto.createHash('sha256');
      const handle = await fsp.open(target, 'wx', (entry.header.mode ?? 0o600) & 0o700);
      try {
        for await (const chunk of entry) {
          hash.update(chunk as Buffer);
          await handle.write(chunk as Buffer);
        }
      } finally {
        await handle.close();
      }
      if (entry.header.mtime) await fsp.utimes(target, entry.header.mtime, entry.header.mtime);
      checksums.set(name, hash.digest('hex'));
      if (checksums.size % 100 === 0) onProgress(checksums.size, null);
    }
    await reading;
  } catch (error) {
    if (error instanceof RestoreError) throw error;
    throw new RestoreError(`${file} cannot be read as a LanPost backup: ${(error as Error).message}`);
  }
  if (manifestText === null) throw new RestoreError(`${file} has no manifest at its end: it was cut short, or is not a LanPost backup`);
  let manifest: Manifest;
  try {
    manifest = manifestSchema.parse(JSON.parse(manifestText));
  } catch (error) {
    throw new RestoreError(`${file}: its manifest is not valid (${(error as Error).message})`);
  }
  onProgress(checksums.size, checksums.size);
  return { manifest, checksums };
}

/** The archive holds what its manifest says, byte for byte, and its database is whole. */
function check(manifest: Manifest, checksums: Map<string, string>, staging: string): void {
  const listed = Object.entries(manifest.files);
  const missing = listed.filter(([name]) => !checksums.has(name)).map(([name]) => name);
  if (missing.length) throw new RestoreError(`the archive lacks ${missing.length} file(s) its manifest lists, e.g. ${missing[0]}`);
  const damaged = listed.filter(([name, sum]) => checksums.get(name) !== sum).map(([name]) => name);
  if (damaged.length) throw new RestoreError(`${damaged.length} file(s) differ from their checksum in the manifest, e.g. ${damaged[0]}`);
  const extra = [...checksums.keys()].filter((name) => !(name in manifest.files));
  if (extra.length) throw new RestoreError(`the archive holds ${extra.length} file(s) its manifest does not list, e.g. ${extra[0]}`);
  if (!checksums.has(DATABASE_ENTRY)) throw new RestoreError(`the archive has no ${DATABASE_ENTRY}`);
  const databaseFile = path.join(staging, DATABASE_ENTRY);
  const db = new Database(databaseFile, { readonly: true });
  try {
    const integrity = db.pragma('integrity_check', { simple: true });
    if (integrity !== 'ok') throw new RestoreError(`the database in the archive is damaged: ${integrity}`);
  } finally {
    db.close();
  }
  const index = new SnapshotIndex(databaseFile);
  try {
    const counts = index.counts();
    for (const key of ['users', 'mailboxes', 'messages', 'queueEntries'] as const) {
      if (counts[key] !== manifest.counts[key]) throw new RestoreError(`the database holds ${counts[key]} ${key}, the manifest says ${manifest.counts[key]}`);
    }
  } finally {
    index.close();
  }
}

/**
 * Makes everything unpacked durable before it is moved into place: one sync of the file system
 * (`sync -f`, syncfs(2)) rather than an fsync per file, which costs a trip to the disk for each of
 * thousands of messages; where there is no such command, each file is fsynced.
 */
async function syncTree(root: string): Promise<void> {
  if (process.platform === 'linux') {
    try {
      await run('sync', ['-f', root]);
      return;
    } catch {
      // no coreutils sync: one file at a time below
    }
  }
  for (const entry of await fsp.readdir(root, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const handle = await fsp.open(path.join(entry.parentPath, entry.name), 'r+');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  }
}

/** Moves the staged folders and files into the data folder, replacing what is there by the same name. */
async function moveIntoPlace(staging: string, dataDir: string): Promise<void> {
  for (const stale of [`${DATABASE_ENTRY}-wal`, `${DATABASE_ENTRY}-shm`]) await fsp.rm(path.join(dataDir, stale), { force: true });
  for (const name of await fsp.readdir(staging)) {
    const target = path.join(dataDir, name);
    await fsp.rm(target, { recursive: true, force: true });
    await fsp.rename(path.join(staging, name), target);
  }
  const handle = await fsp.open(dataDir, 'r');
  try {
    if (process.platform !== 'win32') await handle.sync();
  } finally {
    await handle.close();
  }
}

/** The entry's path inside `root`; names that would leave it (absolute, "..") are refused. */
function safePath(root: string, name: string): string {
  const parts = name.split('/');
  if (!name || name.startsWith('/') || parts.some((part) => part === '' || part === '.' || part === '..' || part.includes('\\'))) {
    throw new RestoreError(`the archive has an entry with an unsafe name: ${JSON.stringify(name)}`);
  }
  return path.join(root, ...parts);
}

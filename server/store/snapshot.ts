// A backup's view of the store: a consistent copy of the database taken while the engine runs
// (SQLite's online backup, in one step: one read transaction, so concurrent commits neither stop it
// nor make it start over), what that copy knows (message files, queue files, counts), and where
// each of those files is now in the live data folder (a flag change renames a file, a MOVE links it
// into another folder: message-files.ts follows the first, the message's GUID finds the second).
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { Db } from './db.js';
import { folderDir } from './maildir.js';
import { expungedError, isGone, MessageFiles } from './message-files.js';

/** sqlite3_backup_step's page count for "everything at once". */
const ALL_PAGES = 0x7fffffff;

/** Copies the database `db` into `file` (which must not exist) as one consistent snapshot. */
export async function snapshotDatabase(db: Db, file: string): Promise<void> {
  await db.backup(file, { progress: () => ALL_PAGES });
}

/** A message file the snapshot knows: `path` relative to the data folder. */
export interface KnownMessage {
  id: number;
  guid: string;
  /** The owner's Maildir and the mailbox's folder in it, relative to the data folder. */
  folder: string;
  filename: string;
  size: number;
  internalDate: number;
}

export interface SnapshotCounts {
  users: number;
  mailboxes: number;
  messages: number;
  queueEntries: number;
}

/** The snapshot copy of the database, opened: what it knows, and rows dropped whose file went meanwhile. */
export class SnapshotIndex {
  private readonly db: Db;

  constructor(file: string) {
    this.db = new Database(file);
    // the copy is written by this process only, and thrown away on a crash
    this.db.pragma('journal_mode = DELETE');
    this.db.pragma('synchronous = OFF');
  }

  /** Every message file, by user, mailbox and UID. */
  messages(): KnownMessage[] {
    const rows = this.db
      .prepare(
        `SELECT m.id, m.guid, u.maildir, b.folder, m.filename, m.size, m.internal_date AS internalDate
           FROM messages m JOIN mailboxes b ON b.id = m.mailbox_id JOIN users u ON u.id = b.user_id
          ORDER BY u.id, b.id, m.uid`,
      )
      .all() as Array<Omit<KnownMessage, 'folder'> & { maildir: string; folder: string }>;
    return rows.map(({ maildir, folder, ...row }) => ({ ...row, folder: folderDir(maildir, folder) }));
  }

  /** The outbound queue's message files (relative to the queue folder), by entry id. */
  queueFiles(): Array<{ id: string; file: string }> {
    return this.db.prepare('SELECT id, file FROM queue ORDER BY id').all() as Array<{ id: string; file: string }>;
  }

  /** A message expunged after the snapshot: the copy forgets it too. */
  forgetMessage(id: number): void {
    this.db.prepare('DELETE FROM messages WHERE id = ?').run(id);
  }

  /** A queue entry finished after the snapshot: the copy forgets it too. */
  forgetQueueEntry(id: string): void {
    this.db.prepare('DELETE FROM queue WHERE id = ?').run(id);
  }

  counts(): SnapshotCounts {
    const count = (table: string) => this.db.prepare(`SELECT COUNT(*) FROM ${table}`).pluck().get() as number;
    return { users: count('users'), mailboxes: count('mailboxes'), messages: count('messages'), queueEntries: count('queue') };
  }

  /** The schema version of the copy (PRAGMA user_version). */
  schemaVersion(): number {
    return this.db.pragma('user_version', { simple: true }) as number;
  }

  close(): void {
    this.db.close();
  }
}

/** Finds the files a snapshot knows in the live data folder, however they were renamed or moved since. */
export class LiveMessageFiles {
  private readonly byId;
  private readonly byGuid;
  private readonly folders = new Map<string, MessageFiles>();

  constructor(
    live: Db,
    private readonly dataDir: string,
  ) {
    this.byId = live.prepare<[number]>('SELECT filename FROM messages WHERE id = ?');
    this.byGuid = live.prepare<[string]>(
      `SELECT u.maildir, b.folder, m.filename FROM messages m JOIN mailboxes b ON b.id = m.mailbox_id JOIN users u ON u.id = b.user_id
        WHERE m.guid = ? LIMIT 1`,
    );
  }

  /** Whether the message is small enough to be read whole and synchronously (see message-files.ts). */
  isSmall(message: KnownMessage): boolean {
    return this.filesOf(message.folder).isSmall(message);
  }

  /** A small message's bytes, read synchronously, wherever it is now; EXPUNGED (or ENOENT) when none is left (isGone). */
  readSync(message: KnownMessage): Buffer {
    try {
      return this.filesOf(message.folder).readSync(message);
    } catch (error) {
      if (!isGone(error)) throw error;
      return fs.readFileSync(this.movedCopy(message));
    }
  }

  /** Opens the message's file to stream it, wherever it is now; EXPUNGED (or ENOENT) when none is left. */
  async open(message: KnownMessage): Promise<fsp.FileHandle> {
    try {
      return await this.filesOf(message.folder).followAsync(message, (file) => fsp.open(file, 'r'));
    } catch (error) {
      if (!isGone(error)) throw error;
      return await fsp.open(this.movedCopy(message), 'r');
    }
  }

  /** A copy of the message MOVEd to another folder since the snapshot (a MOVE keeps the GUID). */
  private movedCopy(message: KnownMessage): string {
    const moved = this.byGuid.get(message.guid) as { maildir: string; folder: string; filename: string } | undefined;
    if (!moved) throw expungedError();
    return path.join(this.dataDir, folderDir(moved.maildir, moved.folder), moved.filename);
  }

  private filesOf(folder: string): MessageFiles {
    let files = this.folders.get(folder);
    if (!files) {
      files = new MessageFiles(path.join(this.dataDir, folder), (id) => this.byId.get(id) as { filename: string } | undefined);
      this.folders.set(folder, files);
    }
    return files;
  }
}


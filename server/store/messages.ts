// Messages: their index rows (read in UID order, by id, by UID range) and the two writes every
// protocol shares: storing a message durably (file fsynced and renamed, index row committed in the
// group commit, then announced) and removing messages (row and file).
import fs from 'node:fs';
import path from 'node:path';
import type { CommitWriter } from './commit-writer.js';
import type { Db } from './db.js';
import { directorySync } from './fsync.js';
import type { KeywordLetters } from './keywords.js';
import { fileNameFor, newBaseName, writeMessageFile } from './maildir.js';
import { newObjectId } from './object-ids.js';
import type { Announce, MailboxRow, MessageRow } from './rows.js';
import { NO_THREADING, threadingIds, type Threads, type ThreadingIds } from './threads.js';

export interface AppendOptions {
  flags?: string[];
  internalDate?: Date;
  /** Delivered mail goes to new/ (unseen by any client); APPEND and COPY go to cur/. */
  inNew?: boolean;
}

/** A message row as it is indexed: the mailbox's next UID and MODSEQ are taken when it is written. */
export interface NewRow {
  mailboxId: number;
  guid: string;
  filename: string;
  size: number;
  internalDate: number;
  flags: string;
  /** A copy keeps the EMAILID and THREADID of its original (RFC 8474 §5); a new message gets new ones. */
  objectIds?: { emailId: string; threadId: string };
  /** A new message's Message-IDs, to find its thread. */
  threading?: ThreadingIds;
}

interface PendingRow extends NewRow {
  resolve: (row: MessageRow) => void;
  reject: (error: unknown) => void;
}

type RowArray = [number, number, number, string, string, number, number, string, number, string, string];

export class Messages {
  /** Index rows waiting for their commit; null when the next row starts a new batch. */
  private batch: PendingRow[] | null = null;
  private readonly statements;

  constructor(
    private readonly db: Db,
    private readonly commits: CommitWriter,
    private readonly keywords: KeywordLetters,
    private readonly threads: Threads,
    private readonly announce: Announce,
  ) {
    this.statements = {
      list: db.prepare<[number]>('SELECT * FROM messages WHERE mailbox_id = ? ORDER BY uid'),
      byId: db.prepare<[number]>('SELECT * FROM messages WHERE id = ?'),
      fromUid: db.prepare<[number, number]>('SELECT * FROM messages WHERE mailbox_id = ? AND uid >= ? ORDER BY uid'),
      /** Rows as arrays, made into objects here: about twice as fast for thousands of rows. */
      uidRange: db
        .prepare<[number, number, number]>('SELECT id, mailbox_id, uid, guid, filename, size, internal_date, flags, modseq, email_id, thread_id FROM messages WHERE mailbox_id = ? AND uid BETWEEN ? AND ? ORDER BY uid')
        .raw(),
      hasGuid: db.prepare<[number, string]>('SELECT 1 FROM messages WHERE mailbox_id = ? AND guid = ?'),
      /** Reserves n UIDs and n MODSEQs at once; returns the first of each. */
      reserveUids: db.prepare<[number, number, number, number, number]>(
        'UPDATE mailboxes SET uidnext = uidnext + ?, highest_modseq = highest_modseq + ? WHERE id = ? RETURNING uidnext - ? AS uid, highest_modseq - ? + 1 AS modseq',
      ),
      insert: db.prepare('INSERT INTO messages (mailbox_id, uid, guid, filename, size, internal_date, flags, modseq, email_id, thread_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)'),
      ownerOf: db.prepare<[number]>('SELECT user_id FROM mailboxes WHERE id = ?').pluck(),
      /** The removal takes a new MODSEQ and is remembered with it (trigger messages_expunged, migration 7). */
      remove: db.prepare<[number]>('DELETE FROM messages WHERE id = ?'),
      bumpModseq: db.prepare<[number]>('UPDATE mailboxes SET highest_modseq = highest_modseq + 1 WHERE id = ? RETURNING highest_modseq AS modseq'),
      update: db.prepare<[string, string, number, number]>('UPDATE messages SET flags = ?, filename = ?, modseq = ? WHERE id = ?'),
    };
  }

  // ── rows ───────────────────────────────────────────────────────────────────

  list(mailboxId: number): MessageRow[] {
    return this.statements.list.all(mailboxId) as MessageRow[];
  }

  byId(id: number): MessageRow | undefined {
    return this.statements.byId.get(id) as MessageRow | undefined;
  }

  /** Messages with a UID of at least `uid`, in UID order (new arrivals since a view was taken). */
  fromUid(mailboxId: number, uid: number): MessageRow[] {
    return this.statements.fromUid.all(mailboxId, uid) as MessageRow[];
  }

  /** Messages with UIDs from `low` to `high`, in UID order: the thousands of rows of an IMAP FETCH or SEARCH. */
  inUidRange(mailboxId: number, low: number, high: number): MessageRow[] {
    const rows: MessageRow[] = [];
    for (const r of this.statements.uidRange.all(mailboxId, low, high) as RowArray[]) {
      rows.push({ id: r[0], mailbox_id: r[1], uid: r[2], guid: r[3], filename: r[4], size: r[5], internal_date: r[6], flags: r[7], modseq: r[8], email_id: r[9], thread_id: r[10] });
    }
    return rows;
  }

  hasGuid(mailboxId: number, guid: string): boolean {
    return !!this.statements.hasGuid.get(mailboxId, guid);
  }

  /**
   * Indexes rows under their mailboxes' next UIDs and MODSEQs, in the order given (inside the
   * caller's transaction): one UPDATE per mailbox reserves the UIDs and MODSEQs of all its rows.
   */
  insert(rows: readonly NewRow[]): MessageRow[] {
    const counts = new Map<number, number>();
    for (const row of rows) counts.set(row.mailboxId, (counts.get(row.mailboxId) ?? 0) + 1);
    const next = new Map<number, { uid: number; modseq: number; owner: number }>();
    for (const [mailboxId, n] of counts) {
      const reserved = this.statements.reserveUids.get(n, n, mailboxId, n, n) as { uid: number; modseq: number };
      next.set(mailboxId, { ...reserved, owner: this.statements.ownerOf.get(mailboxId) as number });
    }
    return rows.map((row): MessageRow => {
      const reserved = next.get(row.mailboxId)!;
      const { uid, modseq } = reserved;
      reserved.uid++;
      reserved.modseq++;
      const { emailId, threadId } = row.objectIds ?? { emailId: newObjectId('email'), threadId: this.threads.assign(reserved.owner, row.threading ?? NO_THREADING) };
      const info = this.statements.insert.run(row.mailboxId, uid, row.guid, row.filename, row.size, row.internalDate, row.flags, modseq, emailId, threadId);
      return {
        id: Number(info.lastInsertRowid),
        mailbox_id: row.mailboxId,
        uid,
        guid: row.guid,
        filename: row.filename,
        size: row.size,
        internal_date: row.internalDate,
        flags: row.flags,
        modseq,
        email_id: emailId,
        thread_id: threadId,
      };
    });
  }

  /** New flags and file name of a row, under a new MODSEQ of its mailbox; returns the MODSEQ. */
  update(message: Pick<MessageRow, 'id' | 'mailbox_id'>, flags: string, filename: string): number {
    const { modseq } = this.statements.bumpModseq.get(message.mailbox_id) as { modseq: number };
    this.statements.update.run(flags, filename, modseq, message.id);
    return modseq;
  }

  /** Forgets a row (its file is gone already); like an expunge, under a new MODSEQ. */
  forget(id: number): void {
    this.statements.remove.run(id);
  }

  // ── append and expunge ─────────────────────────────────────────────────────

  /**
   * Stores a message durably and indexes it. Resolves only once the file is fsynced under its
   * final name and its index row is committed: the moment a 250 or an APPEND OK may be sent.
   */
  async append(folder: string, mailbox: MailboxRow, content: Buffer, options: AppendOptions = {}): Promise<MessageRow> {
    const flags = options.flags ?? [];
    const inNew = options.inNew ?? false;
    const base = newBaseName();
    const filename = this.keywords.apply(folder, fileNameFor(base, content.length, flags, inNew), flags);
    await writeMessageFile(folder, content, base, filename);
    // The folder's fsync (making the rename durable) and the index commit go to the disk side by side.
    const [row] = await Promise.all([
      this.index({
        mailboxId: mailbox.id,
        guid: base,
        filename,
        size: content.length,
        internalDate: (options.internalDate ?? new Date()).getTime(),
        flags: flags.join(' '),
        threading: threadingIds(content),
      }),
      directorySync.sync(path.join(folder, inNew ? 'new' : 'cur')),
    ]);
    return row;
  }

  /** Queues an index row; rows queued in the same turn of the event loop share one commit. */
  private index(row: NewRow): Promise<MessageRow> {
    return new Promise((resolve, reject) => {
      if (this.batch) return void this.batch.push({ ...row, resolve, reject });
      const batch: PendingRow[] = (this.batch = [{ ...row, resolve, reject }]);
      this.commits
        .write(
          () => {
            if (this.batch === batch) this.batch = null;
            return this.insert(batch);
          },
          { committed: (inserted) => this.announceInserted(inserted) },
        )
        .then(
          (inserted) => batch.forEach((row, i) => row.resolve(inserted[i]!)),
          (error: unknown) => batch.forEach((row) => row.reject(error)),
        );
    });
  }

  private announceInserted(inserted: readonly MessageRow[]): void {
    const byMailbox = new Map<number, number[]>();
    for (const row of inserted) byMailbox.set(row.mailbox_id, [...(byMailbox.get(row.mailbox_id) ?? []), row.uid]);
    for (const [mailboxId, uids] of byMailbox) this.announce({ mailboxId, kind: 'exists', uids });
  }

  /** Removes messages from the index and their files from `folder`; returns the UIDs removed. */
  expunge(folder: string, mailbox: MailboxRow, messages: readonly MessageRow[]): number[] {
    const removed: number[] = [];
    this.db.transaction(() => {
      for (const message of messages) {
        const current = this.byId(message.id);
        if (!current) continue;
        this.statements.remove.run(current.id);
        removed.push(current.uid);
        try {
          fs.unlinkSync(path.join(folder, current.filename));
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
        }
      }
    })();
    if (removed.length) this.announce({ mailboxId: mailbox.id, kind: 'expunge', uids: removed });
    return removed;
  }
}

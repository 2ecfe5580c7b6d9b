// Mailboxes and messages: Maildir++ files on disk, indexed in SQLite (UIDs, flags, MODSEQ).
// Every writer goes through here, and every change is announced on `changes` so that open
// IMAP/POP3 sessions learn of new, changed and removed messages at once.
import { EventEmitter } from 'node:events';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { CommitWriter } from './commit-writer.js';
import type { Db } from './db.js';
import { isDiskFull } from './disk-space.js';
import { Meta } from './meta.js';
import { directorySync } from './fsync.js';
import { SelectSummaries, type SelectSummary } from './select-summary.js';
import { KeywordLetters } from './keywords.js';
import { cleanTmp, ensureMaildir, fileNameFor, folderDir, listMessageFiles, newBaseName, parseFileName, writeMessageFile } from './maildir.js';

export const HIERARCHY_DELIMITER = '/';

/** Created for every user (RFC 6154 special-use attributes). */
export const SPECIAL_MAILBOXES: ReadonlyArray<[name: string, use: string]> = [
  ['Sent', '\\Sent'],
  ['Drafts', '\\Drafts'],
  ['Trash', '\\Trash'],
  ['Junk', '\\Junk'],
  ['Archive', '\\Archive'],
];

export interface MailboxRow {
  id: number;
  user_id: number;
  name: string;
  folder: string;
  uidvalidity: number;
  uidnext: number;
  highest_modseq: number;
  subscribed: number;
  special_use: string | null;
  /** Kept by triggers on the message index (migration 5). */
  message_count: number;
  message_bytes: number;
  unseen_count: number;
}

export interface MessageRow {
  id: number;
  mailbox_id: number;
  uid: number;
  guid: string;
  filename: string;
  size: number;
  internal_date: number;
  flags: string;
  modseq: number;
}

export interface MailboxOwner {
  id: number;
  maildir: string;
}

export type MailboxChange =
  | { mailboxId: number; kind: 'exists'; uids: number[] }
  | { mailboxId: number; kind: 'expunge'; uids: number[] }
  | { mailboxId: number; kind: 'flags'; uids: number[] };

export interface AppendOptions {
  flags?: string[];
  internalDate?: Date;
  /** Delivered mail goes to new/ (unseen by any client); APPEND and COPY go to cur/. */
  inNew?: boolean;
}

interface PendingRow {
  mailboxId: number;
  guid: string;
  filename: string;
  size: number;
  internalDate: number;
  flags: string;
  resolve: (row: MessageRow) => void;
  reject: (error: unknown) => void;
}

export function splitFlags(flags: string): string[] {
  return flags ? flags.split(' ') : [];
}

/** IMAP name → Maildir++ folder: "Work/2024" → ".Work.2024"; dots and % inside a level are escaped. */
export function folderForName(name: string): string {
  if (name.toUpperCase() === 'INBOX') return '';
  return '.' + name.split(HIERARCHY_DELIMITER).map((level) => level.replace(/%/g, '%25').replace(/\./g, '%2E')).join('.');
}

export class MailStore {
  readonly changes = new EventEmitter();
  /** Facts about the data folder kept with the index (the meta table). */
  readonly meta: Meta;
  /** Index rows waiting for their commit; null when the next row starts a new batch. */
  private batch: PendingRow[] | null = null;
  private readonly keywords = new KeywordLetters();
  private readonly statements;

  constructor(
    private readonly db: Db,
    private readonly dataDir: string,
    /** The engine's group commit, shared with the outbound queue and the MIME cache. */
    private readonly commits = new CommitWriter(db),
  ) {
    this.changes.setMaxListeners(0);
    this.meta = new Meta(db);
    this.statements = {
      mailbox: db.prepare<[number, string]>('SELECT * FROM mailboxes WHERE user_id = ? AND name = ?'),
      mailboxById: db.prepare<[number]>('SELECT * FROM mailboxes WHERE id = ?'),
      mailboxes: db.prepare<[number]>('SELECT * FROM mailboxes WHERE user_id = ? ORDER BY name'),
      insertMailbox: db.prepare(
        'INSERT INTO mailboxes (user_id, name, folder, uidvalidity, special_use) VALUES (?, ?, ?, ?, ?) RETURNING *',
      ),
      nextUid: db.prepare<[number]>(
        'UPDATE mailboxes SET uidnext = uidnext + 1, highest_modseq = highest_modseq + 1 WHERE id = ? RETURNING uidnext - 1 AS uid, highest_modseq AS modseq',
      ),
      insertMessage: db.prepare(
        'INSERT INTO messages (mailbox_id, uid, guid, filename, size, internal_date, flags, modseq) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING *',
      ),
      /** Reserves n UIDs and n MODSEQs at once; returns the first of each. */
      reserveUids: db.prepare<[number, number, number, number, number]>(
        'UPDATE mailboxes SET uidnext = uidnext + ?, highest_modseq = highest_modseq + ? WHERE id = ? RETURNING uidnext - ? AS uid, highest_modseq - ? + 1 AS modseq',
      ),
      insertIndexed: db.prepare(
        'INSERT INTO messages (mailbox_id, uid, guid, filename, size, internal_date, flags, modseq) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
      ),
      messages: db.prepare<[number]>('SELECT * FROM messages WHERE mailbox_id = ? ORDER BY uid'),
      messageById: db.prepare<[number]>('SELECT * FROM messages WHERE id = ?'),
      deleteMessage: db.prepare<[number]>('DELETE FROM messages WHERE id = ?'),
      bumpModseq: db.prepare<[number]>(
        'UPDATE mailboxes SET highest_modseq = highest_modseq + 1 WHERE id = ? RETURNING highest_modseq AS modseq',
      ),
      updateFlags: db.prepare<[string, string, number, number]>(
        'UPDATE messages SET flags = ?, filename = ?, modseq = ? WHERE id = ?',
      ),
      usage: db.prepare<[number]>(
        'SELECT COALESCE(SUM(message_bytes), 0) AS bytes FROM mailboxes WHERE user_id = ?',
      ),
      usageOfAllUsers: db.prepare('SELECT user_id AS id, SUM(message_count) AS messages, SUM(message_bytes) AS bytes FROM mailboxes GROUP BY user_id'),
    };
  }

  // ── mailboxes ──────────────────────────────────────────────────────────────

  /** Creates INBOX and the special-use folders of a user, subscribed (idempotent). */
  ensureUserMailboxes(owner: MailboxOwner): void {
    for (const [name, use] of [['INBOX', null] as const, ...SPECIAL_MAILBOXES]) {
      if (this.getMailbox(owner.id, name)) continue;
      this.createMailbox(owner, name, use);
      this.subscribe(owner.id, name);
    }
  }

  /** A new mailbox, not subscribed: IMAP CREATE leaves that to the client (RFC 3501 §6.3.3). */
  createMailbox(owner: MailboxOwner, name: string, specialUse: string | null = null): MailboxRow {
    const existing = this.getMailbox(owner.id, name);
    if (existing) return existing;
    const folder = folderForName(name);
    const dir = folderDir(this.maildirRoot(owner), folder);
    const madeDir = folder !== '' && !fs.existsSync(dir);
    try {
      ensureMaildir(dir, folder !== '');
      const uidvalidity = this.newUidValidity();
      return this.statements.insertMailbox.get(owner.id, name, folder, uidvalidity, specialUse) as MailboxRow;
    } catch (error) {
      // a folder half made (no room for new/, say) is not left behind
      if (madeDir) fs.rmSync(dir, { recursive: true, force: true });
      throw error;
    }
  }

  /**
   * Creates the mailboxes of `names` that do not exist yet, in order (a mailbox's missing
   * parents, then itself), all or none: when one fails, those made before it are removed again.
   */
  createMailboxes(owner: MailboxOwner, names: readonly string[]): MailboxRow[] {
    const created: MailboxRow[] = [];
    try {
      for (const name of names) if (!this.getMailbox(owner.id, name)) created.push(this.createMailbox(owner, name));
    } catch (error) {
      this.removeCreated(owner, created);
      throw error;
    }
    return created;
  }

  /** Undoes createMailboxes (their folders are empty): the error that made it necessary is the one reported. */
  removeCreated(owner: MailboxOwner, created: readonly MailboxRow[]): void {
    for (const row of [...created].reverse()) {
      try {
        this.deleteMailbox(owner, row);
      } catch {
        // the caller reports the first failure
      }
    }
  }

  getMailbox(userId: number, name: string): MailboxRow | undefined {
    return this.statements.mailbox.get(userId, name.toUpperCase() === 'INBOX' ? 'INBOX' : name) as MailboxRow | undefined;
  }

  mailboxById(id: number): MailboxRow | undefined {
    return this.statements.mailboxById.get(id) as MailboxRow | undefined;
  }

  listMailboxes(userId: number): MailboxRow[] {
    return this.statements.mailboxes.all(userId) as MailboxRow[];
  }

  maildirRoot(owner: MailboxOwner): string {
    return path.join(this.dataDir, owner.maildir);
  }

  folderPath(owner: MailboxOwner, mailbox: MailboxRow): string {
    return folderDir(this.maildirRoot(owner), mailbox.folder);
  }

  /** Bytes a user's messages take, for quotas. */
  usageBytes(userId: number): number {
    return (this.statements.usage.get(userId) as { bytes: number }).bytes;
  }

  /** Messages and bytes of every user that has mailboxes, by user id. */
  usageOfAllUsers(): Map<number, { messages: number; bytes: number }> {
    const rows = this.statements.usageOfAllUsers.all() as Array<{ id: number; messages: number; bytes: number }>;
    return new Map(rows.map(({ id, messages, bytes }) => [id, { messages, bytes }]));
  }

  private lastUidValidity = 0;
  private newUidValidity(): number {
    // RFC 3501 §2.3.1.1: must change if UIDs could be reused; seconds since 2020, strictly increasing here.
    this.lastUidValidity = Math.max(this.lastUidValidity + 1, Math.floor((Date.now() - 1_577_836_800_000) / 1000));
    return this.lastUidValidity;
  }

  // ── messages ───────────────────────────────────────────────────────────────

  listMessages(mailboxId: number): MessageRow[] {
    return this.statements.messages.all(mailboxId) as MessageRow[];
  }

  messageById(id: number): MessageRow | undefined {
    return this.statements.messageById.get(id) as MessageRow | undefined;
  }

  /**
   * Stores a message durably and indexes it. Resolves only once the file is fsynced under its
   * final name and its index row is committed: the moment a 250 or an APPEND OK may be sent.
   */
  async appendMessage(owner: MailboxOwner, mailbox: MailboxRow, content: Buffer, options: AppendOptions = {}): Promise<MessageRow> {
    const flags = options.flags ?? [];
    const inNew = options.inNew ?? false;
    const folder = this.folderPath(owner, mailbox);
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
      }),
      directorySync.sync(path.join(folder, inNew ? 'new' : 'cur')),
    ]);
    return row;
  }

  /** Queues an index row; rows queued in the same turn of the event loop share one commit. */
  private index(row: Omit<PendingRow, 'resolve' | 'reject'>): Promise<MessageRow> {
    return new Promise((resolve, reject) => {
      if (this.batch) return void this.batch.push({ ...row, resolve, reject });
      const batch: PendingRow[] = (this.batch = [{ ...row, resolve, reject }]);
      this.commits
        .write(
          () => {
            if (this.batch === batch) this.batch = null;
            return this.insertBatch(batch);
          },
          { committed: (inserted) => this.announceInserted(inserted) },
        )
        .then(
          (inserted) => batch.forEach((row, i) => row.resolve(inserted[i]!)),
          (error: unknown) => batch.forEach((row) => row.reject(error)),
        );
    });
  }

  /** Inside the commit: one UPDATE per mailbox reserves the UIDs and MODSEQs of all its rows in the batch. */
  private insertBatch(batch: readonly PendingRow[]): MessageRow[] {
    const counts = new Map<number, number>();
    for (const row of batch) counts.set(row.mailboxId, (counts.get(row.mailboxId) ?? 0) + 1);
    const next = new Map<number, { uid: number; modseq: number }>();
    for (const [mailboxId, n] of counts) {
      next.set(mailboxId, this.statements.reserveUids.get(n, n, mailboxId, n, n) as { uid: number; modseq: number });
    }
    return batch.map((row): MessageRow => {
      const reserved = next.get(row.mailboxId)!;
      const { uid, modseq } = reserved;
      reserved.uid++;
      reserved.modseq++;
      const info = this.statements.insertIndexed.run(row.mailboxId, uid, row.guid, row.filename, row.size, row.internalDate, row.flags, modseq);
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
      };
    });
  }

  private announceInserted(inserted: readonly MessageRow[]): void {
    const byMailbox = new Map<number, number[]>();
    for (const row of inserted) byMailbox.set(row.mailbox_id, [...(byMailbox.get(row.mailbox_id) ?? []), row.uid]);
    for (const [mailboxId, uids] of byMailbox) this.announce({ mailboxId, kind: 'exists', uids });
  }

  /** Reads a message file; survives a concurrent flag change renaming it. */
  async readMessage(owner: MailboxOwner, mailbox: MailboxRow, message: MessageRow): Promise<Buffer> {
    const folder = this.folderPath(owner, mailbox);
    try {
      return await fsp.readFile(path.join(folder, message.filename));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      const fresh = this.messageById(message.id);
      if (!fresh) throw Object.assign(new Error('message was expunged'), { code: 'EXPUNGED' });
      return fsp.readFile(path.join(folder, fresh.filename));
    }
  }

  messagePath(owner: MailboxOwner, mailbox: MailboxRow, message: MessageRow): string {
    return path.join(this.folderPath(owner, mailbox), message.filename);
  }

  /** Replaces the flags of messages; mirrors system flags into the file names (new/ → cur/). */
  setFlags(owner: MailboxOwner, mailbox: MailboxRow, updates: Array<{ message: MessageRow; flags: string[] }>): MessageRow[] {
    const folder = this.folderPath(owner, mailbox);
    const changed: MessageRow[] = [];
    this.db.transaction(() => {
      for (const { message, flags } of updates) {
        const current = this.messageById(message.id);
        if (!current) continue;
        const flagText = flags.join(' ');
        const { base } = parseFileName(path.basename(current.filename));
        const filename = this.keywords.apply(folder, fileNameFor(base, current.size, flags, false), flags);
        if (filename !== current.filename) {
          try {
            fs.renameSync(path.join(folder, current.filename), path.join(folder, filename));
          } catch (error) {
            if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
          }
        }
        if (flagText === current.flags && filename === current.filename) continue;
        const { modseq } = this.statements.bumpModseq.get(mailbox.id) as { modseq: number };
        this.statements.updateFlags.run(flagText, filename, modseq, current.id);
        changed.push({ ...current, flags: flagText, filename, modseq });
      }
    })();
    if (changed.length) this.announce({ mailboxId: mailbox.id, kind: 'flags', uids: changed.map((m) => m.uid) });
    return changed;
  }

  /** Removes messages from the index and their files from disk. */
  expunge(owner: MailboxOwner, mailbox: MailboxRow, messages: MessageRow[]): number[] {
    const folder = this.folderPath(owner, mailbox);
    const removed: number[] = [];
    this.db.transaction(() => {
      for (const message of messages) {
        const current = this.messageById(message.id);
        if (!current) continue;
        this.statements.deleteMessage.run(current.id);
        this.statements.bumpModseq.run(mailbox.id);
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

  private announce(change: MailboxChange): void {
    this.changes.emit('change', change);
  }

  // ── IMAP: views, \Recent, subscriptions, copy/move, mailbox delete/rename ──

  private imapStatements?: ReturnType<MailStore['prepareImapStatements']>;
  private selectSummaries?: SelectSummaries;

  private prepareImapStatements() {
    const db = this.db;
    return {
      fromUid: db.prepare<[number, number]>('SELECT * FROM messages WHERE mailbox_id = ? AND uid >= ? ORDER BY uid'),
      uidRange: db.prepare<[number, number, number]>('SELECT * FROM messages WHERE mailbox_id = ? AND uid BETWEEN ? AND ? ORDER BY uid'),
      counters: db.prepare<[number]>(
        'SELECT message_count AS messages, unseen_count AS unseen, message_bytes AS size, first_recent_uid AS first FROM mailboxes WHERE id = ?',
      ),
      countFromUid: db.prepare<[number, number]>('SELECT COUNT(*) AS n FROM messages WHERE mailbox_id = ? AND uid >= ?'),
      firstRecent: db.prepare<[number]>('SELECT first_recent_uid AS first, uidnext FROM mailboxes WHERE id = ?'),
      setFirstRecent: db.prepare<[number, number]>('UPDATE mailboxes SET first_recent_uid = ? WHERE id = ?'),
      subscribe: db.prepare<[number, string]>('INSERT OR IGNORE INTO subscriptions (user_id, name) VALUES (?, ?)'),
      unsubscribe: db.prepare<[number, string]>('DELETE FROM subscriptions WHERE user_id = ? AND name = ?'),
      subscriptions: db.prepare<[number]>('SELECT name FROM subscriptions WHERE user_id = ? ORDER BY name'),
      deleteMailbox: db.prepare<[number]>('DELETE FROM mailboxes WHERE id = ?'),
      renameMailbox: db.prepare<[string, string, number]>('UPDATE mailboxes SET name = ?, folder = ? WHERE id = ?'),
    };
  }

  private get imap() {
    return (this.imapStatements ??= this.prepareImapStatements());
  }

  /** Messages with a UID of at least `uid`, in UID order (new arrivals since a view was taken). */
  messagesFromUid(mailboxId: number, uid: number): MessageRow[] {
    return this.imap.fromUid.all(mailboxId, uid) as MessageRow[];
  }

  /** Messages with UIDs from `low` to `high`, in UID order. */
  messagesInUidRange(mailboxId: number, low: number, high: number): MessageRow[] {
    return this.imap.uidRange.all(mailboxId, low, high) as MessageRow[];
  }

  private uidRangeArrays?: ReturnType<MailStore['prepareUidRangeArrays']>;

  /**
   * The same rows as messagesInUidRange, read as arrays and made into objects here: about twice
   * as fast for the thousands of rows an IMAP FETCH or SEARCH of a large mailbox reads.
   */
  messageBatch(mailboxId: number, low: number, high: number): MessageRow[] {
    this.uidRangeArrays ??= this.prepareUidRangeArrays();
    const rows: MessageRow[] = [];
    for (const r of this.uidRangeArrays.all(mailboxId, low, high) as Array<[number, number, number, string, string, number, number, string, number]>) {
      rows.push({ id: r[0], mailbox_id: r[1], uid: r[2], guid: r[3], filename: r[4], size: r[5], internal_date: r[6], flags: r[7], modseq: r[8] });
    }
    return rows;
  }

  private prepareUidRangeArrays() {
    return this.db
      .prepare<[number, number, number]>('SELECT id, mailbox_id, uid, guid, filename, size, internal_date, flags, modseq FROM messages WHERE mailbox_id = ? AND uid BETWEEN ? AND ? ORDER BY uid')
      .raw();
  }

  /** What an IMAP SELECT needs: UIDs, MODSEQs, the first unseen message, keywords (see select-summary.ts). */
  selectSummary(mailboxId: number): SelectSummary {
    return (this.selectSummaries ??= new SelectSummaries(this.db)).get(mailboxId);
  }

  /** Counts for IMAP STATUS: messages, unseen, recent (not yet claimed by a session), total size. */
  mailboxCounts(mailbox: MailboxRow): { messages: number; unseen: number; recent: number; size: number } {
    // Kept by triggers (migration 5); the recent ones are a range of the (mailbox, uid) index.
    const { messages, unseen, size, first } = this.imap.counters.get(mailbox.id) as { messages: number; unseen: number; size: number; first: number };
    const { n: recent } = this.imap.countFromUid.get(mailbox.id, first) as { n: number };
    return { messages, unseen, recent, size };
  }

  /** The UIDs still \Recent (no session has claimed them), left so: for EXAMINE (RFC 3501 §6.3.2). */
  peekRecent(mailboxId: number): { from: number; to: number } {
    const { first, uidnext } = this.imap.firstRecent.get(mailboxId) as { first: number; uidnext: number };
    return { from: first, to: uidnext };
  }

  /**
   * RFC 3501 §2.3.2 \Recent: the first session to see a message claims it. Returns the UID from
   * which messages up to `uidnext` are recent for the caller, and marks them as seen by a session.
   * On a full disk the claim cannot be written: the messages stay recent for the next session too,
   * and the mailbox still opens (its owner may be about to delete mail to make room).
   */
  claimRecent(mailboxId: number): { from: number; to: number } {
    try {
      return this.db.transaction(() => {
        const recent = this.peekRecent(mailboxId);
        if (recent.to > recent.from) this.imap.setFirstRecent.run(recent.to, mailboxId);
        return recent;
      })();
    } catch (error) {
      if (!isDiskFull(error)) throw error;
      return this.peekRecent(mailboxId);
    }
  }

  subscribe(userId: number, name: string): void {
    this.imap.subscribe.run(userId, name);
  }

  unsubscribe(userId: number, name: string): boolean {
    return this.imap.unsubscribe.run(userId, name).changes > 0;
  }

  subscriptions(userId: number): string[] {
    return (this.imap.subscriptions.all(userId) as Array<{ name: string }>).map((r) => r.name);
  }

  /**
   * Copies messages into another mailbox (a hard link of each file; a copy where links fail)
   * with new UIDs, in the order given. Durable when it resolves; announces `exists` on the target.
   */
  async copyMessages(owner: MailboxOwner, source: MailboxRow, target: MailboxRow, messages: MessageRow[]): Promise<MessageRow[]> {
    const from = this.folderPath(owner, source);
    const to = this.folderPath(owner, target);
    const placed: Array<{ message: MessageRow; filename: string; guid: string }> = [];
    try {
      for (const message of messages) {
        const current = this.messageById(message.id) ?? message;
        const { base } = parseFileName(path.basename(current.filename));
        const flags = splitFlags(current.flags);
        let guid = base;
        let filename = this.keywords.apply(to, fileNameFor(guid, current.size, flags, false), flags);
        if (fs.existsSync(path.join(to, filename)) || this.hasGuid(target.id, guid)) {
          guid = `${base}.c${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
          filename = this.keywords.apply(to, fileNameFor(guid, current.size, flags, false), flags);
        }
        const sourceFile = path.join(from, current.filename);
        try {
          await fsp.link(sourceFile, path.join(to, filename));
        } catch (error) {
          const code = (error as NodeJS.ErrnoException).code;
          if (code === 'ENOENT') throw Object.assign(new Error('message was expunged'), { code: 'EXPUNGED' });
          await fsp.copyFile(sourceFile, path.join(to, 'tmp', guid));
          const handle = await fsp.open(path.join(to, 'tmp', guid), 'r+');
          await handle.datasync().finally(() => handle.close());
          await fsp.rename(path.join(to, 'tmp', guid), path.join(to, filename));
        }
        placed.push({ message: current, filename, guid });
      }
      await directorySync.sync(path.join(to, 'cur'));
    } catch (error) {
      for (const { filename } of placed) await fsp.unlink(path.join(to, filename)).catch(() => {});
      throw error;
    }
    const rows = this.db.transaction(() =>
      placed.map(({ message, filename, guid }) => {
        const { uid, modseq } = this.statements.nextUid.get(target.id) as { uid: number; modseq: number };
        return this.statements.insertMessage.get(target.id, uid, guid, filename, message.size, message.internal_date, message.flags, modseq) as MessageRow;
      }),
    )();
    if (rows.length) this.announce({ mailboxId: target.id, kind: 'exists', uids: rows.map((r) => r.uid) });
    return rows;
  }

  private hasGuid(mailboxId: number, guid: string): boolean {
    return !!this.db.prepare('SELECT 1 FROM messages WHERE mailbox_id = ? AND guid = ?').get(mailboxId, guid);
  }

  /** MOVE (RFC 6851): copy, then expunge from the source. Returns the new rows in the order given. */
  async moveMessages(owner: MailboxOwner, source: MailboxRow, target: MailboxRow, messages: MessageRow[]): Promise<MessageRow[]> {
    const rows = await this.copyMessages(owner, source, target, messages);
    this.expunge(owner, source, messages);
    return rows;
  }

  /** Deletes a mailbox with its messages and its Maildir++ folder (children are left alone). */
  deleteMailbox(owner: MailboxOwner, mailbox: MailboxRow): void {
    if (mailbox.name === 'INBOX') throw new Error('INBOX cannot be deleted');
    const uids = this.listMessages(mailbox.id).map((m) => m.uid);
    const dir = this.folderPath(owner, mailbox);
    this.imap.deleteMailbox.run(mailbox.id);
    if (uids.length) this.announce({ mailboxId: mailbox.id, kind: 'expunge', uids });
    directorySync.forget(dir);
    if (mailbox.folder) fs.rmSync(dir, { recursive: true, force: true });
    this.keywords.forget(dir);
  }

  /**
   * Renames a mailbox and the mailboxes under it ("A" → "B" moves "A/x" to "B/x"), folders on
   * disk included; UIDVALIDITY and UIDs stay. RFC 3501 §6.3.5: renaming INBOX moves its messages
   * into a new mailbox and leaves INBOX empty (its inferiors stay where they are).
   */
  async renameMailbox(owner: MailboxOwner, mailbox: MailboxRow, newName: string): Promise<MailboxRow> {
    if (mailbox.name === 'INBOX') {
      const target = this.createMailbox(owner, newName);
      const messages = this.listMessages(mailbox.id);
      try {
        if (messages.length) await this.moveMessages(owner, mailbox, target, messages);
      } catch (error) {
        // nothing was moved (a failed copy leaves no message behind): no new mailbox either
        if (!this.listMessages(target.id).length) this.removeCreated(owner, [target]);
        throw error;
      }
      return target;
    }
    const root = this.maildirRoot(owner);
    const prefix = mailbox.name + HIERARCHY_DELIMITER;
    const affected = this.listMailboxes(owner.id).filter((m) => m.id === mailbox.id || m.name.startsWith(prefix));
    const moves = affected.map((m) => {
      const name = newName + m.name.slice(mailbox.name.length);
      return { row: m, name, folder: folderForName(name) };
    });
    const subscribed = new Set(this.subscriptions(owner.id));
    this.db.transaction(() => {
      for (const move of moves) {
        this.imap.renameMailbox.run(move.name, move.folder, move.row.id);
        this.imap.unsubscribe.run(owner.id, move.row.name);
        this.imap.subscribe.run(owner.id, move.name);
      }
    })();
    const done: Array<{ from: string; to: string; renamed: boolean }> = [];
    try {
      for (const move of moves) {
        const from = folderDir(root, move.row.folder);
        const to = folderDir(root, move.folder);
        this.keywords.forget(from);
        directorySync.forget(from);
        const renamed = fs.existsSync(from);
        if (renamed) fs.renameSync(from, to);
        else ensureMaildir(to, true);
        done.push({ from, to, renamed });
      }
    } catch (error) {
      // all or nothing: the folders moved so far go back, and so do the names
      for (const { from, to, renamed } of done.reverse()) {
        directorySync.forget(to);
        this.keywords.forget(to);
        if (renamed) fs.renameSync(to, from);
        else fs.rmSync(to, { recursive: true, force: true });
      }
      this.db.transaction(() => {
        for (const move of moves) {
          this.imap.renameMailbox.run(move.row.name, move.row.folder, move.row.id);
          if (!subscribed.has(move.name)) this.imap.unsubscribe.run(owner.id, move.name);
          if (subscribed.has(move.row.name)) this.imap.subscribe.run(owner.id, move.row.name);
        }
      })();
      throw error;
    }
    return this.mailboxById(mailbox.id)!;
  }

  // ── index ↔ files ──────────────────────────────────────────────────────────

  /**
   * Brings a mailbox's index in line with its files: indexes files nobody indexed (a crash between
   * rename and commit, or mail dropped in by another program), forgets rows whose file is gone and
   * follows files renamed by other Maildir readers. Returns what changed.
   */
  reconcile(owner: MailboxOwner, mailbox: MailboxRow): { added: number; removed: number; renamed: number } {
    const folder = this.folderPath(owner, mailbox);
    ensureMaildir(folder, mailbox.folder !== '');
    cleanTmp(folder);
    const files = new Map<string, string>();
    for (const file of listMessageFiles(folder)) files.set(parseFileName(path.basename(file)).base, file);
    const rows = this.listMessages(mailbox.id);
    const indexed = new Set(rows.map((r) => r.guid));
    let removed = 0;
    let renamed = 0;
    const added: string[] = [];
    this.db.transaction(() => {
      for (const row of rows) {
        const file = files.get(row.guid);
        if (!file) {
          this.statements.deleteMessage.run(row.id);
          removed++;
        } else if (file !== row.filename) {
          const flags = file.startsWith('cur/') ? parseFileName(path.basename(file)).flags : [];
          const keywords = splitFlags(row.flags).filter((f) => !f.startsWith('\\') && f !== '$Forwarded');
          const { modseq } = this.statements.bumpModseq.get(mailbox.id) as { modseq: number };
          this.statements.updateFlags.run([...flags, ...keywords].join(' '), file, modseq, row.id);
          renamed++;
        }
      }
      const newcomers = [...files.entries()]
        .filter(([guid]) => !indexed.has(guid))
        .map(([guid, file]) => ({ guid, file, stat: fs.statSync(path.join(folder, file)) }))
        .sort((a, b) => a.stat.mtimeMs - b.stat.mtimeMs || a.guid.localeCompare(b.guid));
      for (const { guid, file, stat } of newcomers) {
        const { uid, modseq } = this.statements.nextUid.get(mailbox.id) as { uid: number; modseq: number };
        const flags = file.startsWith('cur/') ? parseFileName(path.basename(file)).flags : [];
        this.statements.insertMessage.run(mailbox.id, uid, guid, file, stat.size, Math.floor(stat.mtimeMs), flags.join(' '), modseq);
        added.push(guid);
      }
    })();
    return { added: added.length, removed, renamed };
  }
}

// The store every protocol and the admin go through: mailboxes and messages in Maildir++ files on
// disk, indexed in SQLite (UIDs, flags, MODSEQ), and the facts kept with the index (meta). Every
// writer goes through here, and every change is announced on `changes` so that open IMAP/POP3
// sessions learn of new, changed and removed messages at once. This facade only puts the parts
// together; each does one thing:
//   mailboxes.ts      mailbox rows and folders: create, delete, rename; usage for quotas
//   messages.ts       message rows; append (durable, group commit) and expunge
//   message-files.ts  reading a message's file: whole or streamed, following renames, EXPUNGED
//   flags.ts          flags of messages, mirrored into the file names
//   copy-move.ts      COPY, MOVE, renaming INBOX
//   imap-views.ts     SELECT summaries, STATUS counts, \Recent, expunged UIDs, subscriptions
//   jmap-views.ts     JMAP: the rows of emails and threads across mailboxes, changes since a MODSEQ
//   threads.ts        which thread a new message joins (THREADID); object-ids.ts makes the ids
//   reconcile.ts      the index brought in line with the files
//   meta.ts           the meta table
//   commit-writer.ts  the one group commit (shared with the outbound queue and the MIME cache)
import { EventEmitter } from 'node:events';
import { CommitWriter } from './commit-writer.js';
import { CopyMove } from './copy-move.js';
import type { Db } from './db.js';
import { FlagWriter, type FlagUpdate } from './flags.js';
import { ImapViews, Subscriptions } from './imap-views.js';
import { JmapViews } from './jmap-views.js';
import { KeywordLetters } from './keywords.js';
import { Mailboxes } from './mailboxes.js';
import { MessageFiles } from './message-files.js';
import { Messages, type AppendOptions, type BatchHooks } from './messages.js';
import { Meta } from './meta.js';
import { reconcile, type Reconciled } from './reconcile.js';
import type { MailboxChange, MailboxListChange, MailboxOwner, MailboxRow, MessageRow } from './rows.js';
import type { SelectSummary } from './select-summary.js';
import { Threads } from './threads.js';

export { HIERARCHY_DELIMITER, folderForName } from './mailboxes.js';
export { Flags, type FlagUpdate } from './flags.js';
export type { AppendOptions, BatchHooks } from './messages.js';
export type { MailboxChange, MailboxListChange, MailboxOwner, MailboxRow, MessageRow } from './rows.js';

export class MailStore {
  readonly changes = new EventEmitter();
  /** Facts about the data folder kept with the index (the meta table). */
  readonly meta: Meta;
  /** JMAP's reads across the mailboxes of a user (jmap-views.ts). */
  readonly jmap: JmapViews;
  private readonly messages: Messages;
  private readonly mailboxes: Mailboxes;
  private readonly flags: FlagWriter;
  private readonly copyMove: CopyMove;
  private readonly views: ImapViews;
  private readonly subscriptionList: Subscriptions;

  constructor(
    private readonly db: Db,
    dataDir: string,
    /** The engine's group commit, shared with the outbound queue and the MIME cache. */
    commits = new CommitWriter(db),
  ) {
    this.changes.setMaxListeners(0);
    const announce = (change: MailboxChange) => void this.changes.emit('change', change);
    const keywords = new KeywordLetters();
    this.meta = new Meta(db);
    this.messages = new Messages(db, commits, keywords, new Threads(db), announce);
    this.subscriptionList = new Subscriptions(db);
    this.mailboxes = new Mailboxes(db, dataDir, this.messages, this.subscriptionList, keywords, announce);
    this.flags = new FlagWriter(db, this.messages, keywords, announce);
    this.copyMove = new CopyMove(db, commits, this.mailboxes, this.messages, keywords, announce);
    this.views = new ImapViews(db);
    this.jmap = new JmapViews(db);
  }

  // ── mailboxes ──────────────────────────────────────────────────────────────

  /** Creates INBOX and the special-use folders of a user, subscribed (idempotent). */
  ensureUserMailboxes(owner: MailboxOwner): void {
    this.mailboxes.ensureUserMailboxes(owner);
  }

  /** A new mailbox, not subscribed: IMAP CREATE leaves that to the client (RFC 3501 §6.3.3). */
  createMailbox(owner: MailboxOwner, name: string, specialUse: string | null = null): MailboxRow {
    const row = this.mailboxes.create(owner, name, specialUse);
    this.announceList({ userId: owner.id, kind: 'created', name: row.name });
    return row;
  }

  /** The mailboxes of `names` that did not exist, made in order, all or none; the last with `specialUse` (RFC 6154 §3). */
  createMailboxes(owner: MailboxOwner, names: readonly string[], specialUse: string | null = null): MailboxRow[] {
    const rows = this.mailboxes.createMany(owner, names, specialUse);
    for (const row of rows) this.announceList({ userId: owner.id, kind: 'created', name: row.name });
    return rows;
  }

  /** Undoes createMailboxes. */
  removeCreated(owner: MailboxOwner, created: readonly MailboxRow[]): void {
    this.mailboxes.removeCreated(owner, created);
    for (const row of created) this.announceList({ userId: owner.id, kind: 'deleted', name: row.name });
  }

  private announceList(change: MailboxListChange): void {
    this.changes.emit('mailboxes', change);
  }

  getMailbox(userId: number, name: string): MailboxRow | undefined {
    return this.mailboxes.get(userId, name);
  }

  mailboxById(id: number): MailboxRow | undefined {
    return this.mailboxes.byId(id);
  }

  listMailboxes(userId: number): MailboxRow[] {
    return this.mailboxes.list(userId);
  }

  folderPath(owner: MailboxOwner, mailbox: MailboxRow): string {
    return this.mailboxes.folderPath(owner, mailbox);
  }

  /** Deletes a mailbox with its messages and its Maildir++ folder (children are left alone). */
  deleteMailbox(owner: MailboxOwner, mailbox: MailboxRow): void {
    this.mailboxes.delete(owner, mailbox);
    this.announceList({ userId: owner.id, kind: 'deleted', name: mailbox.name });
  }

  /**
   * Renames a mailbox and the mailboxes under it, folders on disk included; UIDVALIDITY and UIDs
   * stay. RFC 3501 §6.3.5: renaming INBOX moves its messages into a new mailbox and leaves INBOX empty.
   */
  async renameMailbox(owner: MailboxOwner, mailbox: MailboxRow, newName: string): Promise<MailboxRow> {
    if (mailbox.name === 'INBOX') {
      const moved = await this.copyMove.renameInbox(owner, mailbox, newName);
      this.announceList({ userId: owner.id, kind: 'created', name: moved.name });
      return moved;
    }
    const renamed = await this.mailboxes.rename(owner, mailbox, newName);
    this.announceList({ userId: owner.id, kind: 'renamed', name: renamed.name, oldName: mailbox.name });
    return renamed;
  }

  /** Bytes a user's messages take, for quotas. */
  usageBytes(userId: number): number {
    return this.mailboxes.usageBytes(userId);
  }

  /** Messages and bytes of every user that has mailboxes, by user id. */
  usageOfAllUsers(): Map<number, { messages: number; bytes: number }> {
    return this.mailboxes.usageOfAllUsers();
  }

  // ── messages ───────────────────────────────────────────────────────────────

  listMessages(mailboxId: number): MessageRow[] {
    return this.messages.list(mailboxId);
  }

  messageById(id: number): MessageRow | undefined {
    return this.messages.byId(id);
  }

  /** Messages with a UID of at least `uid`, in UID order (new arrivals since a view was taken). */
  messagesFromUid(mailboxId: number, uid: number): MessageRow[] {
    return this.messages.fromUid(mailboxId, uid);
  }

  /** Messages with UIDs from `low` to `high`, in UID order (rows read fast, for FETCH and SEARCH). */
  messageBatch(mailboxId: number, low: number, high: number): MessageRow[] {
    return this.messages.inUidRange(mailboxId, low, high);
  }

  /**
   * Stores a message durably and indexes it. Resolves only once the file is fsynced under its
   * final name and its index row is committed: the moment a 250 or an APPEND OK may be sent.
   */
  appendMessage(owner: MailboxOwner, mailbox: MailboxRow, content: Buffer, options: AppendOptions = {}): Promise<MessageRow> {
    return this.messages.append(this.folderPath(owner, mailbox), mailbox, content, options);
  }

  /**
   * Stores several messages durably and indexes them in one transaction, in the order given (an
   * import); see BatchHooks for what the caller learns before and during the commit.
   */
  appendMessages(owner: MailboxOwner, mailbox: MailboxRow, messages: ReadonlyArray<{ content: Buffer; options?: AppendOptions }>, hooks?: BatchHooks): Promise<MessageRow[]> {
    return this.messages.appendMany(this.folderPath(owner, mailbox), mailbox, messages, hooks);
  }

  /** The message files of a mailbox: read whole or streamed, following renames, EXPUNGED when gone. */
  files(owner: MailboxOwner, mailbox: MailboxRow): MessageFiles {
    return new MessageFiles(this.folderPath(owner, mailbox), (id) => this.messages.byId(id));
  }

  /** Replaces the flags of messages; mirrors system flags into the file names (new/ → cur/). Returns the rows changed. */
  setFlags(owner: MailboxOwner, mailbox: MailboxRow, updates: readonly FlagUpdate[]): MessageRow[] {
    return this.flags.set(this.folderPath(owner, mailbox), mailbox, updates);
  }

  /** Adds `flag` to the messages that lack it (\Seen for a message read); returns the rows changed. */
  addFlag(owner: MailboxOwner, mailbox: MailboxRow, messages: readonly MessageRow[], flag: string): MessageRow[] {
    return this.flags.add(this.folderPath(owner, mailbox), mailbox, messages, flag);
  }

  /** Removes messages from the index and their files from disk. */
  expunge(owner: MailboxOwner, mailbox: MailboxRow, messages: MessageRow[]): number[] {
    return this.messages.expunge(this.folderPath(owner, mailbox), mailbox, messages);
  }

  /**
   * Copies messages into another mailbox (a hard link of each file; a copy where links fail)
   * with new UIDs, in the order given. Durable when it resolves; announces `exists` on the target.
   */
  copyMessages(owner: MailboxOwner, source: MailboxRow, target: MailboxRow, messages: MessageRow[]): Promise<MessageRow[]> {
    return this.copyMove.copy(owner, source, target, messages);
  }

  /** MOVE (RFC 6851): copy, then expunge from the source. Returns the new rows in the order given. */
  moveMessages(owner: MailboxOwner, source: MailboxRow, target: MailboxRow, messages: MessageRow[]): Promise<MessageRow[]> {
    return this.copyMove.move(owner, source, target, messages);
  }

  /**
   * Brings a mailbox's index in line with its files: indexes files nobody indexed, forgets rows
   * whose file is gone and follows files renamed by other Maildir readers. Returns what changed.
   */
  reconcile(owner: MailboxOwner, mailbox: MailboxRow): Reconciled {
    return reconcile(this.db, this.messages, this.folderPath(owner, mailbox), mailbox);
  }

  // ── IMAP: views, \Recent, subscriptions ────────────────────────────────────

  /** What an IMAP SELECT needs: UIDs, MODSEQs, the first unseen message, keywords (see select-summary.ts). */
  selectSummary(mailboxId: number): SelectSummary {
    return this.views.selectSummary(mailboxId);
  }

  /** Counts for IMAP STATUS: messages, unseen, recent (not yet claimed by a session), total size. */
  mailboxCounts(mailbox: MailboxRow): { messages: number; unseen: number; recent: number; size: number } {
    return this.views.mailboxCounts(mailbox);
  }

  /** QRESYNC (RFC 7162 §3.2.5.2): UIDs expunged after `modseq`, ascending; null when not remembered that far back. */
  expungedSince(mailbox: MailboxRow, modseq: number): number[] | null {
    return this.views.expungedSince(mailbox, modseq);
  }

  /** Messages marked \Deleted and their bytes (IMAP STATUS DELETED, DELETED-STORAGE). */
  deletedCounts(mailboxId: number): { messages: number; bytes: number } {
    return this.views.deletedCounts(mailboxId);
  }

  /** The UIDs still \Recent, left so: for EXAMINE (RFC 3501 §6.3.2). */
  peekRecent(mailboxId: number): { from: number; to: number } {
    return this.views.peekRecent(mailboxId);
  }

  /** RFC 3501 §2.3.2 \Recent: claims the messages no session has seen yet; returns the range recent for the caller. */
  claimRecent(mailboxId: number): { from: number; to: number } {
    return this.views.claimRecent(mailboxId);
  }

  subscribe(userId: number, name: string): void {
    this.subscriptionList.subscribe(userId, name);
    this.announceList({ userId, kind: 'subscribed', name });
  }

  unsubscribe(userId: number, name: string): boolean {
    const was = this.subscriptionList.unsubscribe(userId, name);
    if (was) this.announceList({ userId, kind: 'unsubscribed', name });
    return was;
  }

  subscriptions(userId: number): string[] {
    return this.subscriptionList.list(userId);
  }
}

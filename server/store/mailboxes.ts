// Mailboxes: their rows, their Maildir++ folders on disk (INBOX is the Maildir, "Work/2024" is
// ".Work.2024"), creating, deleting and renaming them, and what a user's messages take (quotas).
import fs from 'node:fs';
import path from 'node:path';
import type { Db } from './db.js';
import { directorySync } from './fsync.js';
import type { Subscriptions } from './imap-views.js';
import type { KeywordLetters } from './keywords.js';
import { ensureMaildir, folderDir } from './maildir.js';
import type { Messages } from './messages.js';
import { newObjectId } from './object-ids.js';
import type { Announce, MailboxOwner, MailboxRow } from './rows.js';

export const HIERARCHY_DELIMITER = '/';

/** Created for every user (RFC 6154 special-use attributes). */
export const SPECIAL_MAILBOXES: ReadonlyArray<[name: string, use: string]> = [
  ['Sent', '\\Sent'],
  ['Drafts', '\\Drafts'],
  ['Trash', '\\Trash'],
  ['Junk', '\\Junk'],
  ['Archive', '\\Archive'],
];

/** IMAP name → Maildir++ folder: "Work/2024" → ".Work.2024"; dots and % inside a level are escaped. */
export function folderForName(name: string): string {
  if (name.toUpperCase() === 'INBOX') return '';
  return '.' + name.split(HIERARCHY_DELIMITER).map((level) => level.replace(/%/g, '%25').replace(/\./g, '%2E')).join('.');
}

export class Mailboxes {
  private readonly statements;
  private lastUidValidity = 0;

  constructor(
    private readonly db: Db,
    private readonly dataDir: string,
    private readonly messages: Messages,
    private readonly subscriptions: Subscriptions,
    private readonly keywords: KeywordLetters,
    private readonly announce: Announce,
  ) {
    this.statements = {
      get: db.prepare<[number, string]>('SELECT * FROM mailboxes WHERE user_id = ? AND name = ?'),
      byId: db.prepare<[number]>('SELECT * FROM mailboxes WHERE id = ?'),
      list: db.prepare<[number]>('SELECT * FROM mailboxes WHERE user_id = ? ORDER BY name'),
      insert: db.prepare('INSERT INTO mailboxes (user_id, name, folder, uidvalidity, special_use, object_id) VALUES (?, ?, ?, ?, ?, ?) RETURNING *'),
      delete: db.prepare<[number]>('DELETE FROM mailboxes WHERE id = ?'),
      rename: db.prepare<[string, string, number]>('UPDATE mailboxes SET name = ?, folder = ? WHERE id = ?'),
      usage: db.prepare<[number]>('SELECT COALESCE(SUM(message_bytes), 0) AS bytes FROM mailboxes WHERE user_id = ?').pluck(),
      usageOfAllUsers: db.prepare('SELECT user_id AS id, SUM(message_count) AS messages, SUM(message_bytes) AS bytes FROM mailboxes GROUP BY user_id'),
    };
  }

  get(userId: number, name: string): MailboxRow | undefined {
    return this.statements.get.get(userId, name.toUpperCase() === 'INBOX' ? 'INBOX' : name) as MailboxRow | undefined;
  }

  byId(id: number): MailboxRow | undefined {
    return this.statements.byId.get(id) as MailboxRow | undefined;
  }

  list(userId: number): MailboxRow[] {
    return this.statements.list.all(userId) as MailboxRow[];
  }

  maildirRoot(owner: MailboxOwner): string {
    return path.join(this.dataDir, owner.maildir);
  }

  folderPath(owner: MailboxOwner, mailbox: MailboxRow): string {
    return folderDir(this.maildirRoot(owner), mailbox.folder);
  }

  /** Bytes a user's messages take, for quotas. */
  usageBytes(userId: number): number {
    return this.statements.usage.get(userId) as number;
  }

  /** Messages and bytes of every user that has mailboxes, by user id. */
  usageOfAllUsers(): Map<number, { messages: number; bytes: number }> {
    const rows = this.statements.usageOfAllUsers.all() as Array<{ id: number; messages: number; bytes: number }>;
    return new Map(rows.map(({ id, messages, bytes }) => [id, { messages, bytes }]));
  }

  /** Creates INBOX and the special-use folders of a user, subscribed (idempotent). */
  ensureUserMailboxes(owner: MailboxOwner): void {
    for (const [name, use] of [['INBOX', null] as const, ...SPECIAL_MAILBOXES]) {
      if (this.get(owner.id, name)) continue;
      this.create(owner, name, use);
      this.subscriptions.subscribe(owner.id, name);
    }
  }

  /** A new mailbox, not subscribed: IMAP CREATE leaves that to the client (RFC 3501 §6.3.3). */
  create(owner: MailboxOwner, name: string, specialUse: string | null = null): MailboxRow {
    const existing = this.get(owner.id, name);
    if (existing) return existing;
    const folder = folderForName(name);
    const dir = folderDir(this.maildirRoot(owner), folder);
    const madeDir = folder !== '' && !fs.existsSync(dir);
    try {
      ensureMaildir(dir, folder !== '');
      return this.statements.insert.get(owner.id, name, folder, this.newUidValidity(), specialUse, newObjectId('mailbox')) as MailboxRow;
    } catch (error) {
      // a folder half made (no room for new/, say) is not left behind
      if (madeDir) fs.rmSync(dir, { recursive: true, force: true });
      throw error;
    }
  }

  /**
   * Creates the mailboxes of `names` that do not exist yet, in order (a mailbox's missing
   * parents, then itself, which gets `specialUse`), all or none: when one fails, those made
   * before it are removed again.
   */
  createMany(owner: MailboxOwner, names: readonly string[], specialUse: string | null = null): MailboxRow[] {
    const created: MailboxRow[] = [];
    try {
      names.forEach((name, i) => {
        if (!this.get(owner.id, name)) created.push(this.create(owner, name, i === names.length - 1 ? specialUse : null));
      });
    } catch (error) {
      this.removeCreated(owner, created);
      throw error;
    }
    return created;
  }

  /** Undoes createMany (their folders are empty): the error that made it necessary is the one reported. */
  removeCreated(owner: MailboxOwner, created: readonly MailboxRow[]): void {
    for (const row of [...created].reverse()) {
      try {
        this.delete(owner, row);
      } catch {
        // the caller reports the first failure
      }
    }
  }

  /** Deletes a mailbox with its messages and its Maildir++ folder (children are left alone). */
  delete(owner: MailboxOwner, mailbox: MailboxRow): void {
    if (mailbox.name === 'INBOX') throw new Error('INBOX cannot be deleted');
    const uids = this.messages.list(mailbox.id).map((m) => m.uid);
    const dir = this.folderPath(owner, mailbox);
    this.statements.delete.run(mailbox.id);
    if (uids.length) this.announce({ mailboxId: mailbox.id, kind: 'expunge', uids });
    directorySync.forget(dir);
    if (mailbox.folder) fs.rmSync(dir, { recursive: true, force: true });
    this.keywords.forget(dir);
  }

  /**
   * Renames a mailbox other than INBOX and the mailboxes under it ("A" → "B" moves "A/x" to
   * "B/x"), folders on disk and subscriptions included, all or nothing; UIDVALIDITY and UIDs stay.
   */
  rename(owner: MailboxOwner, mailbox: MailboxRow, newName: string): MailboxRow {
    const root = this.maildirRoot(owner);
    const prefix = mailbox.name + HIERARCHY_DELIMITER;
    const affected = this.list(owner.id).filter((m) => m.id === mailbox.id || m.name.startsWith(prefix));
    const moves = affected.map((m) => {
      const name = newName + m.name.slice(mailbox.name.length);
      return { row: m, name, folder: folderForName(name) };
    });
    const subscribed = new Set(this.subscriptions.list(owner.id));
    this.db.transaction(() => {
      for (const move of moves) {
        this.statements.rename.run(move.name, move.folder, move.row.id);
        this.subscriptions.unsubscribe(owner.id, move.row.name);
        this.subscriptions.subscribe(owner.id, move.name);
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
          this.statements.rename.run(move.row.name, move.row.folder, move.row.id);
          if (!subscribed.has(move.name)) this.subscriptions.unsubscribe(owner.id, move.name);
          if (subscribed.has(move.row.name)) this.subscriptions.subscribe(owner.id, move.row.name);
        }
      })();
      throw error;
    }
    return this.byId(mailbox.id)!;
  }

  private newUidValidity(): number {
    // RFC 3501 §2.3.1.1: must change if UIDs could be reused; seconds since 2020, strictly increasing here.
    this.lastUidValidity = Math.max(this.lastUidValidity + 1, Math.floor((Date.now() - 1_577_836_800_000) / 1000));
    return this.lastUidValidity;
  }
}

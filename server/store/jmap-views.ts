// What JMAP reads from the index across all mailboxes of a user (an Email is every row with one
// EMAILID, in whichever mailboxes): the rows of emails and threads, and what changed in a mailbox
// after a MODSEQ — rows written (added or flags changed) and rows removed, with the ids they had.
import type { Db } from './db.js';
import type { MessageRow } from './rows.js';

export interface RemovedSince {
  /** EMAILID and THREADID of each row removed after the MODSEQ. */
  removed: Array<{ email_id: string; thread_id: string }>;
  /** Removals whose ids were not remembered (before migration 12): the history is incomplete. */
  unknown: number;
}

export class JmapViews {
  private readonly statements;

  constructor(db: Db) {
    const userRows = 'SELECT m.* FROM messages m JOIN mailboxes b ON b.id = m.mailbox_id WHERE b.user_id = ?';
    this.statements = {
      all: db.prepare<[number]>(`${userRows} ORDER BY m.internal_date DESC, m.id DESC`),
      byEmailId: db.prepare<[number, string]>(`${userRows} AND m.email_id = ? ORDER BY m.id`),
      byThreadId: db.prepare<[number, string]>(`${userRows} AND m.thread_id = ? ORDER BY m.internal_date, m.id`),
      inMailbox: db.prepare<[number]>('SELECT email_id FROM messages WHERE mailbox_id = ? ORDER BY internal_date DESC, id DESC').pluck(),
      writtenSince: db.prepare<[number, number]>('SELECT * FROM messages WHERE mailbox_id = ? AND modseq > ?'),
      removedSince: db.prepare<[number, number]>(
        'SELECT r.email_id, r.thread_id FROM expunged e LEFT JOIN removed_emails r ON r.mailbox_id = e.mailbox_id AND r.uid = e.uid WHERE e.mailbox_id = ? AND e.modseq > ?',
      ),
    };
  }

  /** Every message row of a user, newest first. */
  allRows(userId: number): MessageRow[] {
    return this.statements.all.all(userId) as MessageRow[];
  }

  /** The rows (one per mailbox it is in) of an email; none when it is not the user's. */
  emailRows(userId: number, emailId: string): MessageRow[] {
    return this.statements.byEmailId.all(userId, emailId) as MessageRow[];
  }

  /** The rows of a thread, oldest first. */
  threadRows(userId: number, threadId: string): MessageRow[] {
    return this.statements.byThreadId.all(userId, threadId) as MessageRow[];
  }

  /** The email ids of a mailbox, newest first (by receivedAt). */
  emailIdsInMailbox(mailboxId: number): string[] {
    return this.statements.inMailbox.all(mailboxId) as string[];
  }

  /** Rows of a mailbox added or changed after `modseq`. */
  writtenSince(mailboxId: number, modseq: number): MessageRow[] {
    return this.statements.writtenSince.all(mailboxId, modseq) as MessageRow[];
  }

  /** Rows of a mailbox removed after `modseq` (the caller checks the mailbox's expunges_known_from). */
  removedSince(mailboxId: number, modseq: number): RemovedSince {
    const rows = this.statements.removedSince.all(mailboxId, modseq) as Array<{ email_id: string | null; thread_id: string | null }>;
    const removed = rows.filter((r): r is { email_id: string; thread_id: string } => r.email_id !== null);
    return { removed, unknown: rows.length - removed.length };
  }
}

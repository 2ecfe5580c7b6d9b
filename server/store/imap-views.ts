// What IMAP asks of the index beyond messages: the summary a SELECT starts from, STATUS counts,
// \Recent (RFC 3501 §2.3.2: the first session to see a message claims it), the UIDs expunged
// since a MODSEQ (QRESYNC) and subscriptions.
import type { Db } from './db.js';
import { isDiskFull } from './disk-space.js';
import type { MailboxRow } from './rows.js';
import { SelectSummaries, type SelectSummary } from './select-summary.js';

export class ImapViews {
  private readonly summaries: SelectSummaries;
  private readonly statements;

  constructor(private readonly db: Db) {
    this.summaries = new SelectSummaries(db);
    this.statements = {
      counters: db.prepare<[number]>(
        'SELECT message_count AS messages, unseen_count AS unseen, message_bytes AS size, first_recent_uid AS first FROM mailboxes WHERE id = ?',
      ),
      countFromUid: db.prepare<[number, number]>('SELECT COUNT(*) AS n FROM messages WHERE mailbox_id = ? AND uid >= ?'),
      firstRecent: db.prepare<[number]>('SELECT first_recent_uid AS first, uidnext FROM mailboxes WHERE id = ?'),
      setFirstRecent: db.prepare<[number, number]>('UPDATE mailboxes SET first_recent_uid = ? WHERE id = ?'),
      expungedSince: db.prepare<[number, number]>('SELECT uid FROM expunged WHERE mailbox_id = ? AND modseq > ? ORDER BY uid').pluck(),
      deleted: db.prepare<[number]>(
        "SELECT COUNT(*) AS messages, COALESCE(SUM(size), 0) AS bytes FROM messages WHERE mailbox_id = ? AND instr(' ' || lower(flags) || ' ', ' \\deleted ') > 0",
      ),
    };
  }

  /** What an IMAP SELECT needs: UIDs, MODSEQs, the first unseen message, keywords (see select-summary.ts). */
  selectSummary(mailboxId: number): SelectSummary {
    return this.summaries.get(mailboxId);
  }

  /** Counts for IMAP STATUS: messages, unseen, recent (not yet claimed by a session), total size. */
  mailboxCounts(mailbox: MailboxRow): { messages: number; unseen: number; recent: number; size: number } {
    // Kept by triggers (migration 5); the recent ones are a range of the (mailbox, uid) index.
    const { messages, unseen, size, first } = this.statements.counters.get(mailbox.id) as { messages: number; unseen: number; size: number; first: number };
    const { n: recent } = this.statements.countFromUid.get(mailbox.id, first) as { n: number };
    return { messages, unseen, recent, size };
  }

  /** Messages marked \Deleted and their bytes (STATUS DELETED, DELETED-STORAGE). */
  deletedCounts(mailboxId: number): { messages: number; bytes: number } {
    return this.statements.deleted.get(mailboxId) as { messages: number; bytes: number };
  }

  /** The UIDs still \Recent (no session has claimed them), left so: for EXAMINE (RFC 3501 §6.3.2). */
  peekRecent(mailboxId: number): { from: number; to: number } {
    const { first, uidnext } = this.statements.firstRecent.get(mailboxId) as { first: number; uidnext: number };
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
        if (recent.to > recent.from) this.statements.setFirstRecent.run(recent.to, mailboxId);
        return recent;
      })();
    } catch (error) {
      if (!isDiskFull(error)) throw error;
      return this.peekRecent(mailboxId);
    }
  }

  /**
   * RFC 7162 §3.2.5.2: the UIDs expunged from a mailbox after `modseq`, ascending; null when
   * expunges that far back are not remembered (before migration 7), and the caller must assume
   * that any UID it cannot find may have been expunged.
   */
  expungedSince(mailbox: Pick<MailboxRow, 'id' | 'expunges_known_from'>, modseq: number): number[] | null {
    if (modseq < mailbox.expunges_known_from) return null;
    return this.statements.expungedSince.all(mailbox.id, modseq) as number[];
  }
}

/** The mailbox names a user subscribed to (RFC 3501 §6.3.6), whether they exist or not. */
export class Subscriptions {
  private readonly statements;

  constructor(db: Db) {
    this.statements = {
      subscribe: db.prepare<[number, string]>('INSERT OR IGNORE INTO subscriptions (user_id, name) VALUES (?, ?)'),
      unsubscribe: db.prepare<[number, string]>('DELETE FROM subscriptions WHERE user_id = ? AND name = ?'),
      list: db.prepare<[number]>('SELECT name FROM subscriptions WHERE user_id = ? ORDER BY name').pluck(),
    };
  }

  subscribe(userId: number, name: string): void {
    this.statements.subscribe.run(userId, name);
  }

  unsubscribe(userId: number, name: string): boolean {
    return this.statements.unsubscribe.run(userId, name).changes > 0;
  }

  list(userId: number): string[] {
    return this.statements.list.all(userId) as string[];
  }
}

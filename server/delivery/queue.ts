// The outbound queue: mail accepted for other domains waits here (message file + one row per
// recipient) until outbound delivery sends, retries or bounces it. Durable like local delivery.
// Local recipients whose copy could not be written while the message's other copies were wait
// here too, and the worker retries them by local delivery.
// An entry leaves the queue only when every recipient is delivered, or bounced/expired with the
// sender told (or the sender is the null sender). Queue control (list, retry, delete) is here so
// that the CLI, the admin API and the worker share one implementation over the database.
import crypto from 'node:crypto';
import { EventEmitter } from 'node:events';
import fs from 'node:fs';
import path from 'node:path';
import { CommitWriter } from '../store/commit-writer.js';
import type { Db } from '../store/db.js';
import { directorySync } from '../store/fsync.js';
import { writeMessageFile } from '../store/maildir.js';

/** pending: waiting for (another) attempt; the others are final. */
export type RecipientStatus = 'pending' | 'delivered' | 'bounced' | 'expired';

export interface QueueRecipient {
  recipient: string;
  status: RecipientStatus;
  attempts: number;
  next_attempt_at: number;
  last_attempt_at: number | null;
  /** The last answer: the remote server's reply, or what went wrong (connection, DNS). */
  last_response: string | null;
  /** Enhanced status code of the last answer (RFC 3463), e.g. 4.4.1 or 5.1.1. */
  status_code: string | null;
  /** The server that gave the last answer, e.g. "mx.example.org[192.0.2.1]:25". */
  remote_host: string | null;
  finished_at: number | null;
  dsn_sent_at: number | null;
  warned_at: number | null;
}

export interface QueueEntry {
  id: string;
  sender: string;
  file: string;
  size: number;
  created_at: number;
  recipients: QueueRecipient[];
}

export interface DueRecipient {
  queue_id: string;
  recipient: string;
  /** Attempts made so far. */
  attempts: number;
  sender: string;
  file: string;
  created_at: number;
}

/** The result of one attempt for one recipient, as the worker records it. */
export interface AttemptRecord {
  recipient: string;
  status: RecipientStatus;
  nextAttemptAt: number;
  response: string;
  statusCode: string;
  remoteHost: string | null;
}

/** Emitted as 'change' for the window's Queue page (and tests). */
export type QueueChange =
  | { kind: 'queued'; id: string }
  | { kind: 'retry'; id: string }
  | { kind: 'attempt'; id: string; at: number; results: AttemptRecord[] }
  | { kind: 'removed'; id: string; reason: 'done' | 'deleted' };

export class QueueError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'QueueError';
  }
}

/** Removals of finished entries are committed together, at most this much later. */
const REMOVAL_BATCH_MS = 100;

export class OutboundQueue extends EventEmitter {
  private readonly dir: string;
  private readonly q;
  /** Files written before this moment belong to an earlier run of the engine. */
  private readonly openedAt = Date.now();

  constructor(
    private readonly db: Db,
    dataDir: string,
    /** The engine's group commit (the CLI's queue commands write alone). */
    private readonly commits = new CommitWriter(db),
  ) {
    super();
    this.setMaxListeners(0);
    this.dir = path.join(dataDir, 'queue');
    fs.mkdirSync(path.join(this.dir, 'tmp'), { recursive: true, mode: 0o700 });
    this.q = {
      entry: db.prepare<[string]>('SELECT * FROM queue WHERE id = ?'),
      entries: db.prepare('SELECT * FROM queue ORDER BY created_at, id'),
      recipients: db.prepare<[string]>('SELECT * FROM queue_recipients WHERE queue_id = ? ORDER BY recipient'),
      due: db.prepare<[number, number]>(
        `SELECT r.queue_id, r.recipient, r.attempts, q.sender, q.file, q.created_at FROM queue_recipients r JOIN queue q ON q.id = r.queue_id
          WHERE r.status = 'pending' AND r.next_attempt_at <= ? ORDER BY r.next_attempt_at LIMIT ?`,
      ),
      nextDue: db.prepare<[number]>("SELECT MIN(next_attempt_at) AS at FROM queue_recipients WHERE status = 'pending' AND next_attempt_at > ?"),
      retry: db.prepare<[number, string]>("UPDATE queue_recipients SET next_attempt_at = ? WHERE queue_id = ? AND status = 'pending'"),
      record: db.prepare(
        `UPDATE queue_recipients SET status = @status, attempts = attempts + 1, next_attempt_at = @nextAttemptAt,
           last_attempt_at = @now, last_response = @response, status_code = @statusCode, remote_host = @remoteHost,
           finished_at = CASE WHEN @status = 'pending' THEN NULL ELSE @now END
         WHERE queue_id = @id AND recipient = @recipient AND status = 'pending'`,
      ),
      unnotified: db.prepare<[string]>(
        "SELECT * FROM queue_recipients WHERE queue_id = ? AND status IN ('bounced', 'expired') AND dsn_sent_at IS NULL ORDER BY recipient",
      ),
      entriesToFinish: db.prepare(
        `SELECT DISTINCT queue_id FROM queue_recipients
          WHERE status IN ('bounced', 'expired') AND dsn_sent_at IS NULL
         UNION SELECT id FROM queue WHERE NOT EXISTS (SELECT 1 FROM queue_recipients WHERE queue_id = queue.id AND status = 'pending')`,
      ),
      markNotified: db.prepare<[number, string, string]>('UPDATE queue_recipients SET dsn_sent_at = ? WHERE queue_id = ? AND recipient = ?'),
      markWarned: db.prepare<[number, string, string]>('UPDATE queue_recipients SET warned_at = ? WHERE queue_id = ? AND recipient = ?'),
      unfinished: db.prepare<[string]>(
        "SELECT COUNT(*) AS n FROM queue_recipients WHERE queue_id = ? AND (status = 'pending' OR (status IN ('bounced', 'expired') AND dsn_sent_at IS NULL))",
      ),
      insertEntry: db.prepare<[string, string, string, number, number]>('INSERT INTO queue (id, sender, file, size, created_at) VALUES (?, ?, ?, ?, ?)'),
      insertRecipient: db.prepare<[string, string, number]>('INSERT INTO queue_recipients (queue_id, recipient, next_attempt_at) VALUES (?, ?, ?)'),
      deleteEntry: db.prepare<[string]>('DELETE FROM queue WHERE id = ?'),
      deleteRecipients: db.prepare<[string]>('DELETE FROM queue_recipients WHERE queue_id = ?'),
    };
  }

  /** Stores the message and its recipients; resolves once both are on disk. */
  async enqueue(sender: string, recipients: string[], content: Buffer): Promise<string> {
    const id = `${Date.now().toString(36)}${crypto.randomBytes(5).toString('hex')}`.toUpperCase();
    // tmp/ID → durable write → ID.eml, as a Maildir file; then the row, which makes it an entry.
    await writeMessageFile(this.dir, content, id, `${id}.eml`);
    await directorySync.sync(this.dir);
    const now = Date.now();
    await this.write(() => {
      this.q.insertEntry.run(id, sender, `${id}.eml`, content.length, now);
      for (const recipient of new Set(recipients)) this.q.insertRecipient.run(id, recipient, now);
    });
    this.announce({ kind: 'queued', id });
    return id;
  }

  // ── queue control: CLI `lanpost queue`, the admin API's Queue page ─────────

  /** Every entry with each recipient's state, next attempt, attempts and last answer; oldest first. */
  list(): QueueEntry[] {
    const entries = this.q.entries.all() as Omit<QueueEntry, 'recipients'>[];
    return entries.map((entry) => ({ ...entry, recipients: this.q.recipients.all(entry.id) as QueueRecipient[] }));
  }

  get(id: string): QueueEntry | undefined {
    const entry = this.q.entry.get(id) as Omit<QueueEntry, 'recipients'> | undefined;
    return entry && { ...entry, recipients: this.q.recipients.all(entry.id) as QueueRecipient[] };
  }

  /** Makes the entry's waiting recipients due now (Postfix `postqueue -i`); returns how many. */
  retry(id: string, now = Date.now()): number {
    if (!this.q.entry.get(id)) throw new QueueError(`no queue entry ${id}`);
    const changed = this.q.retry.run(now, id).changes;
    this.announce({ kind: 'retry', id });
    return changed;
  }

  /** Removes the entry and its file without telling the sender (Postfix `postsuper -d`). */
  delete(id: string): void {
    const entry = this.q.entry.get(id) as Omit<QueueEntry, 'recipients'> | undefined;
    if (!entry) throw new QueueError(`no queue entry ${id}`);
    this.remove(entry, 'deleted');
  }

  messagePath(entry: Pick<QueueEntry, 'file'>): string {
    return path.join(this.dir, entry.file);
  }

  // ── for the worker ─────────────────────────────────────────────────────────

  /** Recipients due for an attempt, oldest first, with what the worker needs of their entry. */
  due(now: number, limit: number): DueRecipient[] {
    return this.q.due.all(now, limit) as DueRecipient[];
  }

  /** When the next recipient waiting beyond `now` is due (ms), or null when none waits. */
  nextDueAfter(now: number): number | null {
    return (this.q.nextDue.get(now) as { at: number | null }).at;
  }

  /** Records one attempt's results; rows no longer pending (deleted meanwhile) are left alone. */
  async recordAttempt(id: string, results: AttemptRecord[], now = Date.now()): Promise<void> {
    await this.write(() => {
      for (const result of results) this.q.record.run({ id, now, ...result });
    }, false);
    this.announce({ kind: 'attempt', id, at: now, results });
  }

  /** Bounced or expired recipients whose sender has not been told yet. */
  unnotifiedFailures(id: string): QueueRecipient[] {
    return this.q.unnotified.all(id) as QueueRecipient[];
  }

  markNotified(id: string, recipients: string[], now = Date.now()): Promise<void> {
    return this.write(() => recipients.forEach((r) => this.q.markNotified.run(now, id, r)), false);
  }

  markWarned(id: string, recipients: string[], now = Date.now()): Promise<void> {
    return this.write(() => recipients.forEach((r) => this.q.markWarned.run(now, id, r)), false);
  }

  /** Entries with a sender still to be told, or nothing left to do (after a crash, say). */
  entriesToFinish(): string[] {
    return (this.q.entriesToFinish.all() as Array<{ queue_id: string }>).map((row) => row.queue_id);
  }

  /** Removes the entry once nothing is left to do for it; returns whether it did. */
  async finishIfDone(id: string): Promise<boolean> {
    let done: Omit<QueueEntry, 'recipients'> | undefined;
    await this.write(() => {
      const entry = this.q.entry.get(id) as Omit<QueueEntry, 'recipients'> | undefined;
      if (!entry || (this.q.unfinished.get(id) as { n: number }).n > 0) return;
      this.deleteRows(entry.id);
      done = entry;
    }, true, REMOVAL_BATCH_MS);
    if (!done) return false;
    // Already gone is fine; a file that cannot be removed now is an orphan the next start removes.
    await fs.promises.unlink(this.messagePath(done)).catch(() => {});
    this.announce({ kind: 'removed', id, reason: 'done' });
    return true;
  }

  /**
   * Message files no row refers to, left by a crash between the two steps of enqueue (file, then
   * row: never acknowledged) or of removal (row, then file). Only files from before this queue was
   * opened count: an enqueue of this run may be between its two steps right now.
   */
  removeOrphanFiles(): number {
    let removed = 0;
    const known = new Set((this.db.prepare('SELECT file FROM queue').all() as Array<{ file: string }>).map((r) => r.file));
    const sweep = (dir: string, isOrphan: (name: string) => boolean) => {
      for (const name of fs.readdirSync(dir)) {
        const file = path.join(dir, name);
        try {
          const stat = fs.statSync(file);
          if (stat.isFile() && isOrphan(name) && stat.mtimeMs < this.openedAt) {
            fs.unlinkSync(file);
            removed++;
          }
        } catch {
          // gone meanwhile
        }
      }
    };
    sweep(this.dir, (name) => name.endsWith('.eml') && !known.has(name));
    sweep(path.join(this.dir, 'tmp'), () => true);
    return removed;
  }

  private remove(entry: Omit<QueueEntry, 'recipients'>, reason: 'done' | 'deleted'): void {
    this.db.transaction(() => this.deleteRows(entry.id))();
    fs.rmSync(this.messagePath(entry), { force: true });
    this.announce({ kind: 'removed', id: entry.id, reason });
  }

  private deleteRows(id: string): void {
    this.q.deleteRecipients.run(id);
    this.q.deleteEntry.run(id);
  }

  /**
   * Through the engine's group commit (CommitWriter). A durable write resolves once on disk: a new
   * entry (the sender is told 250 next) at once, a removal (its file is deleted next, so a power
   * cut cannot bring back rows without their file) within REMOVAL_BATCH_MS. The worker's
   * bookkeeping (attempts, reports sent) is written without an fsync of its own and becomes durable
   * with the next durable commit (WAL order): a power cut can only make the worker send or report
   * something twice, never lose a message (at-least-once, as Postfix).
   */
  private write(run: () => void, durable = true, withinMs = 0): Promise<void> {
    return this.commits.write(run, { durable, withinMs });
  }

  private announce(change: QueueChange): void {
    this.emit('change', change);
  }
}

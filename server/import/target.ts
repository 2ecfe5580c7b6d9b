// Where imported mail goes: the mailboxes of one local user (made as needed, with their parents,
// subscribed), the messages stored as the store stores any (durably, UIDs by the store, in the
// order of the source) with their flags and received dates, a batch at a time, and with a
// checkpoint committed in the same transaction as the batch's index rows: a second run starts
// after the last message imported and never brings one in twice.
import path from 'node:path';
import type { User } from '../accounts/accounts.js';
import { invalidMailboxName, normalizeMailboxName } from '../imap/mailbox-names.js';
import { parseFileName } from '../store/maildir.js';
import { HIERARCHY_DELIMITER, type AppendOptions, type MailboxRow, type MailStore } from '../store/mailstore.js';

/** A batch is stored once it holds this many messages, or this many bytes. */
const BATCH_MESSAGES = 200;
const BATCH_BYTES = 16 * 1024 * 1024;

interface Batch {
  mailbox: MailboxRow;
  source: string;
  messages: Array<{ content: Buffer; options: AppendOptions }>;
  bytes: number;
  /** The position after the batch's last message in its source. */
  checkpoint: string;
}

export class ImportError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ImportError';
  }
}

export interface ImportedMessage {
  content: Buffer;
  flags: string[];
  internalDate: Date;
  /** Unseen by any client yet: stays in new/. */
  isNew?: boolean;
}

/** What one folder's import did. */
export interface FolderSummary {
  source: string;
  mailbox: string;
  imported: number;
  /** Imported by an earlier run. */
  skipped: number;
  bytes: number;
}

export class ImportTarget {
  private batch: Batch | null = null;

  constructor(
    private readonly store: MailStore,
    readonly user: User,
  ) {}

  /** The mailbox called `name` (modified UTF-7, "/" between levels), made with its parents if missing. */
  mailbox(name: string): MailboxRow {
    const normalized = normalizeMailboxName(name);
    const existing = this.store.getMailbox(this.user.id, normalized);
    if (existing) return existing;
    const problem = invalidMailboxName(normalized);
    if (problem) throw new ImportError(`cannot make the mailbox ${JSON.stringify(name)}: ${problem.text}`);
    const levels = normalized.split(HIERARCHY_DELIMITER);
    const names = levels.map((_, i) => levels.slice(0, i + 1).join(HIERARCHY_DELIMITER));
    for (const made of this.store.createMailboxes(this.user, names)) this.store.subscribe(this.user.id, made.name);
    return this.store.getMailbox(this.user.id, normalized)!;
  }

  /** Where the import of `source` got to in an earlier run (set by `append`). */
  checkpoint(source: string): string | undefined {
    return this.store.meta.get(this.checkpointKey(source));
  }

  /**
   * Queues one message of `source` for `mailbox`; `checkpoint` is the position after it in the
   * source. A full batch is stored at once; call `flush` at the end of a source.
   */
  async append(mailbox: MailboxRow, message: ImportedMessage, source: string, checkpoint: string): Promise<void> {
    if (this.batch && (this.batch.mailbox.id !== mailbox.id || this.batch.source !== source)) await this.flush();
    this.batch ??= { mailbox, source, messages: [], bytes: 0, checkpoint };
    const content = withCrlf(message.content);
    this.batch.messages.push({ content, options: { flags: message.isNew ? [] : message.flags, internalDate: message.internalDate, inNew: !!message.isNew } });
    this.batch.bytes += content.length;
    this.batch.checkpoint = checkpoint;
    if (this.batch.messages.length >= BATCH_MESSAGES || this.batch.bytes >= BATCH_BYTES) await this.flush();
  }

  /**
   * Stores the messages queued, with their source's checkpoint in the same transaction. The files
   * about to be written are noted first, so that the files of a batch cut short by a crash (written,
   * never indexed) can be taken away again by the next run (`recover`) instead of turning up twice.
   */
  async flush(): Promise<void> {
    const batch = this.batch;
    this.batch = null;
    if (!batch) return;
    const key = this.checkpointKey(batch.source);
    await this.store.appendMessages(this.user, batch.mailbox, batch.messages, {
      planned: (files) => this.store.meta.set(this.pendingKey(), JSON.stringify({ mailboxId: batch.mailbox.id, files })),
      alongside: () => {
        this.store.meta.set(key, batch.checkpoint);
        this.store.meta.set(this.pendingKey(), '');
      },
    });
  }

  /** Takes away what an earlier run cut short left: the files of its last batch, never indexed (or indexed since by a start of the engine). */
  recover(): number {
    const pending = this.store.meta.get(this.pendingKey());
    if (!pending) return 0;
    const { mailboxId, files } = JSON.parse(pending) as { mailboxId: number; files: string[] };
    const mailbox = this.store.mailboxById(mailboxId);
    let removed = 0;
    if (mailbox) {
      this.store.reconcile(this.user, mailbox);
      const bases = new Set(files.map((file) => parseFileName(path.basename(file)).base));
      const leftovers = this.store.listMessages(mailbox.id).filter((row) => bases.has(row.guid));
      removed = this.store.expunge(this.user, mailbox, leftovers).length;
    }
    this.store.meta.set(this.pendingKey(), '');
    return removed;
  }

  private pendingKey(): string {
    return `import:${this.user.id}:pending`;
  }

  private checkpointKey(source: string): string {
    return `import:${this.user.id}:${source}`;
  }
}

/** Mail is served with CRLF line ends (RFC 5322 §2.1): Maildir and mbox files often have bare LFs. */
export function withCrlf(content: Buffer): Buffer {
  let bare = 0;
  for (let i = content.indexOf(10); i >= 0; i = content.indexOf(10, i + 1)) if (i === 0 || content[i - 1] !== 13) bare++;
  if (!bare) return content;
  const out = Buffer.allocUnsafe(content.length + bare);
  let o = 0;
  for (let i = 0; i < content.length; i++) {
    const byte = content[i]!;
    if (byte === 10 && (i === 0 || content[i - 1] !== 13)) out[o++] = 13;
    out[o++] = byte;
  }
  return out;
}

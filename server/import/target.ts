// Where imported mail goes: the mailboxes of one local user (made as needed, with their parents,
// subscribed), each message stored as the store stores any (durably, UID by the store) with its
// flags and received date, and with a checkpoint committed in the same transaction as its index
// row: a second run starts after the last message imported and never brings one in twice.
import type { User } from '../accounts/accounts.js';
import { invalidMailboxName, normalizeMailboxName } from '../imap/mailbox-names.js';
import { HIERARCHY_DELIMITER, type MailboxRow, type MailStore } from '../store/mailstore.js';

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

  /** Stores one message; `checkpoint` (the position after it in `source`) is committed with its index row. */
  async append(mailbox: MailboxRow, message: ImportedMessage, source: string, checkpoint: string): Promise<void> {
    const key = this.checkpointKey(source);
    await this.store.appendMessage(this.user, mailbox, withCrlf(message.content), {
      flags: message.isNew ? [] : message.flags,
      internalDate: message.internalDate,
      inNew: !!message.isNew,
      alongside: () => this.store.meta.set(key, checkpoint),
    });
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

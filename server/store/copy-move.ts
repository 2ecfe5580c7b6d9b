// COPY and MOVE between mailboxes (RFC 3501 §6.4.7, RFC 6851): a hard link of each file (a copy
// where links fail), new UIDs in the target in the order given; and renaming INBOX, which moves its
// messages into a new mailbox (RFC 3501 §6.3.5).
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import type { CommitWriter } from './commit-writer.js';
import type { Db } from './db.js';
import { Flags } from './flags.js';
import { directorySync } from './fsync.js';
import type { KeywordLetters } from './keywords.js';
import type { Mailboxes } from './mailboxes.js';
import { fileNameFor, parseFileName } from './maildir.js';
import { expungedError } from './message-files.js';
import type { Messages } from './messages.js';
import type { Announce, MailboxOwner, MailboxRow, MessageRow } from './rows.js';

export class CopyMove {
  constructor(
    private readonly db: Db,
    private readonly commits: CommitWriter,
    private readonly mailboxes: Mailboxes,
    private readonly messages: Messages,
    private readonly keywords: KeywordLetters,
    private readonly announce: Announce,
  ) {}

  /**
   * Copies messages into another mailbox (a hard link of each file; a copy where links fail)
   * with new UIDs, in the order given. Durable when it resolves; announces `exists` on the target.
   */
  async copy(owner: MailboxOwner, source: MailboxRow, target: MailboxRow, messages: readonly MessageRow[]): Promise<MessageRow[]> {
    const from = this.mailboxes.folderPath(owner, source);
    const to = this.mailboxes.folderPath(owner, target);
    const placed: Array<{ message: MessageRow; filename: string; guid: string }> = [];
    try {
      for (const message of messages) {
        const current = this.messages.byId(message.id) ?? message;
        const { base } = parseFileName(path.basename(current.filename));
        const flags = Flags.of(current).list;
        let guid = base;
        let filename = this.keywords.apply(to, fileNameFor(guid, current.size, flags, false), flags);
        if (fs.existsSync(path.join(to, filename)) || this.messages.hasGuid(target.id, guid)) {
          guid = `${base}.c${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
          filename = this.keywords.apply(to, fileNameFor(guid, current.size, flags, false), flags);
        }
        const sourceFile = path.join(from, current.filename);
        try {
          await fsp.link(sourceFile, path.join(to, filename));
        } catch (error) {
          const code = (error as NodeJS.ErrnoException).code;
          if (code === 'ENOENT') throw expungedError();
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
      this.messages.insert(
        placed.map(({ message, filename, guid }) => ({
          mailboxId: target.id,
          guid,
          filename,
          size: message.size,
          internalDate: message.internal_date,
          flags: message.flags,
          objectIds: { emailId: message.email_id, threadId: message.thread_id },
        })),
      ),
    )();
    if (rows.length) this.announce({ mailboxId: target.id, kind: 'exists', uids: rows.map((r) => r.uid) });
    // The COPY OK (and MOVE's expunge of the originals) only once the new rows are on the disk.
    await this.commits.durable();
    return rows;
  }

  /** MOVE (RFC 6851): copy, then expunge from the source. Returns the new rows in the order given. */
  async move(owner: MailboxOwner, source: MailboxRow, target: MailboxRow, messages: readonly MessageRow[]): Promise<MessageRow[]> {
    const rows = await this.copy(owner, source, target, messages);
    this.messages.expunge(this.mailboxes.folderPath(owner, source), source, messages);
    return rows;
  }

  /** RFC 3501 §6.3.5: renaming INBOX moves its messages into a new mailbox and leaves INBOX empty (its inferiors stay). */
  async renameInbox(owner: MailboxOwner, inbox: MailboxRow, newName: string): Promise<MailboxRow> {
    const target = this.mailboxes.create(owner, newName);
    const messages = this.messages.list(inbox.id);
    try {
      if (messages.length) await this.move(owner, inbox, target, messages);
    } catch (error) {
      // nothing was moved (a failed copy leaves no message behind): no new mailbox either
      if (!this.messages.list(target.id).length) this.mailboxes.removeCreated(owner, [target]);
      throw error;
    }
    return target;
  }
}

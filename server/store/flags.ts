// Flags of messages: the index keeps them (with a new MODSEQ at every change) and the Maildir file
// name mirrors the system flags and the keywords' letters, as Dovecot and mutt read them (a flag
// change renames the file, new/ → cur/).
import fs from 'node:fs';
import path from 'node:path';
import type { Db } from './db.js';
import type { KeywordLetters } from './keywords.js';
import { fileNameFor, parseFileName } from './maildir.js';
import type { Messages } from './messages.js';
import type { Announce, MailboxRow, MessageRow } from './rows.js';

export function splitFlags(flags: string): string[] {
  return flags ? flags.split(' ') : [];
}

export class FlagWriter {
  constructor(
    private readonly db: Db,
    private readonly messages: Messages,
    private readonly keywords: KeywordLetters,
    private readonly announce: Announce,
  ) {}

  /** Replaces the flags of messages in `folder`; mirrors system flags into the file names (new/ → cur/). */
  set(folder: string, mailbox: MailboxRow, updates: ReadonlyArray<{ message: MessageRow; flags: string[] }>): MessageRow[] {
    const changed: MessageRow[] = [];
    this.db.transaction(() => {
      for (const { message, flags } of updates) {
        const current = this.messages.byId(message.id);
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
        const modseq = this.messages.update(current, flagText, filename);
        changed.push({ ...current, flags: flagText, filename, modseq });
      }
    })();
    if (changed.length) this.announce({ mailboxId: mailbox.id, kind: 'flags', uids: changed.map((m) => m.uid) });
    return changed;
  }
}

// Flags of messages: a value type for them, and their changes. The index keeps a message's flags as
// the text of the list, space-separated (with a new MODSEQ at every change), and the Maildir file
// name mirrors the system flags and the keywords' letters, as Dovecot and mutt read them (a flag
// change renames the file, new/ → cur/).
import fs from 'node:fs';
import path from 'node:path';
import type { Db } from './db.js';
import type { KeywordLetters } from './keywords.js';
import { fileNameFor, parseFileName } from './maildir.js';
import type { Messages } from './messages.js';
import type { Announce, MailboxRow, MessageRow } from './rows.js';

/**
 * The flags of a message as a value: system flags (\Seen, \Answered, …; RFC 3501 §2.3.2) and
 * keywords, compared case-insensitively, each once (the first spelling kept).
 */
export class Flags {
  static readonly none = new Flags([]);

  private constructor(readonly list: readonly string[]) {}

  /** A message's flags, from its index row. */
  static of(row: Pick<MessageRow, 'flags'>): Flags {
    return row.flags ? new Flags(row.flags.split(' ')) : Flags.none;
  }

  static from(flags: Iterable<string>): Flags {
    return Flags.none.with(flags);
  }

  /** As the index keeps them (and FLAGS (…) shows them). */
  get text(): string {
    return this.list.join(' ');
  }

  /** The keywords: every flag but the system ones. */
  get keywords(): string[] {
    return this.list.filter((flag) => !flag.startsWith('\\'));
  }

  has(flag: string): boolean {
    const lower = flag.toLowerCase();
    return this.list.some((f) => f.toLowerCase() === lower);
  }

  /** These flags and `added` (those not here yet, in their order). */
  with(added: Iterable<string>): Flags {
    const list = [...this.list];
    const have = new Set(list.map((f) => f.toLowerCase()));
    for (const flag of added) {
      if (have.has(flag.toLowerCase())) continue;
      have.add(flag.toLowerCase());
      list.push(flag);
    }
    return new Flags(list);
  }

  without(removed: Iterable<string>): Flags {
    const drop = new Set([...removed].map((f) => f.toLowerCase()));
    return new Flags(this.list.filter((f) => !drop.has(f.toLowerCase())));
  }
}

/** A message's new flags. */
export interface FlagUpdate {
  message: MessageRow;
  flags: Flags;
}

export class FlagWriter {
  constructor(
    private readonly db: Db,
    private readonly messages: Messages,
    private readonly keywords: KeywordLetters,
    private readonly announce: Announce,
  ) {}

  /** Replaces the flags of messages in `folder`; mirrors system flags into the file names (new/ → cur/). */
  set(folder: string, mailbox: MailboxRow, updates: ReadonlyArray<FlagUpdate>): MessageRow[] {
    const changed: MessageRow[] = [];
    this.db.transaction(() => {
      for (const { message, flags } of updates) {
        const current = this.messages.byId(message.id);
        if (!current) continue;
        const flagText = flags.text;
        const { base } = parseFileName(path.basename(current.filename));
        const filename = this.keywords.apply(folder, fileNameFor(base, current.size, flags.list, false), flags.list);
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

  /** Adds `flag` to the messages that lack it (\Seen for a message read); returns those changed. */
  add(folder: string, mailbox: MailboxRow, messages: readonly MessageRow[], flag: string): MessageRow[] {
    const updates: FlagUpdate[] = [];
    for (const message of messages) {
      const flags = Flags.of(message);
      if (!flags.has(flag)) updates.push({ message, flags: flags.with([flag]) });
    }
    return updates.length ? this.set(folder, mailbox, updates) : [];
  }
}

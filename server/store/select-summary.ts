// What an IMAP SELECT needs of a mailbox: its UIDs in order, each message's MODSEQ, the first
// unseen message and the keywords in use. Reading every row again costs ~1 µs a message (14 ms
// for 10,000), so large mailboxes keep theirs here and bring it up to date from the rows whose
// MODSEQ is above the last one seen (every append and flag change takes a new MODSEQ, and the
// messages_modseq index finds them). What that cannot follow (an expunge, a mailbox made again
// under a reused id) shows in the mailbox's counters, and then every row is read again.
import type { Db } from './db.js';

export interface SelectSummary {
  /** UIDs in sequence order; the caller's own copy. */
  uids: number[];
  /** The MODSEQ of each message (same index as uids); the caller's own copy. */
  modseqs: number[];
  /** Sequence number of the first message without \Seen, 0 if none. */
  firstUnseen: number;
  /** Keywords in use; one that no message carries any more may stay until every row is read again. */
  keywords: Set<string>;
}

interface Counters {
  uidvalidity: number;
  highest_modseq: number;
  message_count: number;
}

interface Kept extends Counters {
  uids: number[];
  modseqs: number[];
  seen: boolean[];
  keywords: Set<string>;
}

type Row = [uid: number, modseq: number, flags: string];

/** Smaller mailboxes are read whole at every SELECT: as fast, and nothing to keep. */
const KEEP_FROM_MESSAGES = 500;
/** Mailboxes kept at once, the least recently selected dropped first. */
const KEEP_MAILBOXES = 32;

const isSeen = (flags: string) => /(^| )\\Seen( |$)/i.test(flags);

export class SelectSummaries {
  private readonly kept = new Map<number, Kept>();
  private readonly statements;

  constructor(db: Db) {
    this.statements = {
      counters: db.prepare<[number]>('SELECT uidvalidity, highest_modseq, message_count FROM mailboxes WHERE id = ?'),
      all: db.prepare<[number]>('SELECT uid, modseq, flags FROM messages WHERE mailbox_id = ? ORDER BY uid').raw(),
      changedSince: db.prepare<[number, number]>('SELECT uid, modseq, flags FROM messages WHERE mailbox_id = ? AND modseq > ? ORDER BY uid').raw(),
    };
  }

  get(mailboxId: number): SelectSummary {
    const counters = this.statements.counters.get(mailboxId) as Counters | undefined;
    let kept = this.kept.get(mailboxId);
    this.kept.delete(mailboxId);
    if (!counters) return { uids: [], modseqs: [], firstUnseen: 0, keywords: new Set() };
    if (!kept || !this.catchUp(mailboxId, kept, counters)) kept = this.readAll(mailboxId, counters);
    if (kept.uids.length >= KEEP_FROM_MESSAGES) {
      this.kept.set(mailboxId, kept);
      if (this.kept.size > KEEP_MAILBOXES) this.kept.delete(this.kept.keys().next().value!);
    }
    return summaryOf(kept);
  }

  private readAll(mailboxId: number, counters: Counters): Kept {
    const kept: Kept = { ...counters, uids: [], modseqs: [], seen: [], keywords: new Set() };
    for (const [uid, modseq, flags] of this.statements.all.all(mailboxId) as Row[]) {
      kept.uids.push(uid);
      kept.modseqs.push(modseq);
      kept.seen.push(isSeen(flags));
      addKeywords(kept.keywords, flags);
    }
    return kept;
  }

  /** Applies the rows changed since `kept` was taken; false when that cannot make it right. */
  private catchUp(mailboxId: number, kept: Kept, counters: Counters): boolean {
    if (kept.uidvalidity !== counters.uidvalidity) return false;
    if (kept.highest_modseq !== counters.highest_modseq) {
      const lastUid = kept.uids.length ? kept.uids[kept.uids.length - 1]! : 0;
      for (const [uid, modseq, flags] of this.statements.changedSince.all(mailboxId, kept.highest_modseq) as Row[]) {
        let index: number;
        if (uid > lastUid) index = kept.uids.push(uid) - 1;
        else if ((index = indexInSorted(kept.uids, uid)) < 0) return false;
        kept.modseqs[index] = modseq;
        kept.seen[index] = isSeen(flags);
        addKeywords(kept.keywords, flags);
      }
    }
    // Expunges leave no row to find: the count tells.
    if (kept.uids.length !== counters.message_count) return false;
    Object.assign(kept, counters);
    return true;
  }
}

function summaryOf(kept: Kept): SelectSummary {
  const unseen = kept.seen.indexOf(false);
  return { uids: kept.uids.slice(), modseqs: kept.modseqs.slice(), firstUnseen: unseen + 1, keywords: new Set(kept.keywords) };
}

function addKeywords(keywords: Set<string>, flags: string): void {
  if (!flags) return;
  for (const flag of flags.split(' ')) if (flag && !flag.startsWith('\\')) keywords.add(flag);
}

/** Where `value` is in an ascending array, by binary search; -1 when it is not there. */
export function indexInSorted(sorted: readonly number[], value: number): number {
  let low = 0;
  let high = sorted.length - 1;
  while (low <= high) {
    const mid = (low + high) >> 1;
    const at = sorted[mid]!;
    if (at === value) return mid;
    if (at < value) low = mid + 1;
    else high = mid - 1;
  }
  return -1;
}

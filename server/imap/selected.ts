// The SELECTED state's data: this session's view of one mailbox — its messages in sequence
// order (UIDs), which are \Recent for this session, and what changed since the client was last
// told. Changes from anyone (SMTP delivery, POP3, other IMAP sessions, this one) arrive through
// mailStore.changes and are reported as untagged EXPUNGE / EXISTS / RECENT / FETCH FLAGS when
// the rules allow (RFC 3501 §7.4.1: no EXPUNGE during FETCH, STORE or SEARCH), or at once in IDLE.
import { Flags, type MailboxChange, type MailboxOwner, type MailboxRow, type MailStore, type MessageRow } from '../store/mailstore.js';
import { indexInSorted } from '../store/select-summary.js';
import { formatSequenceSet, resolveRanges, STAR, type SequenceSet } from './parser/sequence.js';
import { ImapSyntaxError } from './parser/tokens.js';
import { plist, untagged, type Piece } from './replies.js';

export const SYSTEM_FLAGS = ['\\Answered', '\\Flagged', '\\Deleted', '\\Seen', '\\Draft'];

export interface Target {
  seq: number;
  uid: number;
}

export class SelectedMailbox {
  /** UIDs in sequence order: uids[seq - 1]. */
  private uids: number[];
  /** The MODSEQ of each message as last reported to the client (same index as uids). */
  private modseqs: number[];
  private readonly recent = new Set<number>();
  private readonly keywords: Set<string>;
  private pendingExpunge = new Set<number>();
  private pendingFlags = new Set<number>();
  private pendingExists = false;
  private lastUid = 0;
  private closed = false;
  /** Sequence number of the first message without \Seen at SELECT time, 0 if none. */
  readonly firstUnseen: number;
  /** Called when something is pending (IDLE pushes at once). */
  onChange: () => void = () => {};
  private readonly listener = (change: MailboxChange) => this.onStoreChange(change);

  constructor(
    private readonly store: MailStore,
    readonly owner: MailboxOwner,
    private row: MailboxRow,
    readonly readOnly: boolean,
  ) {
    const summary = store.selectSummary(row.id);
    this.uids = summary.uids;
    this.modseqs = summary.modseqs;
    this.firstUnseen = summary.firstUnseen;
    this.keywords = summary.keywords;
    this.lastUid = this.uids.length ? this.uids[this.uids.length - 1]! : 0;
    // EXAMINE shows which messages are \Recent without taking them from the session that SELECTs next
    const { from } = readOnly ? store.peekRecent(row.id) : store.claimRecent(row.id);
    for (const uid of this.uids) if (uid >= from) this.recent.add(uid);
    store.changes.on('change', this.listener);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.store.changes.off('change', this.listener);
  }

  /** The mailbox row, fresh (its name or folder may have changed by a RENAME). */
  get mailbox(): MailboxRow {
    const fresh = this.store.mailboxById(this.row.id);
    if (fresh) this.row = fresh;
    return this.row;
  }

  get id(): number {
    return this.row.id;
  }

  get exists(): number {
    return this.uids.length;
  }

  get recentCount(): number {
    return this.recent.size;
  }

  isRecent(uid: number): boolean {
    return this.recent.has(uid);
  }

  uidAt(seq: number): number | undefined {
    return this.uids[seq - 1];
  }

  /** Sequence number of a UID, 0 when not in the view. */
  seqOf(uid: number): number {
    return indexInSorted(this.uids, uid) + 1;
  }

  /** Keywords in use, for the FLAGS response. */
  flagList(): string[] {
    return [...SYSTEM_FLAGS, ...[...this.keywords].sort()];
  }

  allTargets(): Target[] {
    return this.uids.map((uid, i) => ({ seq: i + 1, uid }));
  }

  /** Messages a sequence set names, ascending; UID sets skip UIDs not in the mailbox. */
  resolve(set: SequenceSet, byUid: boolean): Target[] {
    const count = this.uids.length;
    if (!count) return [];
    const out: Target[] = [];
    const ranges = resolveRanges(set, byUid ? this.uids[count - 1]! : count).sort((a, b) => a[0] - b[0]);
    let lastSeq = 0;
    for (const [low, high] of ranges) {
      if (byUid) {
        let index = this.lowerBound(low);
        if (index < lastSeq) index = lastSeq;
        for (; index < count && this.uids[index]! <= high; index++) out.push({ seq: index + 1, uid: this.uids[index]! });
        lastSeq = Math.max(lastSeq, index);
      } else {
        if (high > count) throw new ImapSyntaxError(`Invalid message sequence number: ${high} (${count} messages)`);
        for (let seq = Math.max(low, lastSeq + 1); seq <= high; seq++) out.push({ seq, uid: this.uids[seq - 1]! });
        lastSeq = Math.max(lastSeq, high);
      }
    }
    return out;
  }

  /** UIDs in the view from `low` to `high`, ascending. */
  uidsBetween(low: number, high: number): number[] {
    const out: number[] = [];
    for (let i = this.lowerBound(low); i < this.uids.length && this.uids[i]! <= high; i++) out.push(this.uids[i]!);
    return out;
  }

  /** UIDs of the messages whose MODSEQ (as this view knows it) is above `modseq`, ascending (QRESYNC). */
  changedSince(modseq: number): number[] {
    const out: number[] = [];
    for (let i = 0; i < this.uids.length; i++) if (this.modseqs[i]! > modseq) out.push(this.uids[i]!);
    return out;
  }

  private lowerBound(uid: number): number {
    let low = 0;
    let high = this.uids.length;
    while (low < high) {
      const mid = (low + high) >> 1;
      if (this.uids[mid]! < uid) low = mid + 1;
      else high = mid;
    }
    return low;
  }

  /** After this session reported flags itself (STORE, implicit \Seen): no second report. */
  noteReported(uid: number, modseq: number): void {
    const seq = this.seqOf(uid);
    if (seq) this.modseqs[seq - 1] = Math.max(this.modseqs[seq - 1]!, modseq);
  }

  noteKeywords(flags: string[]): boolean {
    let added = false;
    for (const flag of flags) {
      if (!flag.startsWith('\\') && !this.keywords.has(flag)) {
        this.keywords.add(flag);
        added = true;
      }
    }
    return added;
  }

  get hasPending(): boolean {
    return this.pendingExists || this.pendingExpunge.size > 0 || this.pendingFlags.size > 0;
  }

  private onStoreChange(change: MailboxChange): void {
    if (change.mailboxId !== this.row.id) return;
    if (change.kind === 'exists') this.pendingExists = true;
    else if (change.kind === 'expunge') for (const uid of change.uids) this.pendingExpunge.add(uid);
    else for (const uid of change.uids) this.pendingFlags.add(uid);
    this.onChange();
  }

  /**
   * The untagged responses for what changed; `expunges` false defers EXPUNGE (during FETCH,
   * STORE, SEARCH). `condstore` adds MODSEQ to FETCH FLAGS (RFC 7162 §3.2.4); `vanished` reports
   * expunges as one VANISHED of their UIDs instead of an EXPUNGE each (QRESYNC, RFC 7162 §3.2.10).
   */
  collectUpdates(options: { expunges: boolean; condstore: boolean; vanished: boolean }): Piece[][] {
    const out: Piece[][] = [];
    if (options.expunges && this.pendingExpunge.size) {
      const gone = this.pendingExpunge;
      this.pendingExpunge = new Set();
      const keptUids: number[] = [];
      const keptModseqs: number[] = [];
      const vanished: number[] = [];
      let removed = 0;
      for (let i = 0; i < this.uids.length; i++) {
        const uid = this.uids[i]!;
        if (gone.has(uid)) {
          if (options.vanished) vanished.push(uid);
          else out.push(untagged(`${i + 1 - removed} EXPUNGE`));
          removed++;
          this.recent.delete(uid);
          this.pendingFlags.delete(uid);
        } else {
          keptUids.push(uid);
          keptModseqs.push(this.modseqs[i]!);
        }
      }
      this.uids = keptUids;
      this.modseqs = keptModseqs;
      if (vanished.length) out.push(untagged(`VANISHED ${formatSequenceSet(vanished)}`));
    }
    if (this.pendingExists) {
      this.pendingExists = false;
      const fresh = this.store.messagesFromUid(this.row.id, this.lastUid + 1);
      if (fresh.length) {
        const claimed = this.readOnly ? this.store.peekRecent(this.row.id) : this.store.claimRecent(this.row.id);
        let newKeywords = false;
        for (const message of fresh) {
          if (this.pendingExpunge.has(message.uid)) continue;
          this.uids.push(message.uid);
          this.modseqs.push(message.modseq);
          if (message.uid >= claimed.from && message.uid < claimed.to) this.recent.add(message.uid);
          newKeywords = this.noteKeywords(Flags.of(message).keywords) || newKeywords;
        }
        this.lastUid = Math.max(this.lastUid, fresh[fresh.length - 1]!.uid);
        if (newKeywords) out.push(untagged('FLAGS ', ...plist(this.flagList().map((f) => [f]))));
        out.push(untagged(`${this.uids.length} EXISTS`));
        out.push(untagged(`${this.recent.size} RECENT`));
      }
    }
    if (this.pendingFlags.size) {
      const uids = [...this.pendingFlags].sort((a, b) => a - b);
      this.pendingFlags.clear();
      const rows = this.rowsForUids(uids);
      const newKeywords = rows.some((row) => this.noteKeywords(Flags.of(row).keywords));
      if (newKeywords) out.push(untagged('FLAGS ', ...plist(this.flagList().map((f) => [f]))));
      for (const row of rows) {
        const seq = this.seqOf(row.uid);
        if (!seq || this.modseqs[seq - 1]! >= row.modseq) continue;
        this.modseqs[seq - 1] = row.modseq;
        out.push(untagged(`${seq} FETCH (`, ...this.flagsItem(row), ` UID ${row.uid}`, options.condstore ? ` MODSEQ (${row.modseq})` : '', ')'));
      }
    }
    return out;
  }

  /** FLAGS (...) of a message, \Recent included when it is recent for this session. */
  flagsItem(row: Pick<MessageRow, 'uid' | 'flags'>): Piece[] {
    return [this.flagsText(row)];
  }

  /** The same as one string: the index keeps flags as the list's own text, space-separated. */
  flagsText(row: Pick<MessageRow, 'uid' | 'flags'>): string {
    if (!this.recent.has(row.uid)) return `FLAGS (${row.flags})`;
    return row.flags ? `FLAGS (${row.flags} \\Recent)` : 'FLAGS (\\Recent)';
  }

  /** Rows of the given UIDs (ascending), fetched in ranges. */
  rowsForUids(uids: number[]): MessageRow[] {
    const rows: MessageRow[] = [];
    for (let i = 0; i < uids.length; ) {
      let j = i;
      // take runs that are dense enough to read as one range
      while (j + 1 < uids.length && uids[j + 1]! - uids[i]! <= (j + 1 - i) * 4 + 64 && j - i < 999) j++;
      const batch = this.store.messageBatch(this.row.id, uids[i]!, uids[j]!);
      if (uids[j]! - uids[i]! === j - i) rows.push(...batch); // every UID of the range wanted
      else {
        const wanted = new Set(uids.slice(i, j + 1));
        for (const row of batch) if (wanted.has(row.uid)) rows.push(row);
      }
      i = j + 1;
    }
    return rows;
  }
}

export { STAR };

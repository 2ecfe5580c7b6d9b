// QRESYNC (RFC 7162 §3.2): quick resynchronisation of a mailbox the client has seen before.
// SELECT/EXAMINE (QRESYNC (uidvalidity modseq [known-uids [(known-seqs known-uids)]])) is answered
// with VANISHED (EARLIER) for the UIDs expunged since that MODSEQ and a FETCH (UID FLAGS MODSEQ)
// for each message changed since; UID FETCH … (CHANGEDSINCE m VANISHED) reports the expunged UIDs of
// its UID set the same way. The store remembers every expunged UID with the MODSEQ of its removal;
// where that memory does not reach back far enough, every UID the client may know and the mailbox
// no longer holds is reported (§3.2.5.2 allows UIDs the client never saw).
import type { MailboxRow, MailStore } from '../store/mailstore.js';
import { formatSequenceSet, inSequenceSet, parseSequenceSet, resolveRanges, type SequenceSet } from './parser/sequence.js';
import { ImapSyntaxError, type Token } from './parser/tokens.js';
import { untagged, type Piece } from './replies.js';
import type { SelectedMailbox } from './selected.js';

export interface QresyncParams {
  uidvalidity: number;
  modseq: number;
  /** The UIDs the client knows (only these are reported as vanished). */
  knownUids: SequenceSet | null;
  /** Sequence numbers the client knows with their UIDs, in the same order (§3.2.5.2). */
  seqMatch: { seqs: number[]; uids: number[] } | null;
}

/** A VANISHED response this long (in characters) is split (the client's line limits). */
const VANISHED_LINE = 4000;

const NZ_NUMBER = /^[1-9]\d{0,9}$/;
const MODSEQ = /^\d{1,19}$/;

/** The list after QRESYNC in SELECT/EXAMINE parameters (RFC 7162 §3.2.5, §7 select-param). */
export function parseQresyncParams(token: Token | undefined): QresyncParams {
  if (token?.type !== 'list') throw new ImapSyntaxError('QRESYNC needs (uidvalidity modseq [known-uids [(seqs uids)]])');
  const [validity, modseq, known, match, extra] = token.items;
  const atom = (t: Token | undefined, pattern: RegExp, what: string) => {
    if (t?.type !== 'atom' || !pattern.test(t.value)) throw new ImapSyntaxError(`QRESYNC: invalid ${what}`);
    return t.value;
  };
  const uidvalidity = Number(atom(validity, NZ_NUMBER, 'UIDVALIDITY'));
  const since = Number(atom(modseq, MODSEQ, 'mod-sequence value'));
  let knownUids: SequenceSet | null = null;
  let seqMatch: QresyncParams['seqMatch'] = null;
  let rest: Array<Token | undefined> = [known, match];
  // known-uids may be left out before the seq-match-data (§7: [SP known-uids] [SP seq-match-data])
  if (rest[0]?.type === 'list') rest = [undefined, rest[0]];
  if (rest[0]) knownUids = uidSet(atom(rest[0], /^[\d:,*]+$/, 'known UIDs'));
  if (rest[1]) {
    if (rest[1].type !== 'list' || rest[1].items.length !== 2) throw new ImapSyntaxError('QRESYNC: invalid sequence match data');
    const [seqs, uids] = rest[1].items.map((t) => expand(uidSet(atom(t, /^[\d:,]+$/, 'sequence match data'))));
    // §3.2.5: both sets list the same messages
    if (seqs!.length !== uids!.length) throw new ImapSyntaxError('QRESYNC: the known sequence set and UID set differ in length');
    seqMatch = { seqs: seqs!, uids: uids! };
  }
  if (extra || (known?.type === 'list' && match)) throw new ImapSyntaxError('QRESYNC: unexpected parameter');
  return { uidvalidity, modseq: since, knownUids, seqMatch };
}

function uidSet(text: string): SequenceSet {
  const set = parseSequenceSet(text);
  if (set.some(([a, b]) => a < 1 || b < 1)) throw new ImapSyntaxError('QRESYNC: "*" is not allowed here');
  return set;
}

/** The numbers of a set without "*", in its order (seq-match-data; bounded by the command's length). */
function expand(set: SequenceSet): number[] {
  const out: number[] = [];
  for (const [a, b] of set) {
    if (Math.abs(b - a) > 100_000) throw new ImapSyntaxError('QRESYNC: sequence match data too large');
    for (let n = a; a <= b ? n <= b : n >= b; n += a <= b ? 1 : -1) out.push(n);
  }
  return out;
}

/**
 * The responses that bring the client up to date after SELECT/EXAMINE (QRESYNC …): nothing when its
 * UIDVALIDITY is not the mailbox's (it must start over, §3.2.5.1).
 */
export function resyncResponses(store: MailStore, view: SelectedMailbox, mailbox: MailboxRow, params: QresyncParams): Piece[][] {
  if (params.uidvalidity !== mailbox.uidvalidity) return [];
  let lowestUnsure = 1;
  if (params.seqMatch) {
    // the messages up to the last of the client's (seq, uid) pairs that still match lost nobody before them
    const { seqs, uids } = params.seqMatch;
    for (let i = 0; i < seqs.length && view.seqOf(uids[i]!) === seqs[i]; i++) lowestUnsure = uids[i]! + 1;
  }
  const known = params.knownUids;
  const ranges = (known ?? [[1, mailbox.uidnext - 1]]).map(([a, b]): [number, number] => [Math.max(Math.min(a, b), lowestUnsure), Math.max(a, b)]);
  const out = vanishedResponses(store, view, mailbox, params.modseq, (uid) => uid >= lowestUnsure && (!known || inSequenceSet(known, uid, 0)), ranges);
  const changed = view.changedSince(params.modseq);
  for (const row of view.rowsForUids(changed)) {
    out.push(untagged(`${view.seqOf(row.uid)} FETCH (UID ${row.uid} ${view.flagsText(row)} MODSEQ (${row.modseq}))`));
  }
  return out;
}

/** UID FETCH … (CHANGEDSINCE m VANISHED) (§3.2.6): the UIDs of `set` expunged since `modseq`. */
export function vanishedInSet(store: MailStore, view: SelectedMailbox, set: SequenceSet, modseq: number): Piece[][] {
  const mailbox = view.mailbox;
  const largest = view.exists ? view.uidAt(view.exists)! : 0;
  return vanishedResponses(store, view, mailbox, modseq, (uid) => inSequenceSet(set, uid, largest), resolveRanges(set, largest));
}

/**
 * VANISHED (EARLIER) responses for the UIDs that `wanted` accepts: those expunged after `modseq`
 * when the store remembers that far back, else every UID of `ranges` below UIDNEXT the mailbox does not hold.
 */
function vanishedResponses(store: MailStore, view: SelectedMailbox, mailbox: MailboxRow, modseq: number, wanted: (uid: number) => boolean, ranges: Array<[number, number]>): Piece[][] {
  const remembered = store.expungedSince(mailbox, modseq);
  const text = remembered ? formatSequenceSet(remembered.filter(wanted)) : missingUids(view, ranges, mailbox.uidnext - 1);
  const out: Piece[][] = [];
  for (let start = 0; start < text.length; ) {
    let end = text.length;
    if (end - start > VANISHED_LINE) end = text.lastIndexOf(',', start + VANISHED_LINE);
    out.push(untagged(`VANISHED (EARLIER) ${text.slice(start, end)}`));
    start = end + 1;
  }
  return out;
}

/** The UIDs of `ranges` up to `max` that the mailbox does not hold, as a sequence set (ranges, never every number). */
function missingUids(view: SelectedMailbox, ranges: Array<[number, number]>, max: number): string {
  const parts: string[] = [];
  const add = (a: number, b: number) => parts.push(a === b ? `${a}` : `${a}:${b}`);
  const sorted = ranges.map(([a, b]): [number, number] => [Math.min(a, b), Math.min(Math.max(a, b), max)]).filter(([a, b]) => a <= b).sort((x, y) => x[0] - y[0]);
  let from = 0;
  for (const [low, high] of sorted) {
    let next = Math.max(low, from);
    for (const uid of view.uidsBetween(next, high)) {
      if (uid > next) add(next, uid - 1);
      next = uid + 1;
    }
    if (next <= high) add(next, high);
    from = Math.max(from, high + 1);
  }
  return parts.join(',');
}

// Search and sort results kept up to date (RFC 5267 §4.3, RETURN (UPDATE)): while the mailbox stays
// selected, each change that adds a message to a kept result or takes one out of it is told as
// ESEARCH ADDTO / REMOVEFROM, with the other unsolicited responses — REMOVEFROM for an expunged
// message before its EXPUNGE, while its number is still valid; ADDTO after EXISTS. Only the
// messages that changed are searched again, unless the search names message numbers or "*"
// (whose meaning moves with every EXPUNGE and EXISTS).
import type { SearchKey } from './parse.js';
import { STAR } from '../parser/sequence.js';
import { strText, untagged, type Piece } from '../replies.js';
import type { SelectedMailbox, Target } from '../selected.js';
import type { Session } from '../session.js';
import { updateResponse } from './esearch.js';
import { search, type Match } from './evaluate.js';
import { compareKeyed, sortKeys, type Keyed, type SortCriterion } from './sort.js';

/** Kept results per session; one more is refused with NOUPDATE (RFC 5267 §4.3.1). */
export const MAX_KEPT_SEARCHES = 16;

interface KeptSearch {
  tag: string;
  byUid: boolean;
  key: SearchKey;
  /** SORT's criteria; null for SEARCH, whose result is in UID order. */
  criteria: SortCriterion[] | null;
  /** The result in its order, each with its sort values. */
  entries: Keyed[];
  compare: (a: Keyed, b: Keyed) => number;
}

/** What the selected mailbox is about to report: the kept results follow it. */
export interface PendingChanges {
  expunged: number[];
  flagged: number[];
  /** The last UID reported before; anything after it is new. */
  lastUid: number;
}

const byUidOrder = (a: Keyed, b: Keyed) => a.match.uid - b.match.uid;

export class SearchUpdates {
  private kept: KeptSearch[] = [];

  get active(): boolean {
    return this.kept.length > 0;
  }

  /** Keeps a result (matches in their order); when there are too many already, the NOUPDATE response to send instead. */
  keep(session: Session, tag: string, byUid: boolean, key: SearchKey, criteria: SortCriterion[] | null, matches: Match[]): Piece[] | null {
    if (this.kept.length >= MAX_KEPT_SEARCHES) return untagged(`OK [NOUPDATE ${strText(tag)}] No more than ${MAX_KEPT_SEARCHES} results are kept up to date`);
    this.cancel([tag]);
    const entries = criteria ? sortKeys(session, matches, criteria) : matches.map((match) => ({ match, values: [] }));
    this.kept.push({ tag, byUid, key, criteria, entries, compare: criteria ? compareKeyed(criteria) : byUidOrder });
    return null;
  }

  /** CANCELUPDATE (RFC 5267 §4.3.5): false when a tag names no kept result. */
  cancel(tags: string[]): boolean {
    const before = this.kept.length;
    this.kept = this.kept.filter((k) => !tags.includes(k.tag));
    return before - this.kept.length === tags.length;
  }

  /** The mailbox is no longer selected: updates cease. */
  clear(): void {
    this.kept = [];
  }

  /** REMOVEFROM for messages about to be reported expunged, numbered as they still are. */
  removals(view: SelectedMailbox, expunged: number[]): Piece[][] {
    if (!expunged.length) return [];
    const gone = new Set(expunged);
    const out: Piece[][] = [];
    for (const kept of this.kept) {
      const removed = kept.entries.filter((e) => gone.has(e.match.uid));
      if (!removed.length) continue;
      out.push(this.removeFrom(kept, removed, (uid) => view.seqOf(uid)));
    }
    return out;
  }

  /** ADDTO / REMOVEFROM for what the changes (now reported) did to each kept result. */
  async updates(session: Session, changes: PendingChanges): Promise<Piece[][]> {
    const view = session.selected;
    const targets = view.allTargets();
    const fresh = targets.filter((t) => t.uid > changes.lastUid);
    const touched = new Set([...changes.flagged, ...fresh.map((t) => t.uid)]);
    const changed = targets.filter((t) => touched.has(t.uid));
    const out: Piece[][] = [];
    for (const kept of this.kept) {
      const candidates = namesPositions(kept.key) ? (changes.expunged.length || touched.size ? targets : []) : changed;
      if (!candidates.length) continue;
      const matched = new Map((await search(session, kept.key, candidates)).map((m) => [m.uid, m]));
      const looked = new Set(candidates.map((t: Target) => t.uid));
      const removed = kept.entries.filter((e) => looked.has(e.match.uid) && !matched.has(e.match.uid));
      if (removed.length) out.push(this.removeFrom(kept, removed, (uid) => view.seqOf(uid)));
      const present = new Set(kept.entries.map((e) => e.match.uid));
      const added = [...matched.values()].filter((m) => !present.has(m.uid));
      if (added.length) out.push(this.addTo(session, kept, added));
    }
    return out;
  }

  private removeFrom(kept: KeptSearch, removed: Keyed[], seqOf: (uid: number) => number): Piece[] {
    const number = (e: Keyed) => (kept.byUid ? e.match.uid : seqOf(e.match.uid));
    const gone = new Set(removed);
    let pairs: Array<[number, number[]]>;
    if (!kept.criteria) pairs = [[0, removed.map(number)]];
    else {
      // one message a pair, at its position as the list stands when the pair is applied
      pairs = [];
      let position = 0;
      for (const entry of kept.entries) {
        position++;
        if (!gone.has(entry)) continue;
        pairs.push([position, [number(entry)]]);
        position--;
      }
    }
    kept.entries = kept.entries.filter((e) => !gone.has(e));
    return updateResponse(kept.tag, kept.byUid, 'REMOVEFROM', pairs);
  }

  private addTo(session: Session, kept: KeptSearch, added: Match[]): Piece[] {
    const number = (m: Match) => (kept.byUid ? m.uid : m.seq);
    if (!kept.criteria) {
      kept.entries = [...kept.entries, ...added.map((match) => ({ match, values: [] }))].sort(byUidOrder);
      return updateResponse(kept.tag, kept.byUid, 'ADDTO', [[0, added.map(number)]]);
    }
    // in their final order, each at its final position: the ones before it are in place already
    const entries = [...kept.entries, ...sortKeys(session, added, kept.criteria)].sort(kept.compare);
    const fresh = new Set(added);
    const pairs: Array<[number, number[]]> = [];
    entries.forEach((entry, i) => {
      if (fresh.has(entry.match)) pairs.push([i + 1, [number(entry.match)]]);
    });
    kept.entries = entries;
    return updateResponse(kept.tag, kept.byUid, 'ADDTO', pairs);
  }
}

/** Does the search name message numbers, or "*" in a UID set? Then any change may move its result. */
function namesPositions(key: SearchKey): boolean {
  switch (key.op) {
    case 'seq':
      return true;
    case 'uid':
      return key.set.some(([a, b]) => a === STAR || b === STAR);
    case 'not':
      return namesPositions(key.key);
    case 'or':
      return namesPositions(key.left) || namesPositions(key.right);
    case 'and':
      return key.keys.some(namesPositions);
    default:
      return false;
  }
}

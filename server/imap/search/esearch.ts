// The ESEARCH response (RFC 4731 §3.1, RFC 5267): `* ESEARCH (TAG "t") [UID] MIN … MAX … ALL …
// COUNT … PARTIAL (…) MODSEQ …` for SEARCH and SORT with RETURN, and the ADDTO / REMOVEFROM
// updates of a kept result.
import { formatSequenceSet } from '../parser/sequence.js';
import { strText, untagged, type Piece } from '../replies.js';
import type { ReturnOptions } from './return-options.js';

export interface Found {
  /** Message numbers or UIDs, in the result's order (ascending for SEARCH, sorted for SORT). */
  numbers: number[];
  /** Their MODSEQs, same order; only when the search used MODSEQ (RFC 7162 §3.1.5). */
  modseqs: number[] | null;
}

function correlator(tag: string, byUid: boolean): string {
  return `ESEARCH (TAG ${strText(tag)})${byUid ? ' UID' : ''}`;
}

/** MIN and MAX are the first and last of the result in its order (RFC 5267 §3.1 for SORT). */
export function esearchResponse(tag: string, byUid: boolean, found: Found, options: ReturnOptions): Piece[] {
  const { numbers } = found;
  let text = correlator(tag, byUid);
  const last = numbers.length - 1;
  if (options.min && numbers.length) text += ` MIN ${numbers[0]}`;
  if (options.max && numbers.length) text += ` MAX ${numbers[last]}`;
  if (options.all && numbers.length) text += ` ALL ${formatSequenceSet(numbers)}`;
  if (options.count) text += ` COUNT ${numbers.length}`;
  if (options.partial) {
    const { low, high } = options.partial;
    const window = numbers.slice(low - 1, high);
    text += ` PARTIAL (${low}:${high} ${window.length ? formatSequenceSet(window) : 'NIL'})`;
  }
  if (found.modseqs && numbers.length) {
    // the highest MODSEQ of what is returned: of MIN and MAX alone when nothing else is asked for
    const minMaxOnly = !options.all && !options.count && !options.partial && !options.update;
    const counted = minMaxOnly ? [...(options.min ? [found.modseqs[0]!] : []), ...(options.max ? [found.modseqs[last]!] : [])] : found.modseqs;
    if (counted.length) text += ` MODSEQ ${counted.reduce((a, b) => Math.max(a, b))}`;
  }
  return untagged(text);
}

/** `ADDTO (position set)` or `REMOVEFROM (position set)` pairs of a kept result (RFC 5267 §4.3.2). */
export function updateResponse(tag: string, byUid: boolean, kind: 'ADDTO' | 'REMOVEFROM', pairs: Array<[position: number, numbers: number[]]>): Piece[] {
  const items = pairs.map(([position, numbers]) => `${position} ${formatSequenceSet(numbers)}`).join(' ');
  return untagged(`${correlator(tag, byUid)} ${kind} (${items})`);
}

// Sequence sets (RFC 3501 §9 sequence-set): "1,3:5,7:*". "*" is the largest number in use,
// and n:m is the same range as m:n. "$" alone is the result the last SEARCH RETURN (SAVE) kept
// (RFC 5182 SEARCHRES, part of IMAP4rev2).
import { ImapSyntaxError } from './tokens.js';

/** A range with "*" kept as STAR until resolved against a mailbox. */
export type SequenceRange = [from: number, to: number];
export type SequenceSet = SequenceRange[];
export const STAR = -1;
/** "$": the saved search result, told apart by identity (a parsed set is never empty). */
export const SAVED_RESULT: SequenceSet = [];

const NUMBER = /^[1-9]\d{0,9}$/;

function seqNumber(text: string): number {
  if (text === '*') return STAR;
  if (!NUMBER.test(text)) throw new ImapSyntaxError(`invalid sequence number ${JSON.stringify(text)}`);
  const value = Number(text);
  if (value > 0xffffffff) throw new ImapSyntaxError('sequence number out of range');
  return value;
}

export function isSequenceSet(text: string): boolean {
  return text === '$' || /^(\d+|\*)(:(\d+|\*))?(,(\d+|\*)(:(\d+|\*))?)*$/.test(text);
}

export function parseSequenceSet(text: string): SequenceSet {
  if (!text) throw new ImapSyntaxError('empty sequence set');
  if (text === '$') return SAVED_RESULT;
  return text.split(',').map((item): SequenceRange => {
    const [a, b, extra] = item.split(':');
    if (extra !== undefined || a === undefined) throw new ImapSyntaxError(`invalid sequence set ${JSON.stringify(text)}`);
    const from = seqNumber(a);
    return [from, b === undefined ? from : seqNumber(b)];
  });
}

/** The ranges with "*" replaced by `max`, each ordered low..high. */
export function resolveRanges(set: SequenceSet, max: number): Array<[number, number]> {
  return set.map(([a, b]) => {
    const x = a === STAR ? max : a;
    const y = b === STAR ? max : b;
    return x <= y ? [x, y] : [y, x];
  });
}

/** Is n in the set (after resolving "*" to max)? */
export function inSequenceSet(set: SequenceSet, n: number, max: number): boolean {
  for (const [low, high] of resolveRanges(set, max)) if (n >= low && n <= high) return true;
  return false;
}

/** Compact text of sorted unique numbers: [1,2,3,5] → "1:3,5" (for COPYUID / APPENDUID). */
export function formatSequenceSet(numbers: readonly number[]): string {
  const out: string[] = [];
  let i = 0;
  while (i < numbers.length) {
    let j = i;
    while (j + 1 < numbers.length && numbers[j + 1] === numbers[j]! + 1) j++;
    out.push(j > i ? `${numbers[i]}:${numbers[j]}` : `${numbers[i]}`);
    i = j + 1;
  }
  return out.join(',');
}

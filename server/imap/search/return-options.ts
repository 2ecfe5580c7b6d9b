// SEARCH / SORT RETURN (…) (RFC 4731 ESEARCH, RFC 5267 ESORT and CONTEXT): what the client wants
// back instead of the whole list — MIN, MAX, ALL, COUNT, a PARTIAL window of the results — and
// whether the result is to be kept up to date (UPDATE) while the mailbox stays selected, or kept
// as "$" for later commands (SAVE, RFC 5182 SEARCHRES).
import { ImapSyntaxError, type Token } from '../parser/tokens.js';

export interface ReturnOptions {
  min: boolean;
  max: boolean;
  all: boolean;
  count: boolean;
  /** Positions low..high (1-based, low ≤ high) of the results to return (RFC 5267 §4.4). */
  partial: { low: number; high: number } | null;
  /** Keep the client's copy of the result up to date with ADDTO / REMOVEFROM (RFC 5267 §4.3). */
  update: boolean;
  /** Keep the result as "$" (RFC 5182 §2.1); alone, it asks for no ESEARCH response. */
  save: boolean;
}

/** `RETURN ()`: what IMAP4rev2 answers a SEARCH without RETURN with (RFC 9051 §6.4.4). */
export const ALL_RESULTS: ReturnOptions = { min: false, max: false, all: true, count: false, partial: null, update: false, save: false };

const POSITION = /^[1-9]\d{0,9}$/;

/** Options that ask for an ESEARCH response: all of them but SAVE (RFC 5182 §2.4). */
export function wantsResponse(options: ReturnOptions): boolean {
  return options.min || options.max || options.all || options.count || options.partial !== null || options.update;
}

/** What SAVE keeps (RFC 5182 §2.4): MIN and/or MAX alone when only they are asked for, else all. */
export function savedPart<T>(options: ReturnOptions, results: readonly T[]): readonly T[] {
  const endsOnly = (options.min || options.max) && !options.all && !options.count && !options.partial && !options.update;
  if (!endsOnly || !results.length) return results;
  const ends = [...(options.min ? [results[0]!] : []), ...(options.max ? [results[results.length - 1]!] : [])];
  return ends.length === 2 && ends[0] === ends[1] ? [ends[0]!] : ends;
}

/**
 * A leading `RETURN (…)`: the options, and the tokens after it; null options when there is none
 * (the answer is then the classic SEARCH / SORT response). `RETURN ()` means ALL (RFC 4731 §3.1),
 * and so does `RETURN (SAVE)` for what is kept, though nothing is returned.
 */
export function parseReturn(tokens: Token[]): { options: ReturnOptions | null; rest: Token[] } {
  const [first, list] = tokens;
  if (first?.type !== 'atom' || first.value.toUpperCase() !== 'RETURN') return { options: null, rest: tokens };
  if (list?.type !== 'list') throw new ImapSyntaxError('RETURN needs a parenthesized list of options');
  const options: ReturnOptions = { ...ALL_RESULTS, all: false };
  const items = list.items;
  for (let i = 0; i < items.length; i++) {
    const item = items[i]!;
    if (item.type !== 'atom') throw new ImapSyntaxError('return options are atoms');
    switch (item.value.toUpperCase()) {
      case 'MIN':
        options.min = true;
        break;
      case 'MAX':
        options.max = true;
        break;
      case 'ALL':
        options.all = true;
        break;
      case 'COUNT':
        options.count = true;
        break;
      case 'UPDATE':
        options.update = true;
        break;
      case 'SAVE':
        options.save = true;
        break;
      case 'CONTEXT':
        // RFC 5267 §4.2: a hint that more searches of this kind follow; nothing to do
        break;
      case 'PARTIAL': {
        const range = items[++i];
        const match = range?.type === 'atom' ? /^(\d+):(\d+)$/.exec(range.value) : null;
        if (!match || !POSITION.test(match[1]!) || !POSITION.test(match[2]!)) throw new ImapSyntaxError('PARTIAL needs a range of positions such as 1:100');
        const [a, b] = [Number(match[1]), Number(match[2])];
        options.partial = { low: Math.min(a, b), high: Math.max(a, b) };
        break;
      }
      default:
        throw new ImapSyntaxError(`unknown return option ${item.value}`);
    }
  }
  if (options.update && options.partial) throw new ImapSyntaxError('UPDATE cannot be combined with PARTIAL');
  if (!options.min && !options.max && !options.count && !options.partial && !options.update && !options.save) options.all = true;
  return { options, rest: tokens.slice(2) };
}

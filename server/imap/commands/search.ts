// SEARCH / UID SEARCH (RFC 3501 §6.4.4) and SORT / UID SORT (RFC 5256). With CONDSTORE, a search
// using MODSEQ reports the highest MODSEQ of the matches (RFC 7162 §3.1.5).
import { search as runSearch, type Match } from '../search/evaluate.js';
import { parseSearchProgram, usesModseq, type SearchKey } from '../search/parse.js';
import { parseSortCriteria, sortMatches, type SortCriterion } from '../search/sort.js';
import { ImapSyntaxError, type Token } from '../parser/tokens.js';
import { bad, no, untagged } from '../replies.js';
import type { Session } from '../session.js';
import { command, SELECTED, type CommandSpec } from './types.js';

const CHARSETS = new Set(['UTF-8', 'US-ASCII']);

function checkCharset(charset: string | null): void {
  if (charset && !CHARSETS.has(charset)) throw no(`Charset ${charset} is not supported`, 'BADCHARSET (UTF-8 US-ASCII)');
}

async function respond(session: Session, send: (p: ReturnType<typeof untagged>) => Promise<void>, name: string, matches: Match[], byUid: boolean, key: SearchKey): Promise<void> {
  const numbers = matches.map((m) => (byUid ? m.uid : m.seq));
  let modseq = '';
  if (usesModseq(key)) {
    session.enabled.add('CONDSTORE');
    if (matches.length) modseq = ` (MODSEQ ${Math.max(...matches.map((m) => m.row.modseq))})`;
  }
  // long result lists go out in pieces of one response line
  const parts: string[] = [name];
  for (const n of numbers) parts.push(String(n));
  await send(untagged(parts.join(' ') + modseq));
}

function searchCommand(byUid: boolean): CommandSpec<{ charset: string | null; key: SearchKey }> {
  return command({
    states: SELECTED,
    deferExpunges: !byUid,
    parse(args) {
      const tokens: Token[] = [];
      while (args.remaining) tokens.push(args.next('search key'));
      return parseSearchProgram(tokens);
    },
    async handle({ session, wire, args }) {
      // RFC 6855 §3: after ENABLE UTF8=ACCEPT a SEARCH names no charset
      if (args.charset && session.enabled.has('UTF8=ACCEPT')) throw bad('No CHARSET in SEARCH once UTF8=ACCEPT is enabled');
      checkCharset(args.charset);
      const matches = await runSearch(session, args.key);
      await respond(session, (p) => wire.send(p), 'SEARCH', matches, byUid, args.key);
    },
  });
}

function sortCommand(byUid: boolean): CommandSpec<{ criteria: SortCriterion[]; charset: string; key: SearchKey }> {
  return command({
    states: SELECTED,
    deferExpunges: !byUid,
    parse(args) {
      const criteria = parseSortCriteria(args.list('sort criteria'));
      const charset = args.astring('charset').toUpperCase();
      const tokens: Token[] = [];
      while (args.remaining) tokens.push(args.next('search key'));
      if (!tokens.length) throw new ImapSyntaxError('SORT needs search criteria');
      return { criteria, charset, key: parseSearchProgram(tokens).key };
    },
    async handle({ session, wire, args }) {
      checkCharset(args.charset);
      const matches = await sortMatches(session, await runSearch(session, args.key), args.criteria);
      await respond(session, (p) => wire.send(p), 'SORT', matches, byUid, args.key);
    },
  });
}

export const searchCmd = searchCommand(false);
export const uidSearch = searchCommand(true);
export const sort = sortCommand(false);
export const uidSort = sortCommand(true);

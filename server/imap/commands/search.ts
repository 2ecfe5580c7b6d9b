// SEARCH / UID SEARCH (RFC 3501 §6.4.4) and SORT / UID SORT (RFC 5256), with RETURN options answered
// by ESEARCH (RFC 4731; ESORT, PARTIAL and UPDATE: RFC 5267). With CONDSTORE, a search using MODSEQ
// reports the highest MODSEQ of what it returns (RFC 7162 §3.1.5). RETURN (SAVE) keeps the result as
// "$" (RFC 5182); in IMAP4rev2 mode ESEARCH is SEARCH's only answer (RFC 9051 §6.4.4).
import { esearchResponse } from '../search/esearch.js';
import { search as runSearch, type Match } from '../search/evaluate.js';
import { parseSearchProgram, usesModseq, type SearchKey } from '../search/parse.js';
import { ALL_RESULTS, parseReturn, savedPart, wantsResponse, type ReturnOptions } from '../search/return-options.js';
import { parseSortCriteria, sortMatches, type SortCriterion } from '../search/sort.js';
import { ImapSyntaxError, type Token } from '../parser/tokens.js';
import { bad, no, untagged } from '../replies.js';
import type { CommandContext } from './types.js';
import { command, SELECTED, type CommandSpec } from './types.js';

const CHARSETS = new Set(['UTF-8', 'US-ASCII']);

function checkCharset(charset: string | null): void {
  if (charset && !CHARSETS.has(charset)) throw no(`Charset ${charset} is not supported`, 'BADCHARSET (UTF-8 US-ASCII)');
}

interface Searched {
  options: ReturnOptions | null;
  charset: string | null;
  key: SearchKey;
  /** SORT's criteria; null for SEARCH. */
  criteria: SortCriterion[] | null;
}

/**
 * The answer: `* SEARCH`/`* SORT` numbers, or ESEARCH when RETURN was given (or for SEARCH in
 * IMAP4rev2 mode); a kept result with UPDATE, "$" with SAVE.
 */
async function respond({ session, wire, tag }: CommandContext<Searched>, name: string, matches: Match[], byUid: boolean, searched: Searched): Promise<void> {
  const numbers = matches.map((m) => (byUid ? m.uid : m.seq));
  const modseqs = usesModseq(searched.key) ? matches.map((m) => m.row.modseq) : null;
  if (modseqs) session.enabled.add('CONDSTORE');
  const options = searched.options ?? (name === 'SEARCH' && session.rev2 ? ALL_RESULTS : null);
  if (options) {
    if (options.save) session.selected.saveResult(savedPart(options, matches).map((m) => m.uid));
    if (!wantsResponse(options)) return;
    await wire.send(esearchResponse(tag, byUid, { numbers, modseqs }, options));
    if (options.update) {
      const refused = session.searchUpdates.keep(session, tag, byUid, searched.key, searched.criteria, matches);
      if (refused) await wire.send(refused);
    }
    return;
  }
  const modseq = modseqs?.length ? ` (MODSEQ ${Math.max(...modseqs)})` : '';
  await wire.send(untagged([name, ...numbers].join(' ') + modseq));
}

/** RFC 5182 §2.1: a SEARCH (SAVE) that fails leaves "$" empty, not the result before it. */
async function forgetSavedOnFailure(ctx: CommandContext<Searched>, run: () => Promise<void>): Promise<void> {
  try {
    await run();
  } catch (error) {
    if (ctx.args.options?.save) ctx.session.selected.saveResult([]);
    throw error;
  }
}

function searchCommand(byUid: boolean): CommandSpec<Searched> {
  return command({
    states: SELECTED,
    deferExpunges: !byUid,
    parse(args) {
      const tokens: Token[] = [];
      while (args.remaining) tokens.push(args.next('search key'));
      const { options, rest } = parseReturn(tokens);
      return { options, ...parseSearchProgram(rest), criteria: null };
    },
    async handle(ctx) {
      await forgetSavedOnFailure(ctx, async () => {
        // RFC 6855 §3: after ENABLE UTF8=ACCEPT a SEARCH names no charset
        if (ctx.args.charset && ctx.session.enabled.has('UTF8=ACCEPT')) throw bad('No CHARSET in SEARCH once UTF8=ACCEPT is enabled');
        checkCharset(ctx.args.charset);
        const matches = await runSearch(ctx.session, ctx.args.key);
        await respond(ctx, 'SEARCH', matches, byUid, ctx.args);
      });
    },
  });
}

function sortCommand(byUid: boolean): CommandSpec<Searched> {
  return command({
    states: SELECTED,
    deferExpunges: !byUid,
    parse(args) {
      const tokens: Token[] = [];
      while (args.remaining) tokens.push(args.next('sort argument'));
      const { options, rest } = parseReturn(tokens);
      const [criteria, charset, ...keys] = rest;
      if (criteria?.type !== 'list') throw new ImapSyntaxError('SORT needs a parenthesized list of sort criteria');
      if (!charset || charset.type === 'list') throw new ImapSyntaxError('SORT needs a charset');
      if (!keys.length) throw new ImapSyntaxError('SORT needs search criteria');
      return { options, criteria: parseSortCriteria(criteria.items), charset: charset.value.toUpperCase(), key: parseSearchProgram(keys).key };
    },
    async handle(ctx) {
      await forgetSavedOnFailure(ctx, async () => {
        checkCharset(ctx.args.charset);
        const matches = sortMatches(ctx.session, await runSearch(ctx.session, ctx.args.key), ctx.args.criteria!);
        await respond(ctx, 'SORT', matches, byUid, ctx.args);
      });
    },
  });
}

export const searchCmd = searchCommand(false);
export const uidSearch = searchCommand(true);
export const sort = sortCommand(false);
export const uidSort = sortCommand(true);

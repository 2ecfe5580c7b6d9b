// Keywords ↔ IMAP flags (RFC 8621 §4.1.1): $seen, $flagged, $answered and $draft are the system
// flags \Seen, \Flagged, \Answered, \Draft; other keywords are IMAP keywords, compared in any case
// and given to JMAP in lower case. \Deleted and \Recent have no keyword and are kept as they are.
import { Flags } from '../store/mailstore.js';
import type { MessageRow } from '../store/mailstore.js';

const SYSTEM: Record<string, string> = { '\\seen': '$seen', '\\flagged': '$flagged', '\\answered': '$answered', '\\draft': '$draft' };
const FLAG_OF_KEYWORD: Record<string, string> = { $seen: '\\Seen', $flagged: '\\Flagged', $answered: '\\Answered', $draft: '\\Draft' };

/** §4.1.1: keywords are 1–255 printable ASCII characters without ( ) { ] % * " \ or space. */
export function isKeyword(keyword: string): boolean {
  return /^[\x21-\x7e]{1,255}$/.test(keyword) && !/[(){\]%*"\\]/.test(keyword);
}

export function keywordOf(flag: string): string | null {
  if (flag.startsWith('\\')) return SYSTEM[flag.toLowerCase()] ?? null;
  return flag.toLowerCase();
}

export function flagOf(keyword: string): string {
  return FLAG_OF_KEYWORD[keyword.toLowerCase()] ?? keyword.toLowerCase();
}

/** The keywords of an email: of all its copies together. */
export function keywordsOf(rows: ReadonlyArray<Pick<MessageRow, 'flags'>>): Record<string, true> {
  const keywords: Record<string, true> = {};
  for (const row of rows) {
    for (const flag of Flags.of(row).list) {
      const keyword = keywordOf(flag);
      if (keyword) keywords[keyword] = true;
    }
  }
  return keywords;
}

/** A row's flags with its keywords replaced by `keywords` (the flags without a keyword stay). */
export function flagsWithKeywords(row: Pick<MessageRow, 'flags'>, keywords: Iterable<string>): Flags {
  const kept = Flags.of(row).list.filter((flag) => keywordOf(flag) === null);
  return Flags.from([...kept, ...[...keywords].map(flagOf)]);
}

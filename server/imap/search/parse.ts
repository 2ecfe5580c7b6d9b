// SEARCH keys (RFC 3501 §6.4.4) into a tree: every key, OR/NOT, parenthesized groups, sequence
// sets; MODSEQ (RFC 7162 §3.1.5); EMAILID and THREADID (RFC 8474 §6). Strings are compared as
// UTF-8 (CHARSET UTF-8 / US-ASCII).
import { asAstring } from '../parser/args.js';
import { isSequenceSet, parseSequenceSet, type SequenceSet } from '../parser/sequence.js';
import { ImapSyntaxError, MAX_NESTING, type Token } from '../parser/tokens.js';
import { parseFlag } from '../commands/flags.js';
import { isObjectId } from '../../store/object-ids.js';

export type DateField = 'internal' | 'sent';
export type DateCompare = 'before' | 'on' | 'since';

export type SearchKey =
  | { op: 'all' }
  | { op: 'flag'; flag: string; present: boolean }
  | { op: 'recent'; present: boolean }
  | { op: 'new' }
  | { op: 'seq'; set: SequenceSet }
  | { op: 'uid'; set: SequenceSet }
  | { op: 'header'; field: string; value: string }
  | { op: 'body'; value: string }
  | { op: 'text'; value: string }
  | { op: 'date'; field: DateField; compare: DateCompare; day: number }
  | { op: 'size'; larger: boolean; size: number }
  | { op: 'modseq'; modseq: number }
  | { op: 'objectid'; field: 'email_id' | 'thread_id'; id: string }
  | { op: 'not'; key: SearchKey }
  | { op: 'or'; left: SearchKey; right: SearchKey }
  | { op: 'and'; keys: SearchKey[] };

const FLAG_KEYS: Record<string, [string, boolean]> = {
  ANSWERED: ['\\Answered', true],
  DELETED: ['\\Deleted', true],
  DRAFT: ['\\Draft', true],
  FLAGGED: ['\\Flagged', true],
  SEEN: ['\\Seen', true],
  UNANSWERED: ['\\Answered', false],
  UNDELETED: ['\\Deleted', false],
  UNDRAFT: ['\\Draft', false],
  UNFLAGGED: ['\\Flagged', false],
  UNSEEN: ['\\Seen', false],
};

const HEADER_KEYS: Record<string, string> = { BCC: 'bcc', CC: 'cc', FROM: 'from', SUBJECT: 'subject', TO: 'to' };
const DATE_KEYS: Record<string, [DateField, DateCompare]> = {
  BEFORE: ['internal', 'before'],
  ON: ['internal', 'on'],
  SINCE: ['internal', 'since'],
  SENTBEFORE: ['sent', 'before'],
  SENTON: ['sent', 'on'],
  SENTSINCE: ['sent', 'since'],
};
const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

/** date: "1-Feb-1994" (RFC 3501 §9), as the UTC midnight of that day. */
export function parseSearchDate(text: string): number {
  const match = /^(\d{1,2})-([A-Za-z]{3})-(\d{4})$/.exec(text);
  const month = match ? MONTHS.indexOf(match[2]!.toLowerCase()) : -1;
  if (!match || month < 0) throw new ImapSyntaxError(`invalid date ${JSON.stringify(text)}`);
  return Date.UTC(Number(match[3]), month, Number(match[1]));
}

export class SearchParser {
  private index = 0;

  /** `depth`: the NOT, OR and groups the keys being read are inside of (each one a recursion). */
  constructor(
    private readonly tokens: Token[],
    private depth = 0,
  ) {}

  /** Reads the operands of NOT, OR or a group one level deeper; refused past MAX_NESTING. */
  private deeper<T>(read: () => T): T {
    if (this.depth >= MAX_NESTING) throw new ImapSyntaxError(`search keys nested deeper than ${MAX_NESTING} levels`);
    this.depth++;
    try {
      return read();
    } finally {
      this.depth--;
    }
  }

  /** All remaining keys, ANDed. */
  parseAll(): SearchKey {
    const keys: SearchKey[] = [];
    while (this.index < this.tokens.length) keys.push(this.key());
    if (!keys.length) throw new ImapSyntaxError('missing search criteria');
    return keys.length === 1 ? keys[0]! : { op: 'and', keys };
  }

  private next(what: string): Token {
    const token = this.tokens[this.index++];
    if (!token) throw new ImapSyntaxError(`missing ${what}`);
    return token;
  }

  private string(what: string): string {
    return asAstring(this.next(what), what);
  }

  private atom(what: string): string {
    const token = this.next(what);
    if (token.type === 'list') throw new ImapSyntaxError(`${what} expected`);
    return token.value;
  }

  private number(what: string): number {
    const text = this.atom(what);
    if (!/^\d{1,20}$/.test(text)) throw new ImapSyntaxError(`${what} must be a number`);
    return Number(text);
  }

  key(): SearchKey {
    const token = this.next('search key');
    if (token.type === 'list') {
      if (!token.items.length) throw new ImapSyntaxError('empty search group');
      return this.deeper(() => new SearchParser(token.items, this.depth).parseAll());
    }
    if (token.type === 'string') throw new ImapSyntaxError('a search key cannot be a string');
    const name = token.value.toUpperCase();
    if (isSequenceSet(token.value)) return { op: 'seq', set: parseSequenceSet(token.value) };
    const flagKey = FLAG_KEYS[name];
    if (flagKey) return { op: 'flag', flag: flagKey[0], present: flagKey[1] };
    const headerKey = HEADER_KEYS[name];
    if (headerKey) return { op: 'header', field: headerKey, value: this.string(`${name} string`) };
    const dateKey = DATE_KEYS[name];
    if (dateKey) return { op: 'date', field: dateKey[0], compare: dateKey[1], day: parseSearchDate(this.string('date')) };
    switch (name) {
      case 'ALL':
        return { op: 'all' };
      case 'NEW':
        return { op: 'new' };
      case 'OLD':
        return { op: 'recent', present: false };
      case 'RECENT':
        return { op: 'recent', present: true };
      case 'KEYWORD':
        return { op: 'flag', flag: parseFlag(this.atom('keyword')), present: true };
      case 'UNKEYWORD':
        return { op: 'flag', flag: parseFlag(this.atom('keyword')), present: false };
      case 'HEADER': {
        const field = this.string('header field name').toLowerCase();
        return { op: 'header', field, value: this.string('header value') };
      }
      case 'BODY':
        return { op: 'body', value: this.string('BODY string') };
      case 'TEXT':
        return { op: 'text', value: this.string('TEXT string') };
      case 'LARGER':
        return { op: 'size', larger: true, size: this.number('size') };
      case 'SMALLER':
        return { op: 'size', larger: false, size: this.number('size') };
      case 'UID':
        return { op: 'uid', set: parseSequenceSet(this.atom('UID set')) };
      case 'NOT':
        return this.deeper(() => ({ op: 'not', key: this.key() }));
      case 'OR':
        return this.deeper(() => ({ op: 'or', left: this.key(), right: this.key() }));
      case 'MODSEQ': {
        // MODSEQ [entry-name entry-type] n (RFC 7162 §3.1.5); the entry is accepted and ignored
        const next = this.tokens[this.index];
        if (next?.type === 'string') {
          this.index++;
          this.atom('entry type');
        }
        return { op: 'modseq', modseq: this.number('mod-sequence') };
      }
      case 'EMAILID':
      case 'THREADID': {
        const id = this.atom('object id');
        if (!isObjectId(id)) throw new ImapSyntaxError(`invalid ${name}`);
        return { op: 'objectid', field: name === 'EMAILID' ? 'email_id' : 'thread_id', id };
      }
      default:
        throw new ImapSyntaxError(`unknown search key ${token.value}`);
    }
  }
}

/** [CHARSET name] then keys. Returns the charset named (upper-cased) or null. */
export function parseSearchProgram(tokens: Token[]): { charset: string | null; key: SearchKey } {
  let charset: string | null = null;
  let start = 0;
  const first = tokens[0];
  if (first?.type === 'atom' && first.value.toUpperCase() === 'CHARSET') {
    const name = tokens[1];
    if (!name || name.type === 'list') throw new ImapSyntaxError('CHARSET needs a name');
    charset = name.value.toUpperCase();
    start = 2;
  }
  return { charset, key: new SearchParser(tokens.slice(start)).parseAll() };
}

export function usesModseq(key: SearchKey): boolean {
  switch (key.op) {
    case 'modseq':
      return true;
    case 'not':
      return usesModseq(key.key);
    case 'or':
      return usesModseq(key.left) || usesModseq(key.right);
    case 'and':
      return key.keys.some(usesModseq);
    default:
      return false;
  }
}

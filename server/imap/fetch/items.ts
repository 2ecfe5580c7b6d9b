// FETCH data items (RFC 3501 §6.4.5): the macros, the simple items and BODY[section]<partial>
// with every section form (HEADER, HEADER.FIELDS (.NOT), TEXT, MIME, part numbers); MODSEQ
// (RFC 7162), EMAILID and THREADID (RFC 8474 §5), PREVIEW [(LAZY)] (RFC 8970 §3).
import { ImapSyntaxError, parseValues, type Token } from '../parser/tokens.js';

export type SectionSpecifier = '' | 'HEADER' | 'HEADER.FIELDS' | 'HEADER.FIELDS.NOT' | 'TEXT' | 'MIME';

export interface Section {
  path: number[];
  specifier: SectionSpecifier;
  /** Upper-cased field names for HEADER.FIELDS (.NOT). */
  fields: string[];
}

export type FetchItem =
  | { kind: 'FLAGS' | 'INTERNALDATE' | 'RFC822.SIZE' | 'ENVELOPE' | 'BODY' | 'BODYSTRUCTURE' | 'UID' | 'MODSEQ' | 'EMAILID' | 'THREADID' | 'PREVIEW' }
  | {
      kind: 'SECTION';
      /** How the response names it: BODY[...], RFC822, RFC822.HEADER, RFC822.TEXT. */
      label: string;
      section: Section;
      /** Sets \Seen (BODY[...], RFC822, RFC822.TEXT; not BODY.PEEK or RFC822.HEADER). */
      setsSeen: boolean;
      partial: { offset: number; length: number } | null;
    };

const MACROS: Record<string, string[]> = {
  ALL: ['FLAGS', 'INTERNALDATE', 'RFC822.SIZE', 'ENVELOPE'],
  FAST: ['FLAGS', 'INTERNALDATE', 'RFC822.SIZE'],
  FULL: ['FLAGS', 'INTERNALDATE', 'RFC822.SIZE', 'ENVELOPE', 'BODY'],
};

const SIMPLE = new Set(['FLAGS', 'INTERNALDATE', 'RFC822.SIZE', 'ENVELOPE', 'BODY', 'BODYSTRUCTURE', 'UID', 'MODSEQ', 'EMAILID', 'THREADID', 'PREVIEW']);

/** The argument after the sequence set: a macro, one item, or a parenthesized list of items. */
export function parseFetchItems(token: Token): FetchItem[] {
  if (token.type === 'atom' && MACROS[token.value.toUpperCase()]) {
    return MACROS[token.value.toUpperCase()]!.map((kind) => ({ kind }) as FetchItem);
  }
  const tokens = token.type === 'list' ? token.items : [token];
  if (!tokens.length) throw new ImapSyntaxError('empty fetch item list');
  const items: FetchItem[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const item = parseItem(tokens[i]!);
    // RFC 8970 §3: PREVIEW (LAZY); the preview is made either way (LAZY only allows NIL)
    if (item.kind === 'PREVIEW' && tokens[i + 1]?.type === 'list') {
      const modifiers = (tokens[++i] as Extract<Token, { type: 'list' }>).items;
      if (!modifiers.length || modifiers.some((m) => m.type !== 'atom' || m.value.toUpperCase() !== 'LAZY')) throw new ImapSyntaxError('PREVIEW takes (LAZY)');
    }
    items.push(item);
  }
  return items;
}

function parseItem(token: Token): FetchItem {
  if (token.type !== 'atom') throw new ImapSyntaxError('invalid fetch item');
  const text = token.value;
  const upper = text.toUpperCase();
  if (SIMPLE.has(upper)) return { kind: upper } as FetchItem;
  if (upper === 'RFC822') return { kind: 'SECTION', label: 'RFC822', section: whole(''), setsSeen: true, partial: null };
  if (upper === 'RFC822.HEADER') return { kind: 'SECTION', label: 'RFC822.HEADER', section: whole('HEADER'), setsSeen: false, partial: null };
  if (upper === 'RFC822.TEXT') return { kind: 'SECTION', label: 'RFC822.TEXT', section: whole('TEXT'), setsSeen: true, partial: null };
  const match = /^(BODY|BODY\.PEEK)\[(.*)\](?:<(\d{1,10})\.(\d{1,10})>)?$/is.exec(text);
  if (!match) throw new ImapSyntaxError(`unknown fetch item ${text}`);
  const section = parseSection(match[2]!);
  const partial = match[3] !== undefined ? { offset: Number(match[3]), length: Number(match[4]) } : null;
  if (partial && partial.length === 0) throw new ImapSyntaxError('partial length must be positive');
  return { kind: 'SECTION', label: `BODY[${formatSection(section)}]`, section, setsSeen: match[1]!.toUpperCase() === 'BODY', partial };
}

function whole(specifier: SectionSpecifier): Section {
  return { path: [], specifier, fields: [] };
}

/** section-spec: [part-number ["." section-text]] | section-msgtext (RFC 3501 §9). */
export function parseSection(text: string): Section {
  if (text === '') return whole('');
  const space = text.indexOf(' ');
  const head = (space < 0 ? text : text.slice(0, space)).toUpperCase();
  const rest = space < 0 ? '' : text.slice(space + 1);
  const path: number[] = [];
  const pieces = head.split('.');
  while (pieces.length && /^\d+$/.test(pieces[0]!)) {
    const n = Number(pieces.shift());
    if (n < 1) throw new ImapSyntaxError('part numbers start at 1');
    path.push(n);
  }
  const specifier = pieces.join('.') as SectionSpecifier;
  if (!['', 'HEADER', 'HEADER.FIELDS', 'HEADER.FIELDS.NOT', 'TEXT', 'MIME'].includes(specifier)) {
    throw new ImapSyntaxError(`invalid section ${text}`);
  }
  if (specifier === 'MIME' && !path.length) throw new ImapSyntaxError('MIME needs a part number');
  let fields: string[] = [];
  if (specifier === 'HEADER.FIELDS' || specifier === 'HEADER.FIELDS.NOT') {
    const values = parseValues(rest);
    const list = values[0];
    if (values.length !== 1 || list?.type !== 'list' || !list.items.length) throw new ImapSyntaxError('HEADER.FIELDS needs a list of field names');
    fields = list.items.map((item) => {
      if (item.type === 'list') throw new ImapSyntaxError('invalid header field name');
      const name = item.value.toUpperCase();
      if (!/^[\x21-\x39\x3b-\x7e]+$/.test(name)) throw new ImapSyntaxError('invalid header field name');
      return name;
    });
  } else if (rest) throw new ImapSyntaxError(`invalid section ${text}`);
  return { path, specifier, fields };
}

export function formatSection(section: Section): string {
  const parts = [...section.path.map(String)];
  if (section.specifier) parts.push(section.specifier);
  const text = parts.join('.');
  return section.fields.length ? `${text} (${section.fields.join(' ')})` : text;
}

/** What answering these items needs: the envelope, the MIME structure, the message's bytes. */
export function needs(items: FetchItem[]): { envelope: boolean; structure: boolean; content: boolean; preview: boolean } {
  let envelope = false;
  let structure = false;
  let content = false;
  let preview = false;
  for (const item of items) {
    if (item.kind === 'ENVELOPE') envelope = true;
    if (item.kind === 'BODY' || item.kind === 'BODYSTRUCTURE') structure = true;
    if (item.kind === 'PREVIEW') structure = preview = true;
    if (item.kind === 'SECTION') {
      content = true;
      if (item.section.path.length) structure = true;
    }
  }
  return { envelope, structure, content, preview };
}

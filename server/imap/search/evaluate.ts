// Running a SEARCH over the selected mailbox: flags, UIDs, sizes and dates from the index;
// headers and text from the message file, decoded (RFC 2047 words, transfer encodings,
// charsets) and compared case-insensitively as substrings (RFC 3501 §6.4.4).
import { Flags, type MessageRow } from '../../store/mailstore.js';
import { isGone, type MessageFiles } from '../../store/message-files.js';
import type { MimeCache } from '../mime/cache.js';
import { mimeLibraries } from '../mime/libraries.js';
import { fieldValue, firstValue, parseParameterized, splitHeaderFields, type HeaderField } from '../mime/headers.js';
import { envelopeFromHeader, type Envelope } from '../mime/envelope.js';
import type { MimePart } from '../mime/structure.js';
import { headerEnd } from '../fetch/sections.js';
import { formatEnvelope } from '../fetch/structure-format.js';
import { inSequenceSet } from '../parser/sequence.js';
import type { SelectedMailbox, Target } from '../selected.js';
import type { Session } from '../session.js';
import type { SearchKey } from './parse.js';

const DAY = 86_400_000;
const ENVELOPE_FIELDS = new Set(['subject', 'from', 'to', 'cc', 'bcc']);
const BATCH = 500;
const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

export interface Match {
  seq: number;
  uid: number;
  row: MessageRow;
}

/** One message under test, with what it takes to read loaded lazily and once. */
export class Candidate {
  private contentData?: Buffer;
  private headerData?: HeaderField[];
  private bodyData?: string;

  constructor(
    readonly seq: number,
    readonly row: MessageRow,
    private readonly files: MessageFiles,
    private readonly cache: MimeCache,
  ) {}

  content(): Buffer {
    if (!this.contentData) this.contentData = this.files.readSync(this.row);
    return this.contentData;
  }

  headers(): HeaderField[] {
    if (!this.headerData) {
      const content = this.content();
      this.headerData = splitHeaderFields(content.toString('binary', 0, headerEnd(content)));
    }
    return this.headerData;
  }

  /**
   * A header's text from the ENVELOPE — decoded, lower-cased, remembered with it — read from the
   * cache when it is there (no file read), else made from the header: undefined when the field
   * is not in an envelope; null when the message has no such field.
   */
  envelopeField(field: string): string | null | undefined {
    if (!ENVELOPE_FIELDS.has(field)) return undefined;
    const envelope = this.cache.peekEnvelope(this.row.guid) ?? this.envelopeFromFile();
    let texts = searchTexts.get(envelope);
    if (!texts) searchTexts.set(envelope, (texts = new Map()));
    let text = texts.get(field);
    if (text === undefined) {
      let raw: string | null;
      if (field === 'subject') raw = envelope.subject;
      else {
        const list = envelope[field as 'from' | 'to' | 'cc' | 'bcc'];
        raw = list
          ? list.map((a) => ('mailbox' in a ? `${a.name ?? ''} <${a.mailbox ?? ''}@${a.host ?? ''}>` : 'group' in a ? `${a.group}:` : ';')).join(', ')
          : null;
      }
      text = raw === null ? null : decodeHeaderValue(raw).toLowerCase();
      texts.set(field, text);
    }
    return text;
  }

  /**
   * An envelope not cached yet: made from the header block (and cached), so that FROM, TO, CC and
   * BCC always search the envelope's addresses (RFC 3501 §6.4.4), comments left out, as they do
   * once it is cached.
   */
  private envelopeFromFile(): Envelope {
    const content = this.content();
    const envelope = envelopeFromHeader(content.toString('latin1', 0, headerEnd(content)));
    const entry = this.cache.envelopeText(this.row.guid, () => formatEnvelope(envelope), false);
    // the fields are at hand: not read back from the text just made
    return (entry.envelope ??= envelope);
  }

  structure(): Promise<MimePart> {
    return this.cache.get(this.row.guid, async () => this.content());
  }

  /** The decoded text of the body's text parts, lower-cased; a promise only when the MIME structure is needed. */
  bodyText(): string | Promise<string> {
    if (this.bodyData !== undefined) return this.bodyData;
    const content = this.content();
    const headers = this.headers();
    const type = parseParameterized(firstValue(headers, 'content-type') ?? 'text/plain');
    const mediaType = type.value.toLowerCase();
    if (!mediaType.startsWith('multipart/') && !mediaType.startsWith('message/')) {
      // one part: no need for the MIME structure
      const encoding = (firstValue(headers, 'content-transfer-encoding') ?? '').toLowerCase();
      const charset = type.params.find(([k]) => k === 'charset')?.[1] ?? '';
      const text = mediaType.startsWith('text/') || !mediaType ? decodePart(content.subarray(headerEnd(content)), encoding, charset) : '';
      return (this.bodyData = text.toLowerCase());
    }
    return this.structure().then((structure) => {
      const pieces: string[] = [];
      collectText(structure, content, pieces);
      return (this.bodyData = pieces.join('\n').toLowerCase());
    });
  }
}

function collectText(part: MimePart, content: Buffer, out: string[]): void {
  if (part.parts) for (const child of part.parts) collectText(child, content, out);
  else if (part.message) {
    out.push(decodeHeaderBlock(content.toString('binary', part.message.hs, part.message.bs)));
    collectText(part.message, content, out);
  } else if (part.type === 'text') {
    const charset = part.params.find(([k]) => k === 'charset')?.[1] ?? '';
    out.push(decodePart(content.subarray(part.bs, part.be), part.encoding, charset));
  }
}

export function decodePart(data: Buffer, encoding: string, charset: string): string {
  let bytes = data;
  if (encoding === 'base64') bytes = Buffer.from(data.toString('latin1').replace(/[^A-Za-z0-9+/=]/g, ''), 'base64');
  else if (encoding === 'quoted-printable') bytes = decodeQuotedPrintable(data);
  const name = charset.toLowerCase();
  if (!name || name === 'utf-8' || name === 'utf8' || name === 'us-ascii' || name === 'ascii') return bytes.toString('utf8');
  try {
    return mimeLibraries().charsets.decode(bytes, charset);
  } catch {
    return bytes.toString('utf8');
  }
}

/** Quoted-printable (RFC 2045 §6.7): =XX escapes and soft line breaks. */
function decodeQuotedPrintable(data: Buffer): Buffer {
  const out = Buffer.alloc(data.length);
  let length = 0;
  for (let i = 0; i < data.length; i++) {
    const c = data[i]!;
    if (c !== 0x3d) {
      out[length++] = c;
      continue;
    }
    if (data[i + 1] === 0x0d && data[i + 2] === 0x0a) i += 2;
    else if (data[i + 1] === 0x0a) i += 1;
    else {
      const hex = data.toString('latin1', i + 1, i + 3);
      if (/^[0-9A-Fa-f]{2}$/.test(hex)) {
        out[length++] = parseInt(hex, 16);
        i += 2;
      } else out[length++] = c;
    }
  }
  return out.subarray(0, length);
}

/** A header value as text: raw bytes read as UTF-8, RFC 2047 encoded words decoded. */
export function decodeHeaderValue(raw: string): string {
  if (!/[\x80-\xff]|=\?/.test(raw)) return raw; // plain ASCII, nothing to decode
  const text = Buffer.from(raw, 'binary').toString('utf8');
  try {
    return mimeLibraries().libmime.decodeWords(text);
  } catch {
    return text;
  }
}

function decodeHeaderBlock(block: string): string {
  return splitHeaderFields(block)
    .map((f) => `${f.key}: ${decodeHeaderValue(fieldValue(f))}`)
    .join('\n');
}

/** The calendar day of a Date: header in its own time zone (RFC 3501: time and zone disregarded). */
export function sentDay(headers: HeaderField[]): number | null {
  const value = firstValue(headers, 'date');
  if (!value) return null;
  const match = /(\d{1,2})\s+([A-Za-z]{3})[a-z]*\s+(\d{2,4})/.exec(value);
  if (match) {
    const month = MONTHS.indexOf(match[2]!.toLowerCase());
    let year = Number(match[3]);
    if (year < 50) year += 2000;
    else if (year < 1000) year += 1900;
    if (month >= 0) return Date.UTC(year, month, Number(match[1]));
  }
  const parsed = Date.parse(value);
  return Number.isNaN(parsed) ? null : Math.floor(parsed / DAY) * DAY;
}

function hasFlag(row: MessageRow, flag: string): boolean {
  return Flags.of(row).has(flag);
}

function compareDay(day: number, compare: 'before' | 'on' | 'since', wanted: number): boolean {
  return compare === 'before' ? day < wanted : compare === 'on' ? day === wanted : day >= wanted;
}

/** Lower-cased, decoded header texts for SEARCH, remembered per cached envelope. */
const searchTexts = new WeakMap<Envelope, Map<string, string | null>>();

/** A key's answer: at once, or — when a MIME structure must be parsed first — later. */
type Verdict = boolean | Promise<boolean>;

function contains(text: string | Promise<string>, needle: string): Verdict {
  return typeof text === 'string' ? text.includes(needle) : text.then((t) => t.includes(needle));
}

function evaluate(key: SearchKey, c: Candidate, view: SelectedMailbox, max: { seq: number; uid: number }): Verdict {
  switch (key.op) {
    case 'all':
      return true;
    case 'flag':
      return hasFlag(c.row, key.flag) === key.present;
    case 'recent':
      return view.isRecent(c.row.uid) === key.present;
    case 'new':
      return view.isRecent(c.row.uid) && !hasFlag(c.row, '\\Seen');
    case 'seq':
      return inSequenceSet(key.set, c.seq, max.seq);
    case 'uid':
      return inSequenceSet(key.set, c.row.uid, max.uid);
    case 'size':
      return key.larger ? c.row.size > key.size : c.row.size < key.size;
    case 'modseq':
      return c.row.modseq >= key.modseq;
    case 'objectid':
      return c.row[key.field] === key.id;
    case 'date': {
      const day = key.field === 'internal' ? Math.floor(c.row.internal_date / DAY) * DAY : sentDay(c.headers());
      return day !== null && compareDay(day, key.compare, key.day);
    }
    case 'header': {
      const needle = key.value.toLowerCase();
      const fromEnvelope = c.envelopeField(key.field);
      if (fromEnvelope !== undefined) return fromEnvelope !== null && (needle === '' || fromEnvelope.includes(needle));
      return c.headers().some((f) => f.key === key.field && (needle === '' || decodeHeaderValue(fieldValue(f)).toLowerCase().includes(needle)));
    }
    case 'body':
      return contains(c.bodyText(), key.value.toLowerCase());
    case 'text': {
      const needle = key.value.toLowerCase();
      if (c.headers().some((f) => decodeHeaderValue(f.line).toLowerCase().includes(needle))) return true;
      return contains(c.bodyText(), needle);
    }
    case 'not': {
      const verdict = evaluate(key.key, c, view, max);
      return typeof verdict === 'boolean' ? !verdict : verdict.then((v) => !v);
    }
    case 'or': {
      const left = evaluate(key.left, c, view, max);
      if (typeof left === 'boolean') return left || evaluate(key.right, c, view, max);
      return left.then((v) => v || evaluate(key.right, c, view, max));
    }
    case 'and':
      return all(key.keys, 0, c, view, max);
  }
}

/** keys[from…] all true: at once while each answers at once. */
function all(keys: SearchKey[], from: number, c: Candidate, view: SelectedMailbox, max: { seq: number; uid: number }): Verdict {
  for (let i = from; i < keys.length; i++) {
    const verdict = evaluate(keys[i]!, c, view, max);
    if (verdict === false) return false;
    if (verdict !== true) return verdict.then((v) => v && all(keys, i + 1, c, view, max));
  }
  return true;
}

/** Does the search look at envelope headers (worth loading cached structures in bulk)? */
function usesHeaders(key: SearchKey): boolean {
  switch (key.op) {
    case 'header':
      return ENVELOPE_FIELDS.has(key.field);
    case 'not':
      return usesHeaders(key.key);
    case 'or':
      return usesHeaders(key.left) || usesHeaders(key.right);
    case 'and':
      return key.keys.some(usesHeaders);
    default:
      return false;
  }
}

/** The messages of the selected mailbox matching `key`, in sequence order. */
export async function search(session: Session, key: SearchKey, within?: Target[]): Promise<Match[]> {
  const view = session.selected;
  const cache = session.context.mimeCache;
  const targets = within ?? view.allTargets();
  const max = { seq: view.exists, uid: view.exists ? view.uidAt(view.exists)! : 0 };
  const mailbox = view.mailbox;
  const store = session.context.mailStore;
  const files = store.files(view.owner, mailbox);
  const headerKeys = usesHeaders(key);
  const matches: Match[] = [];
  for (let start = 0; start < targets.length; start += BATCH) {
    const batch = targets.slice(start, start + BATCH);
    const rows = new Map(view.rowsForUids(batch.map((t) => t.uid)).map((r) => [r.uid, r]));
    if (headerKeys) cache.prefetch([...rows.values()]);
    for (const target of batch) {
      const row = rows.get(target.uid);
      if (!row) continue;
      const candidate = new Candidate(target.seq, row, files, cache);
      try {
        const verdict = evaluate(key, candidate, view, max);
        if (verdict === true || (verdict !== false && (await verdict))) matches.push({ seq: target.seq, uid: row.uid, row });
      } catch (error) {
        // expunged by another session meanwhile: not a match
        if (!isGone(error)) throw error;
      }
    }
  }
  return matches;
}

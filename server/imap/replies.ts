// Building IMAP responses (RFC 3501 §7): tagged and untagged lines, and the data formats —
// quoted strings or literals, NIL, lists. A response is a list of pieces: text pieces are
// "binary" strings (one char = one octet), literal data stays a Buffer.
import { isDiskFull } from '../store/disk-space.js';

export type Piece = string | Buffer;

/** string: quoted when it can be, else a literal. `text` is binary (octets), not UTF-16. */
export function str(text: string | Buffer): Piece[] {
  if (Buffer.isBuffer(text)) return literal(text);
  return [strText(text)];
}

/** Octets a quoted string cannot carry (RFC 3501 §9: quoted-specials aside, 7-bit text only). */
const UNQUOTABLE = /[^\x20-\x7e]/;
const QUOTED_SPECIALS = /["\\]/;

/**
 * A string as one piece of response text: quoted when it may go quoted (7-bit, no CR/LF/NUL,
 * not too long), else a literal with its octets inline (`text` is binary, so length = octets).
 * (Regular expressions, not a loop over characters: as fast before the JIT has warmed up.)
 */
export function strText(text: string): string {
  if (text.length <= 1024 && !UNQUOTABLE.test(text)) {
    return QUOTED_SPECIALS.test(text) ? `"${text.replace(/[\\"]/g, '\\$&')}"` : `"${text}"`;
  }
  return `{${text.length}}\r\n${withoutNulText(text)}`;
}

/**
 * RFC 3501 §4.3, §9 (CHAR8 is %x01-ff): no literal carries a NUL. A message that holds one has
 * it replaced with 0x80 on output, as Dovecot does: one byte for one, so every size announced
 * (RFC822.SIZE, literal lengths, BODYSTRUCTURE) stays true. Copies only when there is a NUL: for
 * other data one indexOf, and each chunk of data read piece by piece can go through it alone.
 */
export function withoutNul(data: Buffer): Buffer {
  let at = data.indexOf(0);
  if (at < 0) return data;
  const copy = Buffer.from(data);
  for (; at >= 0; at = copy.indexOf(0, at + 1)) copy[at] = 0x80;
  return copy;
}

/** withoutNul for response text (binary: one character an octet). */
export function withoutNulText(text: string): string {
  return text.includes('\0') ? text.replaceAll('\0', '\x80') : text;
}

/**
 * A string of UTF-8 octets (`text` binary) for a client that enabled UTF-8 (RFC 6855 §3, RFC 9051
 * quoted strings take UTF-8): quoted when it may go quoted, else a literal.
 */
export function utf8String(text: string): Piece[] {
  if (text.length <= 1024 && !/[\x00-\x1f\x7f]/.test(text)) return [QUOTED_SPECIALS.test(text) ? `"${text.replace(/[\\"]/g, '\\$&')}"` : `"${text}"`];
  return [strText(text)];
}

/** nstring as response text: NIL or a string. */
export function nstrText(text: string | null | undefined): string {
  return text === null || text === undefined ? 'NIL' : strText(text);
}

export function literal(data: Buffer): Piece[] {
  return [`{${data.length}}\r\n`, withoutNul(data)];
}

export function nstr(text: string | Buffer | null | undefined): Piece[] {
  return text === null || text === undefined ? ['NIL'] : str(text);
}

/** A JS (UTF-16) string written as UTF-8 octets. */
export function utf8(text: string): string {
  return Buffer.from(text, 'utf8').toString('binary');
}

const ATOM_SAFE = /^[!#$&'+,\-.0-9:;<=>?@A-Z^_`a-z|}~\/]+$/;

/** astring: an atom when safe, else a quoted string or literal (mailbox names). */
export function astr(text: string): Piece[] {
  return ATOM_SAFE.test(text) && text.toUpperCase() !== 'NIL' ? [text] : str(text);
}

/** A parenthesized list of already formatted items. */
export function plist(items: Piece[][]): Piece[] {
  const out: Piece[] = ['('];
  items.forEach((item, i) => {
    if (i) out.push(' ');
    out.push(...item);
  });
  out.push(')');
  return out;
}

export function untagged(...pieces: Piece[]): Piece[] {
  return ['* ', ...pieces, '\r\n'];
}

export type Status = 'OK' | 'NO' | 'BAD';

export function tagged(tag: string, status: Status, text: string, code?: string): Piece[] {
  return [`${tag} ${status} ${code ? `[${code}] ` : ''}${text}\r\n`];
}

export function continuation(text: string): Piece[] {
  return [`+ ${text}\r\n`];
}

/** A failure a handler reports: becomes `tag NO/BAD [CODE] text`. */
export class ImapError extends Error {
  constructor(
    readonly status: 'NO' | 'BAD',
    message: string,
    readonly code?: string,
  ) {
    super(message);
    this.name = 'ImapError';
  }
}

/**
 * The tagged NO for a failure a handler did not expect (the caller logs the detail): a full disk
 * says so (RFC 5530 OVERQUOTA), anything else says what Dovecot says, with the time of the log
 * entry to look for. Never the error's own text: it names server paths and errno details.
 */
export function failureReply(tag: string, error: unknown, time: number): Piece[] {
  if (isDiskFull(error)) return tagged(tag, 'NO', 'Not enough disk space', 'OVERQUOTA');
  const stamp = `${new Date(time).toISOString().slice(0, 19).replace('T', ' ')} UTC`;
  return tagged(tag, 'NO', `Internal error occurred. Refer to server log for more information. [${stamp}]`, 'SERVERBUG');
}

export const no = (text: string, code?: string) => new ImapError('NO', text, code);
export const bad = (text: string, code?: string) => new ImapError('BAD', text, code);

/** Joins pieces into Buffers, merging adjacent text. */
export function toBuffer(pieces: Piece[]): Buffer {
  return Buffer.concat(pieces.map((p) => (typeof p === 'string' ? Buffer.from(p, 'binary') : p)));
}

/** A transcript of a response: literal data abbreviated. */
export function describe(pieces: Piece[]): string {
  let out = '';
  for (const piece of pieces) {
    if (typeof piece === 'string') out += piece;
    else out += `<${piece.length} bytes>`;
    if (out.length > 600) break;
  }
  return out.replace(/\r\n$/, '').replace(/\r\n/g, ' ');
}

/** IMAP date-time for INTERNALDATE: "17-Jul-1996 02:44:25 -0700" (UTC here). */
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
export function imapDateTime(ms: number): string {
  const d = new Date(ms);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${two(d.getUTCDate())}-${MONTHS[d.getUTCMonth()]}-${d.getUTCFullYear()} ${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())} +0000`;
}

// Mailbox names on the wire: modified UTF-7 (RFC 3501 §5.1.3), or UTF-8 once the client enabled
// UTF8=ACCEPT or IMAP4rev2 (RFC 6855 §3, RFC 9051 §5.1); the "/" hierarchy, INBOX in any case, and
// LIST patterns with "*" (any) and "%" (any within one level) (§6.3.8). The store keeps the
// modified UTF-7 form.
import { folderForName, HIERARCHY_DELIMITER } from '../store/mailstore.js';
import { astr, utf8, utf8String, type Piece } from './replies.js';

export const DELIMITER = HIERARCHY_DELIMITER;

/**
 * Canonical form of a client's mailbox name: INBOX upper-cased (also as a parent), UTF-8 encoded
 * as mUTF-7. `utf8`: the client speaks UTF-8 names, so an "&" is itself, never the start of mUTF-7.
 */
export function normalizeMailboxName(name: string, utf8Names = false): string {
  let result = utf8Names || /[^\x20-\x7e]/.test(name) ? encodeModifiedUtf7(name) : name;
  if (result.toUpperCase() === 'INBOX') result = 'INBOX';
  else if (result.toUpperCase().startsWith('INBOX' + DELIMITER)) result = 'INBOX' + result.slice(5);
  return result;
}

/**
 * Maildir++ keeps every mailbox in one directory of the Maildir named ".a.b.c" (folderForName,
 * "." and "%" inside a level taking 3 bytes each): that name must fit the file systems' limit on
 * a file name (NAME_MAX: 255 bytes on ext4, XFS, Btrfs, APFS; 255 UTF-16 units on NTFS). Names
 * are modified UTF-7, so one character is one byte.
 */
export const MAX_FOLDER_NAME_BYTES = 255;
/** Levels a name may have (Dovecot's limit too): one CREATE makes at most this many mailboxes. */
export const MAX_HIERARCHY_LEVELS = 20;
/** Bytes one level of a name may have (Dovecot's limit too). */
export const MAX_LEVEL_BYTES = 200;

/** Why a name cannot be created (CANNOT: never valid; LIMIT: over one of the limits above), or null. */
export function invalidMailboxName(name: string): { text: string; code: 'CANNOT' | 'LIMIT' } | null {
  const cannot = (text: string) => ({ text, code: 'CANNOT' as const });
  const limit = (text: string) => ({ text, code: 'LIMIT' as const });
  if (!name) return cannot('Mailbox name is empty');
  const levels = name.split(DELIMITER);
  if (levels.length > MAX_HIERARCHY_LEVELS) return limit(`Mailbox name has too many levels (at most ${MAX_HIERARCHY_LEVELS})`);
  if (levels.some((level) => level.length > MAX_LEVEL_BYTES)) return limit(`Mailbox name is too long: a level may have at most ${MAX_LEVEL_BYTES} bytes`);
  if (folderForName(name).length > MAX_FOLDER_NAME_BYTES) {
    return limit(`Mailbox name is too long: at most ${MAX_FOLDER_NAME_BYTES - 1} bytes, a "." or "%" counting as 3`);
  }
  if (levels.includes('')) return cannot('Mailbox name has an empty level');
  if (/[*%\x00-\x1f\x7f]/.test(name)) return cannot('Mailbox name has characters that are not allowed (* % or control characters)');
  if (levels.some((level) => level.startsWith('.'))) return cannot('Mailbox levels may not start with a dot');
  if (!isValidModifiedUtf7(name)) return cannot('Mailbox name is not valid modified UTF-7');
  return null;
}

export function isValidModifiedUtf7(name: string): boolean {
  try {
    decodeModifiedUtf7(name);
    return true;
  } catch {
    return false;
  }
}

export function encodeModifiedUtf7(text: string): string {
  let out = '';
  let pending = '';
  const flush = () => {
    if (!pending) return;
    const bytes = Buffer.alloc(pending.length * 2);
    for (let i = 0; i < pending.length; i++) bytes.writeUInt16BE(pending.charCodeAt(i), i * 2);
    out += '&' + bytes.toString('base64').replace(/=+$/, '').replace(/\//g, ',') + '-';
    pending = '';
  };
  for (const char of text) {
    const code = char.charCodeAt(0);
    if (code >= 0x20 && code <= 0x7e) {
      flush();
      out += char === '&' ? '&-' : char;
    } else pending += char;
  }
  flush();
  return out;
}

/** Modified BASE64 (RFC 3501 §5.1.3): RFC 2045's alphabet with "," for "/", no padding. */
const MODIFIED_BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,';

/**
 * Reads a modified UTF-7 name strictly (RFC 3501 §5.1.3), as Dovecot does: "&" opens a shift
 * that "-" must close ("&-" is "&"); what is inside is UTF-16 in modified BASE64 with no bits to
 * spare, surrogates in pairs, and nothing below 0x80 (printable US-ASCII must represent itself,
 * control characters have no place in a name). Throws on anything else.
 */
export function decodeModifiedUtf7(name: string): string {
  let out = '';
  let from = 0;
  for (let amp = name.indexOf('&'); amp >= 0; amp = name.indexOf('&', from)) {
    const end = name.indexOf('-', amp + 1);
    if (end < 0) throw new Error('invalid modified UTF-7: "&" without its closing "-"');
    out += name.slice(from, amp) + (end === amp + 1 ? '&' : decodeShift(name.slice(amp + 1, end)));
    from = end + 1;
  }
  return out + name.slice(from);
}

function decodeShift(encoded: string): string {
  const units: number[] = [];
  let bits = 0;
  let value = 0;
  for (const char of encoded) {
    const digit = MODIFIED_BASE64.indexOf(char);
    if (digit < 0) throw new Error('invalid modified UTF-7: not modified BASE64');
    value = (value << 6) | digit;
    bits += 6;
    if (bits >= 16) {
      bits -= 16;
      units.push(value >> bits);
      value &= (1 << bits) - 1;
    }
  }
  if (bits >= 6 || value !== 0) throw new Error('invalid modified UTF-7: bits left over');
  let text = '';
  for (let i = 0; i < units.length; i++) {
    const unit = units[i]!;
    if (unit < 0x80) throw new Error('invalid modified UTF-7: US-ASCII inside a shift');
    if (unit >= 0xdc00 && unit <= 0xdfff) throw new Error('invalid modified UTF-7: unpaired surrogate');
    if (unit >= 0xd800 && unit <= 0xdbff) {
      const low = units[++i];
      if (low === undefined || low < 0xdc00 || low > 0xdfff) throw new Error('invalid modified UTF-7: unpaired surrogate');
      text += String.fromCharCode(unit, low);
    } else text += String.fromCharCode(unit);
  }
  return text;
}

/** A stored name as the client reads it: modified UTF-7 as an astring, or UTF-8 (`utf8Names`) as a string. */
export function wireMailboxName(name: string, utf8Names: boolean): Piece[] {
  if (!utf8Names || !name.includes('&')) return astr(name);
  return utf8String(utf8(decodeModifiedUtf7(name)));
}

/** A LIST pattern as a matcher; the reference name is prefixed as RFC 3501 §6.3.8 describes. */
export function patternMatcher(reference: string, pattern: string, utf8Names = false): (name: string) => boolean {
  const full = normalizeMailboxName(reference + pattern, utf8Names);
  let source = '';
  for (const char of full) {
    if (char === '*') source += '.*';
    else if (char === '%') source += `[^${escapeRegex(DELIMITER)}]*`;
    else source += escapeRegex(char);
  }
  const exact = new RegExp(`^${source}$`);
  const inboxInsensitive = /^inbox/i.test(full) ? new RegExp(`^${source}$`, 'i') : null;
  return (name: string) => exact.test(name) || (name === 'INBOX' || name.startsWith('INBOX' + DELIMITER) ? !!inboxInsensitive?.test(name) : false);
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

/** "a/b/c" → ["a", "a/b"]: the names above a mailbox. */
export function parentsOf(name: string): string[] {
  const levels = name.split(DELIMITER);
  const parents: string[] = [];
  for (let i = 1; i < levels.length; i++) parents.push(levels.slice(0, i).join(DELIMITER));
  return parents;
}

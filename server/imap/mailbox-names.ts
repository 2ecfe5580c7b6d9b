// Mailbox names on the wire: modified UTF-7 (RFC 3501 §5.1.3), the "/" hierarchy, INBOX in any
// case, and LIST patterns with "*" (any) and "%" (any within one level) (§6.3.8).
import { HIERARCHY_DELIMITER } from '../store/mailstore.js';

export const DELIMITER = HIERARCHY_DELIMITER;

/** Canonical form of a client's mailbox name: INBOX upper-cased (also as a parent), UTF-8 encoded as mUTF-7. */
export function normalizeMailboxName(name: string): string {
  let result = /[^\x20-\x7e]/.test(name) ? encodeModifiedUtf7(name) : name;
  if (result.toUpperCase() === 'INBOX') result = 'INBOX';
  else if (result.toUpperCase().startsWith('INBOX' + DELIMITER)) result = 'INBOX' + result.slice(5);
  return result;
}

/** Why a name cannot be created, or null. */
export function invalidMailboxName(name: string): string | null {
  if (!name) return 'Mailbox name is empty';
  if (name.length > 255) return 'Mailbox name is too long';
  if (name.startsWith(DELIMITER) || name.endsWith(DELIMITER) || name.includes(DELIMITER + DELIMITER)) return 'Mailbox name has an empty level';
  if (/[*%\x00-\x1f\x7f]/.test(name)) return 'Mailbox name has characters that are not allowed (* % or control characters)';
  if (name.split(DELIMITER).some((level) => level === '.' || level === '..' || level.startsWith('.'))) return 'Mailbox levels may not start with a dot';
  if (!isValidModifiedUtf7(name)) return 'Mailbox name is not valid modified UTF-7';
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

export function decodeModifiedUtf7(name: string): string {
  return name.replace(/&([^-]*)-/g, (_, encoded: string) => {
    if (!encoded) return '&';
    if (!/^[A-Za-z0-9+,]+$/.test(encoded)) throw new Error('invalid modified UTF-7');
    const bytes = Buffer.from(encoded.replace(/,/g, '/'), 'base64');
    if (bytes.length % 2) throw new Error('invalid modified UTF-7');
    let text = '';
    for (let i = 0; i < bytes.length; i += 2) text += String.fromCharCode(bytes.readUInt16BE(i));
    return text;
  });
}

/** A LIST pattern as a matcher; the reference name is prefixed as RFC 3501 §6.3.8 describes. */
export function patternMatcher(reference: string, pattern: string): (name: string) => boolean {
  const full = normalizeMailboxName(reference + pattern);
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

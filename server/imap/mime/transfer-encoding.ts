// Content-Transfer-Encoding (RFC 2045 §6): a part's body decoded (SEARCH's text, BINARY's octets,
// RFC 3516), and binary parts made 7-bit (base64) when a message comes in as a literal8, so that
// every reader of the stored message — BODY[], POP3, other Maildir readers — can carry it.
import { splitHeaderFields } from './headers.js';
import { parseMessageStructure, type MimePart } from './structure.js';

/** The body decoded; null when the encoding is not one RFC 2045 knows (BINARY's UNKNOWN-CTE). */
export function decodeTransferEncoding(body: Buffer, encoding: string): Buffer | null {
  switch (encoding.toLowerCase()) {
    case '':
    case '7bit':
    case '8bit':
    case 'binary':
      return body;
    case 'base64':
      return Buffer.from(body.toString('latin1').replace(/[^A-Za-z0-9+/]/g, ''), 'base64');
    case 'quoted-printable':
      return decodeQuotedPrintable(body);
    default:
      return null;
  }
}

/**
 * Quoted-printable (RFC 2045 §6.7): =XX escapes; "=" ending a line (spaces and tabs may follow it)
 * joins it to the next; spaces and tabs ending a line are transport padding and go.
 */
function decodeQuotedPrintable(body: Buffer): Buffer {
  const out = Buffer.alloc(body.length);
  let length = 0;
  let start = 0;
  while (start <= body.length) {
    let end = body.indexOf(0x0a, start);
    const last = end < 0;
    if (last) end = body.length;
    let lineEnd = end > start && body[end - 1] === 0x0d ? end - 1 : end;
    while (lineEnd > start && (body[lineEnd - 1] === 0x20 || body[lineEnd - 1] === 0x09)) lineEnd--;
    const soft = lineEnd > start && body[lineEnd - 1] === 0x3d;
    if (soft) lineEnd--;
    for (let i = start; i < lineEnd; i++) {
      const c = body[i]!;
      if (c === 0x3d && i + 2 < lineEnd && isHex(body[i + 1]) && isHex(body[i + 2])) {
        out[length++] = parseInt(body.toString('latin1', i + 1, i + 3), 16);
        i += 2;
      } else out[length++] = c;
    }
    if (last) break;
    if (!soft) {
      out[length++] = 0x0d;
      out[length++] = 0x0a;
    }
    start = end + 1;
  }
  return out.subarray(0, length);
}

function isHex(c: number | undefined): boolean {
  return c !== undefined && ((c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66));
}

/** Base64 in lines of 76 characters (RFC 2045 §6.8), each ended by CRLF. */
function base64Lines(data: Buffer): string {
  const text = data.toString('base64');
  let out = '';
  for (let i = 0; i < text.length; i += 76) out += `${text.slice(i, i + 76)}\r\n`;
  return out;
}

function leaves(part: MimePart, out: MimePart[] = []): MimePart[] {
  if (part.parts) for (const child of part.parts) leaves(child, out);
  else if (part.message) leaves(part.message, out);
  else out.push(part);
  return out;
}

/**
 * content[from, to) with each of `parts` (single parts inside it, in order) given a new body and a
 * Content-Transfer-Encoding field that says `encoding`; null when `body` gives null for one.
 */
function rewriteParts(content: Buffer, from: number, to: number, parts: MimePart[], encoding: string, body: (part: MimePart) => Buffer | null): Buffer | null {
  const pieces: Buffer[] = [];
  let at = from;
  for (const part of parts) {
    const data = body(part);
    if (!data) return null;
    const header = splitHeaderFields(content.toString('latin1', part.hs, part.bs))
      .map((field) => (field.key === 'content-transfer-encoding' ? `Content-Transfer-Encoding: ${encoding}` : field.line))
      .join('\r\n');
    // the line end before a boundary stays the boundary's
    pieces.push(content.subarray(at, part.hs), Buffer.from(`${header}\r\n\r\n`, 'latin1'), data);
    at = part.be;
  }
  pieces.push(content.subarray(at, to));
  return Buffer.concat(pieces);
}

/**
 * A message that came as a literal8 (RFC 3516 §4.4), its "Content-Transfer-Encoding: binary" parts
 * re-encoded as base64 (BINARY[] gives back their octets); the message itself when it has none.
 */
export async function binaryPartsToBase64(content: Buffer): Promise<Buffer> {
  const binary = leaves(await parseMessageStructure(content)).filter((part) => part.encoding === 'binary');
  if (!binary.length) return content;
  return rewriteParts(content, 0, content.length, binary, 'base64', (part) => Buffer.from(base64Lines(content.subarray(part.bs, part.be)), 'latin1'))!;
}

const IDENTITY = new Set(['7bit', '8bit', 'binary']);

/**
 * A part's body in binary form (RFC 3516 BINARY, RFC 5524 URLFETCH BINARY): a single part decoded;
 * a multipart or message/rfc822 part with every encoded part inside it decoded and marked
 * "Content-Transfer-Encoding: binary". Null when an encoding is unknown (UNKNOWN-CTE).
 */
export function binaryForm(content: Buffer, part: MimePart): Buffer | null {
  if (!part.parts && !part.message) return decodeTransferEncoding(content.subarray(part.bs, part.be), part.encoding);
  const encoded = leaves(part).filter((leaf) => !IDENTITY.has(leaf.encoding));
  return rewriteParts(content, part.bs, part.be, encoded, 'binary', (leaf) => decodeTransferEncoding(content.subarray(leaf.bs, leaf.be), leaf.encoding));
}

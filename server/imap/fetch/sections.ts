// The bytes of BODY[section] (RFC 3501 §6.4.5): slices of the original message, found through
// its MIME structure; HEADER.FIELDS (.NOT) keep the chosen fields in their original order.
import { splitHeaderFields } from '../mime/headers.js';
import type { MimePart } from '../mime/structure.js';
import { binaryForm } from '../mime/transfer-encoding.js';
import type { Section } from './items.js';

const EMPTY = Buffer.alloc(0);

/** Where a message's header ends (after its blank line), for sections that need no structure. */
export function headerEnd(content: Buffer, from = 0, to = content.length): number {
  const crlf = content.indexOf('\r\n\r\n', from);
  const lf = content.indexOf('\n\n', from);
  let end = to;
  if (crlf >= 0 && crlf < to && (lf < 0 || crlf < lf)) end = crlf + 4;
  else if (lf >= 0 && lf < to) end = lf + 2;
  if (from === 0 && (content[0] === 0x0a || (content[0] === 0x0d && content[1] === 0x0a))) end = content[0] === 0x0a ? 1 : 2;
  return Math.min(end, to);
}

/**
 * The parts a part number counts through: a multipart's parts; for a message with any other body,
 * that body alone (part 1, even when it is itself a message/rfc822: RFC 3501 §6.4.5); for a
 * message/rfc822 part, the parts of the message it carries.
 */
function childrenOf(part: MimePart, isMessage: boolean): MimePart[] {
  if (part.parts) return part.parts;
  if (isMessage) return [part];
  return part.message ? childrenOf(part.message, true) : [];
}

/** The part a part number names (1.2.3), or null when the message has no such part. */
export function partAt(structure: MimePart, path: readonly number[]): MimePart | null {
  let part: MimePart = structure;
  let isMessage = true;
  for (const n of path) {
    const next = childrenOf(part, isMessage)[n - 1];
    if (!next) return null;
    part = next;
    isMessage = false;
  }
  return part;
}

export function sectionBytes(content: Buffer, structure: MimePart | null, section: Section): Buffer {
  if (!section.path.length) {
    if (section.specifier === '') return content;
    const end = headerEnd(content);
    return pick(content, section, 0, end, content.length);
  }
  const part = structure && partAt(structure, section.path);
  if (!part) return EMPTY;
  switch (section.specifier) {
    case '':
      return content.subarray(part.bs, part.be);
    case 'MIME':
      return content.subarray(part.hs, part.bs);
    default: {
      // HEADER / TEXT / HEADER.FIELDS of a part are those of the message it carries
      const message = part.message;
      if (!message) return EMPTY;
      return pick(content, section, message.hs, message.bs, message.be);
    }
  }
}

function pick(content: Buffer, section: Section, hs: number, bs: number, be: number): Buffer {
  switch (section.specifier) {
    case '':
      return content.subarray(hs, be);
    case 'HEADER':
    case 'MIME':
      return content.subarray(hs, bs);
    case 'TEXT':
      return content.subarray(bs, be);
    case 'HEADER.FIELDS':
    case 'HEADER.FIELDS.NOT': {
      const wanted = new Set(section.fields.map((f) => f.toLowerCase()));
      const keep = section.specifier === 'HEADER.FIELDS';
      const fields = splitHeaderFields(content.toString('binary', hs, bs)).filter((f) => wanted.has(f.key) === keep);
      return Buffer.from(fields.map((f) => f.line + '\r\n').join('') + '\r\n', 'binary');
    }
  }
}

/**
 * BINARY[part] (RFC 3516 §4.2): the part's body in binary form (binaryForm), the whole message
 * ([]) as it is. Null when an encoding is unknown (UNKNOWN-CTE).
 */
export function binaryBytes(content: Buffer, structure: MimePart | null, path: readonly number[]): Buffer | null {
  if (!path.length) return content;
  const part = structure && partAt(structure, path);
  return part ? binaryForm(content, part) : EMPTY;
}

/** <offset.length> of a section (RFC 3501 §6.4.5: an offset past the end gives an empty string). */
export function applyPartial(data: Buffer, partial: { offset: number; length: number } | null): Buffer {
  if (!partial) return data;
  if (partial.offset >= data.length) return EMPTY;
  return data.subarray(partial.offset, partial.offset + partial.length);
}

// The body of an email as JMAP shows it (RFC 8621 §4.1.4): bodyStructure as a tree of
// EmailBodyParts (partIds are IMAP section numbers, so "2.1" means the same part in both), the
// textBody/htmlBody/attachments lists by the RFC's own algorithm, and bodyValues decoded from the
// transfer encoding and charset. Made from the cached MIME structure with byte offsets.
import { mimeLibraries } from '../imap/mime/libraries.js';
import type { MimePart } from '../imap/mime/structure.js';
import { decodePart } from '../imap/search/evaluate.js';
import { rawHeaders, headerProperty, type RawHeader } from './email-headers.js';

export const DEFAULT_BODY_PROPERTIES = ['partId', 'blobId', 'size', 'name', 'type', 'charset', 'disposition', 'cid', 'language', 'location'] as const;
export const BODY_PROPERTIES = [...DEFAULT_BODY_PROPERTIES, 'headers', 'subParts'] as const;

export interface BodyPart {
  partId: string | null;
  blobId: string | null;
  size: number;
  headers: RawHeader[];
  name: string | null;
  type: string;
  charset: string | null;
  disposition: string | null;
  cid: string | null;
  language: string[] | null;
  location: string | null;
  subParts?: BodyPart[];
  /** Where its bytes are, for bodyValues and blobs. */
  source: MimePart;
}

/** The blob id of a part: the email's id and the part's section. */
export function partBlobId(emailId: string, partId: string): string {
  return `${emailId}_${partId.replace(/\./g, '-')}`;
}

/** Parameter values, RFC 2231 (name*=utf-8''%E6%8A%A5) and RFC 2047 (=?utf-8?B?…?=) decoded. */
function parameter(params: Array<[string, string]>, key: string): string | null {
  const plain = params.find(([k]) => k === key)?.[1];
  if (plain !== undefined) return mimeLibraries().libmime.decodeWords(plain);
  const extended = params.find(([k]) => k === `${key}*`)?.[1];
  if (extended === undefined) return null;
  const m = /^([^']*)'[^']*'(.*)$/.exec(extended);
  if (!m) return extended;
  const bytes = Buffer.from(m[2]!.replace(/%([0-9A-Fa-f]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16))), 'binary');
  try {
    return mimeLibraries().charsets.decode(bytes, m[1] || 'utf-8');
  } catch {
    return bytes.toString('utf8');
  }
}

/** The tree of EmailBodyParts of a message. */
export function bodyStructure(content: Buffer, root: MimePart, emailId: string): BodyPart {
  const walk = (part: MimePart, partId: string): BodyPart => {
    const type = `${part.type}/${part.subtype}`.toLowerCase();
    const isMultipart = part.type.toLowerCase() === 'multipart';
    const headers = rawHeaders(content.subarray(part.hs, part.bs));
    const explicitCharset = parameter(part.params, 'charset');
    return {
      partId: isMultipart ? null : partId,
      blobId: isMultipart ? null : partBlobId(emailId, partId),
      size: isMultipart ? part.be - part.bs : decodedBytes(content, part).length,
      headers,
      name: (part.disposition && parameter(part.disposition.params, 'filename')) ?? parameter(part.params, 'name'),
      type,
      charset: explicitCharset ?? (part.type.toLowerCase() === 'text' ? 'us-ascii' : null),
      disposition: part.disposition?.type.toLowerCase() ?? null,
      cid: part.id ? part.id.replace(/^\s*<|>\s*$/g, '') : null,
      language: part.language,
      location: part.location,
      ...(isMultipart ? { subParts: (part.parts ?? []).map((child, i) => walk(child, partId === '' ? String(i + 1) : `${partId}.${i + 1}`)) } : {}),
      source: part,
    };
  };
  // a single-part message is section 1; a multipart one numbers its children from 1
  return walk(root, root.type.toLowerCase() === 'multipart' ? '' : '1');
}

/** A leaf part's bytes after the transfer encoding. */
export function decodedBytes(content: Buffer, part: MimePart): Buffer {
  const raw = content.subarray(part.bs, part.be);
  const encoding = part.encoding.toLowerCase();
  if (encoding === 'base64') return Buffer.from(raw.toString('latin1').replace(/[^A-Za-z0-9+/=]/g, ''), 'base64');
  // ISO-8859-1 maps every byte to one character and back: the decoded bytes, whatever they are
  if (encoding === 'quoted-printable') return Buffer.from(decodePart(raw, encoding, 'iso-8859-1'), 'latin1');
  return raw;
}

function isInlineMediaType(type: string): boolean {
  return type.startsWith('image/') || type.startsWith('audio/') || type.startsWith('video/');
}

/** RFC 8621 §4.1.4: textBody, htmlBody and attachments, as the RFC's parseStructure computes them. */
export function bodyLists(root: BodyPart): { textBody: BodyPart[]; htmlBody: BodyPart[]; attachments: BodyPart[] } {
  const textBody: BodyPart[] = [];
  const htmlBody: BodyPart[] = [];
  const attachments: BodyPart[] = [];
  const parse = (parts: BodyPart[], multipartType: string, inAlternative: boolean, html: BodyPart[] | null, text: BodyPart[] | null): void => {
    const textLength = text ? text.length : -1;
    const htmlLength = html ? html.length : -1;
    parts.forEach((part, i) => {
      const isMultipart = part.type.startsWith('multipart/');
      const isInline =
        part.disposition !== 'attachment' &&
        (part.type === 'text/plain' || part.type === 'text/html' || isInlineMediaType(part.type)) &&
        (i === 0 || (multipartType !== 'related' && (isInlineMediaType(part.type) || !part.name)));
      if (isMultipart) {
        const sub = part.type.split('/')[1]!;
        parse(part.subParts ?? [], sub, inAlternative || sub === 'alternative', html, text);
      } else if (isInline) {
        if (multipartType === 'alternative') {
          if (part.type === 'text/plain') text?.push(part);
          else if (part.type === 'text/html') html?.push(part);
          else attachments.push(part);
          return;
        }
        if (inAlternative) {
          if (part.type === 'text/plain') html = null;
          if (part.type === 'text/html') text = null;
        }
        text?.push(part);
        html?.push(part);
        if ((!text || !html) && isInlineMediaType(part.type)) attachments.push(part);
      } else attachments.push(part);
    });
    if (multipartType === 'alternative' && text && html) {
      if (textLength === text.length && htmlLength !== html.length) text.push(...html.slice(htmlLength));
      if (htmlLength === html.length && textLength !== text.length) html.push(...text.slice(textLength));
    }
  };
  parse([root], 'mixed', false, htmlBody, textBody);
  return { textBody, htmlBody, attachments };
}

/** A part as the client asked to see it (bodyProperties; header:… forms allowed); a multipart part always with its subParts. */
export function partObject(part: BodyPart, properties: readonly string[]): Record<string, unknown> {
  const object: Record<string, unknown> = {};
  for (const property of properties) {
    if (property.startsWith('header:')) object[property] = headerProperty(part.headers, property);
    else if (property !== 'subParts') object[property] = part[property as keyof BodyPart];
  }
  if (part.subParts) object.subParts = part.subParts.map((child) => partObject(child, properties));
  return object;
}

export interface BodyValue {
  value: string;
  isEncodingProblem: boolean;
  isTruncated: boolean;
}

/** §4.1.4 bodyValues: the text of a text part, cut at maxBytes (UTF-8 octets, whole characters) when given. */
export function bodyValue(content: Buffer, part: BodyPart, maxBytes: number): BodyValue {
  const source = part.source;
  let value = decodePart(content.subarray(source.bs, source.be), source.encoding.toLowerCase(), part.charset ?? '');
  const isEncodingProblem = value.includes('\uFFFD');
  let isTruncated = false;
  if (maxBytes > 0 && Buffer.byteLength(value) > maxBytes) {
    let cut = Buffer.from(value).subarray(0, maxBytes).toString('utf8');
    if (cut.endsWith('\uFFFD')) cut = cut.replace(/\uFFFD+$/, '');
    value = cut;
    isTruncated = true;
  }
  return { value, isEncodingProblem, isTruncated };
}

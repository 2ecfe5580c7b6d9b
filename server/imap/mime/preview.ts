// PREVIEW (RFC 8970): the opening words of a message, as a client shows them under its subject in a
// list. Taken from the first text part that is not an attachment (text/plain preferred within a
// multipart/alternative, HTML made text by html-to-text, loaded on first use), decoded, quoted lines
// ("> …") and white space runs dropped, cut at a word where it passes PREVIEW_LENGTH characters
// (§3.1: at most 256).
import { createRequire } from 'node:module';
import { decodePart } from '../search/evaluate.js';
import type { MimePart } from './structure.js';

export const PREVIEW_LENGTH = 200;
/** Part bytes read for a preview: enough for its first lines, however long the part. */
const PART_BYTES = 64 * 1024;

type HtmlToText = (html: string, options: object) => string;
let htmlToText: HtmlToText | undefined;

function htmlText(html: string): string {
  htmlToText ??= (createRequire(import.meta.url)('html-to-text') as { convert: HtmlToText }).convert;
  return htmlToText(html, { wordwrap: false, selectors: [{ selector: 'a', options: { ignoreHref: true } }, { selector: 'img', format: 'skip' }] });
}

/** The preview text of a message ('' when it has no text to show). */
export function previewOf(content: Buffer, structure: MimePart): string {
  const part = textPart(structure);
  if (!part) return '';
  const charset = part.params.find(([key]) => key === 'charset')?.[1] ?? '';
  let text = decodePart(content.subarray(part.bs, Math.min(part.be, part.bs + PART_BYTES)), part.encoding, charset);
  if (part.subtype === 'html') text = htmlText(text);
  return shorten(
    text
      .split(/\r?\n/)
      .filter((line) => !line.startsWith('>'))
      .join(' ')
      .replace(/\s+/g, ' ')
      .trim(),
  );
}

/** The first text part that is not an attachment; in a multipart/alternative, its text/plain one if it has one. */
function textPart(part: MimePart): MimePart | null {
  if (part.parts) {
    const candidates = part.parts.map(textPart).filter((p): p is MimePart => p !== null);
    if (part.subtype === 'alternative') return candidates.find((p) => p.subtype === 'plain') ?? candidates[0] ?? null;
    return candidates[0] ?? null;
  }
  if (part.type !== 'text' || (part.subtype !== 'plain' && part.subtype !== 'html')) return null;
  return part.disposition?.type === 'attachment' ? null : part;
}

/** At most PREVIEW_LENGTH characters (code points), cut at a space when one is near the end. */
function shorten(text: string): string {
  const chars = [...text];
  if (chars.length <= PREVIEW_LENGTH) return text;
  const cut = chars.slice(0, PREVIEW_LENGTH).join('');
  const space = cut.lastIndexOf(' ');
  return (space > PREVIEW_LENGTH * 0.75 ? cut.slice(0, space) : cut).trimEnd();
}

// The MIME structure of a stored message, with the byte offsets of every part, so that
// BODY[1.2] or BODY[2.HEADER] is a slice of the original bytes. mailsplit walks the message
// (headers and the multipart tree); nested message/rfc822 bodies are walked the same way.
// RFC 2045/2046 for MIME; RFC 3501 §6.4.5 and §7.4.2 for what IMAP reports.
import type { Splitter, SplitterChunk, SplitterNode } from 'mailsplit';
import { envelopeOf, type Envelope } from './envelope.js';
import { headerBlockEnd } from './header-block.js';
import { firstValue, parseParameterized, splitHeaderFields } from './headers.js';
import { mimeLibraries } from './libraries.js';

export type { Envelope, EnvelopeAddress } from './envelope.js';

export interface MimePart {
  /** Offsets in the message file: header start, body start, body end (exclusive). */
  hs: number;
  bs: number;
  be: number;
  type: string;
  subtype: string;
  params: Array<[string, string]>;
  id: string | null;
  description: string | null;
  encoding: string;
  md5: string | null;
  disposition: { type: string; params: Array<[string, string]> } | null;
  language: string[] | null;
  location: string | null;
  /** Lines of the body (its LF count), as Dovecot counts them. */
  lines: number;
  /** multipart/*: the parts. */
  parts?: MimePart[];
  /** message/rfc822: the enclosed message. */
  message?: MimePart;
  /** On a message (the root, or the enclosed message of a message/rfc822 part). */
  envelope?: Envelope;
}

const MAX_DEPTH = 16;

/** Parses a whole message. Never throws: a message it cannot walk is reported as one text part. */
export async function parseMessageStructure(content: Buffer): Promise<MimePart> {
  return parseMessage(content, 0, content.length, 0);
}

async function parseMessage(content: Buffer, start: number, end: number, depth: number): Promise<MimePart> {
  const slice = content.subarray(start, end);
  let nodes: Array<{ node: SplitterNode; hs: number; hlen: number }> = [];
  const headerEnd = headerBlockEnd(slice);
  const headerText = slice.toString('binary', 0, headerEnd);
  const headerFields = splitHeaderFields(headerText);
  // the same envelope as FETCH ENVELOPE reads from the header block alone (envelope.ts)
  const envelope = envelopeOf(headerFields);
  // a single-part message has nothing for the splitter to walk: its header says all
  const type = (firstValue(headerFields, 'content-type') ?? '').trimStart().toLowerCase();
  if (type.startsWith('multipart/') || type.startsWith('message/')) {
    try {
      nodes = await splitNodes(slice);
    } catch {
      nodes = [];
    }
  }
  if (!nodes.length) {
    const root = makePart(headerText, start, start + headerEnd, end, null);
    root.envelope = envelope;
    finishOffsets(root, content, end);
    await expandMessages(root, content, depth);
    return root;
  }
  const parts = new Map<SplitterNode, MimePart>();
  let root: MimePart | null = null;
  for (const { node, hs, hlen } of nodes) {
    const parentNode = node.parentNode || null;
    const parent = parentNode ? parts.get(parentNode) ?? null : null;
    const nodeHeader = slice.toString('binary', hs, hs + hlen);
    const part = makePart(nodeHeader, start + hs, start + hs + hlen, end, parent);
    parts.set(node, part);
    if (!parent) {
      root = part;
      part.envelope = envelope;
    } else if (parent.parts) parent.parts.push(part);
  }
  const top = root ?? makePart('', start, start, end, null);
  top.envelope = envelope;
  finishOffsets(top, content, end);
  await expandMessages(top, content, depth);
  return top;
}

/** Runs mailsplit over the bytes and notes where each part's header starts and how long it is. */
function splitNodes(input: Buffer): Promise<Array<{ node: SplitterNode; hs: number; hlen: number }>> {
  return new Promise((resolve, reject) => {
    const splitter = new (splitterClass())({ ignoreEmbedded: true });
    const nodes: Array<{ node: SplitterNode; hs: number; hlen: number }> = [];
    let offset = 0;
    splitter.on('data', (chunk: SplitterChunk) => {
      if (chunk.type === 'node') {
        const length = chunk.getHeaders().length;
        nodes.push({ node: chunk, hs: offset, hlen: length });
        offset += length;
      } else offset += chunk.value.length;
    });
    splitter.on('end', () => resolve(nodes));
    splitter.on('error', reject);
    splitter.end(input);
  });
}

let paddedSplitter: typeof Splitter | undefined;

/**
 * mailsplit's splitter, also taking boundary lines with transport padding: spaces or tabs after
 * the boundary, which RFC 2046 §5.1.1 says to ignore (mailsplit wants the line end right after).
 * The line it emits stays as it came, so the offsets above still count the padding.
 */
function splitterClass(): typeof Splitter {
  return (paddedSplitter ??= class extends mimeLibraries().mailsplit.Splitter {
    override compareBoundary(line: Buffer, startpos: number, boundary: Buffer): 1 | 2 | false {
      return super.compareBoundary(withoutPadding(line), startpos, boundary);
    }
  });
}

/** The line with the spaces and tabs before its line end taken out. */
function withoutPadding(line: Buffer): Buffer {
  let end = line.length;
  while (end > 0 && (line[end - 1] === 0x0a || line[end - 1] === 0x0d)) end--;
  let kept = end;
  while (kept > 0 && (line[kept - 1] === 0x20 || line[kept - 1] === 0x09)) kept--;
  return kept === end ? line : Buffer.concat([line.subarray(0, kept), line.subarray(end)]);
}

function makePart(headerText: string, hs: number, bs: number, be: number, parent: MimePart | null): MimePart {
  const fields = splitHeaderFields(headerText);
  const contentType = firstValue(fields, 'content-type');
  const parsed = contentType ? parseParameterized(contentType) : null;
  let type = 'text';
  let subtype = 'plain';
  let params: Array<[string, string]> = [['charset', 'us-ascii']];
  const slash = parsed?.value.indexOf('/') ?? -1;
  if (parsed && slash > 0 && slash < parsed.value.length - 1) {
    type = parsed.value.slice(0, slash).trim().toLowerCase();
    subtype = parsed.value.slice(slash + 1).trim().toLowerCase();
    params = parsed.params;
  } else if (parent && parent.type === 'multipart' && parent.subtype === 'digest') {
    // RFC 2046 §5.1.5: in a digest the default is message/rfc822
    type = 'message';
    subtype = 'rfc822';
    params = [];
  }
  const disposition = firstValue(fields, 'content-disposition');
  const dispositionParsed = disposition ? parseParameterized(disposition) : null;
  const language = firstValue(fields, 'content-language');
  const part: MimePart = {
    hs,
    bs,
    be,
    type,
    subtype,
    params,
    id: firstValue(fields, 'content-id'),
    description: firstValue(fields, 'content-description'),
    encoding: (firstValue(fields, 'content-transfer-encoding') ?? '7bit').replace(/\([^)]*\)/g, '').trim().toLowerCase() || '7bit',
    md5: firstValue(fields, 'content-md5'),
    disposition: dispositionParsed && dispositionParsed.value ? { type: dispositionParsed.value.toLowerCase(), params: dispositionParsed.params } : null,
    language: language
      ? language
          .split(',')
          .map((l) => l.trim())
          .filter(Boolean)
      : null,
    location: firstValue(fields, 'content-location'),
    lines: 0,
  };
  if (type === 'multipart') part.parts = [];
  return part;
}

/** Body ends: the root runs to the end; a part of a multipart ends before the next delimiter line. */
function finishOffsets(part: MimePart, content: Buffer, end: number): void {
  part.be = Math.max(part.bs, Math.min(end, part.be));
  if (part.parts) {
    const boundary = part.params.find(([k]) => k === 'boundary')?.[1];
    for (const child of part.parts) {
      child.be = boundary ? delimiterBefore(content, child.bs, part.be, boundary) : part.be;
      finishOffsets(child, content, child.be);
    }
  }
  part.lines = countLines(content, part.bs, part.be);
}

/** Where the body starting at `from` ends: before the CRLF of the next "--boundary" line. */
function delimiterBefore(content: Buffer, from: number, limit: number, boundary: string): number {
  const marker = Buffer.from(`--${boundary}`, 'binary');
  let at = from;
  while (at < limit) {
    const found = content.indexOf(marker, at);
    if (found < 0 || found + marker.length > limit) return limit;
    const atLineStart = found === 0 || content[found - 1] === 0x0a || found === from;
    const after = content[found + marker.length];
    const exact = after === undefined || after === 0x2d || after === 0x0d || after === 0x0a || after === 0x20 || after === 0x09;
    if (atLineStart && exact) {
      let endOfBody = found;
      if (endOfBody > from && content[endOfBody - 1] === 0x0a) endOfBody--;
      if (endOfBody > from && content[endOfBody - 1] === 0x0d) endOfBody--;
      return endOfBody;
    }
    at = found + 1;
  }
  return limit;
}

function countLines(content: Buffer, from: number, to: number): number {
  let lines = 0;
  let at = content.indexOf(0x0a, from);
  while (at >= 0 && at < to) {
    lines++;
    at = content.indexOf(0x0a, at + 1);
  }
  return lines;
}

/** message/rfc822 parts (not transfer-encoded) get the structure of the message they carry. */
async function expandMessages(part: MimePart, content: Buffer, depth: number): Promise<void> {
  if (part.parts) {
    for (const child of part.parts) await expandMessages(child, content, depth);
    return;
  }
  if (part.type === 'message' && part.subtype === 'rfc822' && ['7bit', '8bit', 'binary'].includes(part.encoding) && depth < MAX_DEPTH) {
    part.message = await parseMessage(content, part.bs, part.be, depth + 1);
  }
}

// Answering FETCH: message by message, each response written as soon as it is built, so a FETCH
// of 100,000 messages holds one message at a time (the connection waits for the socket to drain).
// What each message needs is read once and no more: the index row for FLAGS, UID and sizes; the
// cached envelope (else the header block alone, with a helper thread sharing the work when many
// are uncached) for ENVELOPE; the file for sections; the cached MIME structure for BODY,
// BODYSTRUCTURE and part numbers. A big message whose sections are ranges of its file (BODY[],
// RFC822, TEXT, with or without <partial>) is not read whole: its literal streams from the file a
// chunk at a time as the client reads, as POP3 RETR does, so memory stays bounded whatever its size.
import type { MessageRow } from '../../store/mailstore.js';
import { isGone, type MessageFiles, type OpenMessage } from '../../store/message-files.js';
import type { Wire } from '../commands/types.js';
import type { MimeCache } from '../mime/cache.js';
import { headerBlockEnd, readHeaderBlock } from '../mime/header-block.js';
import type { MimePart } from '../mime/structure.js';
import { imapDateTime, strText, utf8, utf8String, withoutNul, withoutNulText, type Piece } from '../replies.js';
import type { Target } from '../selected.js';
import type { Session } from '../session.js';
import { needs, type FetchItem } from './items.js';
import { applyPartial, sectionBytes } from './sections.js';
import { formatBodyStructure } from './structure-format.js';

const BATCH = 500;

export interface FetchOptions {
  /** UID FETCH: UID is always returned. */
  byUid: boolean;
  /** CHANGEDSINCE (RFC 7162 §3.1.4): only messages with a greater MODSEQ. */
  changedSince: number | null;
}

/** What a response is built from, besides the index row. */
interface Loaded {
  content: Buffer | null;
  /** A big message streamed instead of read (`content` stays null), and its header block when a section needs it. */
  file: OpenMessage | null;
  header: Buffer | null;
  envelope: string | null;
  structure: MimePart | null;
  preview: string | null;
}

/** Bytes [start, end) of the message's open file, streamed as literal data. */
class FileRange {
  constructor(
    readonly start: number,
    readonly end: number,
  ) {}
}

type Part = Piece | FileRange;

/**
 * Returns how many of the targets had no data to give: expunged by another session since this one
 * last heard (their EXPUNGE comes after the command, RFC 3501 §7.4.1), so the caller answers
 * NO [EXPUNGEISSUED] (RFC 5530) instead of an OK that would hide the gap. A UID alone is still
 * known from this session's view and is answered (as Dovecot does).
 */
export async function runFetch(session: Session, wire: Wire, targets: Target[], requested: FetchItem[], options: FetchOptions): Promise<{ gone: number }> {
  const view = session.selected;
  const store = session.context.mailStore;
  const cache = session.context.mimeCache;
  const items = [...requested];
  const has = (kind: string) => items.some((i) => i.kind === kind);
  // RFC 7162 §3.2.4: once QRESYNC is enabled every FETCH response carries the UID
  if ((options.byUid || session.qresync) && !has('UID')) items.unshift({ kind: 'UID' });
  if (options.changedSince !== null && !has('MODSEQ')) items.push({ kind: 'MODSEQ' });
  const need = needs(items);
  // without the MIME structure every section is a range of the file (whole, TEXT) or of its header
  const streamable = need.content && !need.structure;
  const needsHeader = items.some((i) => i.kind === 'SECTION' && i.section.specifier !== '');
  const setsSeen = !view.readOnly && items.some((i) => i.kind === 'SECTION' && i.setsSeen);
  const mailbox = view.mailbox;
  const owner = view.owner;
  const files = store.files(owner, mailbox);

  /** A batch had many uncached envelopes and no helper was ready: start one for the FETCHes to come. */
  let helperWanted = false;
  let gone = 0;
  const onlyUid = items.every((i) => i.kind === 'UID');
  for (let start = 0; start < targets.length; start += BATCH) {
    const batch = targets.slice(start, start + BATCH);
    const rows = new Map(view.rowsForUids(batch.map((t) => t.uid)).map((r) => [r.uid, r]));
    // one query for the batch; a message it did not find is known to be uncached
    if (need.envelope || need.structure) cache.prefetch([...rows.values()]);
    const helped = need.envelope && !need.structure && !need.content ? shareUncached(cache, files, rows, () => (helperWanted = true)) : null;
    const seenNow = new Set<number>();
    if (setsSeen) {
      const fetched = [...rows.values()].filter((row) => options.changedSince === null || row.modseq > options.changedSince);
      for (const row of store.addFlag(owner, mailbox, fetched, '\\Seen')) {
        rows.set(row.uid, row);
        seenNow.add(row.uid);
        view.noteReported(row.uid, row.modseq);
      }
    }
    for (const target of batch) {
      const row = rows.get(target.uid);
      if (!row) {
        if (!onlyUid || options.changedSince !== null) gone++;
        else if (wire.queue([`* ${target.seq} FETCH (UID ${target.uid})\r\n`])) await wire.flush();
        continue;
      }
      if (options.changedSince !== null && row.modseq <= options.changedSince) continue;
      const loaded: Loaded = { content: null, file: null, header: null, envelope: null, structure: null, preview: null };
      try {
        try {
          if (streamable && !files.isSmall(row)) {
            loaded.file = await files.open(row);
            if (needsHeader) loaded.header = Buffer.from(files.follow(row, readHeaderBlock), 'latin1');
          } else if (need.content) loaded.content = await files.read(row);
          if (need.structure) {
            const entry = await cache.structure(row.guid, async () => loaded.content ?? (loaded.content = await files.read(row)));
            loaded.structure = entry.structure;
            loaded.envelope = entry.text;
            if (need.preview) loaded.preview = await cache.preview(row.guid, async () => loaded.content ?? (loaded.content = await files.read(row)));
          } else if (need.envelope) {
            const content = loaded.content ?? loaded.header;
            const header = content ? () => content.toString('latin1', 0, headerBlockEnd(content)) : () => files.follow(row, readHeaderBlock);
            const fromHelper = helped?.take(row.guid) ?? null;
            loaded.envelope = fromHelper === null ? cache.envelope(row.guid, header, false).text : cache.envelopeText(row.guid, () => fromHelper, false).text;
          }
        } catch (error) {
          if (!isGone(error)) throw error;
          gone++;
          continue;
        }
        const response = responseFor(session, target, row, items, loaded, seenNow.has(row.uid));
        if (loaded.file) await sendStreamed(wire, response, loaded.file);
        // without an open file every part is a piece
        else if (wire.queue(response as Piece[])) await wire.flush();
      } finally {
        if (loaded.file) await loaded.file.close();
      }
    }
  }
  if (helperWanted) cache.helper.prepare();
  return { gone };
}

/** Fewer never-cached envelopes than this in a batch are not worth sharing with the helper thread. */
const HELPER_MINIMUM = 64;

/** The never-cached messages of a batch, shared with the helper thread (see envelope-helper.ts). */
function shareUncached(cache: MimeCache, files: MessageFiles, rows: Map<number, MessageRow>, noHelper: () => void): { take(guid: string): string | null } | null {
  if (!cache.helper.ready) {
    let uncached = 0;
    for (const row of rows.values()) if (!cache.has(row.guid)) uncached++;
    if (uncached >= HELPER_MINIMUM) noHelper();
    return null;
  }
  const index = new Map<string, number>();
  const paths: string[] = [];
  for (const row of rows.values()) {
    if (cache.has(row.guid) || index.has(row.guid)) continue;
    index.set(row.guid, paths.length);
    paths.push(files.path(row));
  }
  const shared = paths.length >= HELPER_MINIMUM ? cache.helper.share(paths) : null;
  if (!shared) return null;
  return {
    // each message is claimed once: a copy later in the batch finds the first one's entry cached
    take(guid) {
      const i = index.get(guid);
      if (i === undefined) return null;
      index.delete(guid);
      return shared.take(i);
    },
  };
}

function responseFor(session: Session, target: Target, row: MessageRow, items: FetchItem[], loaded: Loaded, seenNow: boolean): Part[] {
  const view = session.selected;
  // text accumulates in one string; literal data (sections) goes out as its own part
  const out: Part[] = [];
  let text = `* ${target.seq} FETCH (`;
  let separator = '';
  let flagsSent = false;
  let modseqSent = false;
  for (const item of items) {
    text += separator;
    separator = ' ';
    switch (item.kind) {
      case 'UID':
        text += `UID ${row.uid}`;
        break;
      case 'FLAGS':
        text += view.flagsText(row);
        flagsSent = true;
        break;
      case 'INTERNALDATE':
        text += `INTERNALDATE "${imapDateTime(row.internal_date)}"`;
        break;
      case 'RFC822.SIZE':
        text += `RFC822.SIZE ${row.size}`;
        break;
      case 'MODSEQ':
        text += `MODSEQ (${row.modseq})`;
        modseqSent = true;
        break;
      case 'EMAILID':
        text += `EMAILID (${row.email_id})`;
        break;
      case 'THREADID':
        text += `THREADID (${row.thread_id})`;
        break;
      case 'PREVIEW':
        text += `PREVIEW ${session.utf8 ? utf8String(utf8(loaded.preview!)).join('') : strText(utf8(loaded.preview!))}`;
        break;
      case 'ENVELOPE':
        // cached text formatted before NULs were replaced may still hold one
        text += `ENVELOPE ${withoutNulText(loaded.envelope!)}`;
        break;
      case 'BODY':
        text += `BODY ${formatBodyStructure(loaded.structure!, false)}`;
        break;
      case 'BODYSTRUCTURE':
        text += `BODYSTRUCTURE ${formatBodyStructure(loaded.structure!, true)}`;
        break;
      case 'SECTION': {
        const data = loaded.file ? sectionOfFile(loaded.file, loaded.header, item) : withoutNul(applyPartial(sectionBytes(loaded.content!, loaded.structure, item.section), item.partial));
        const length = data instanceof FileRange ? data.end - data.start : data.length;
        text += `${item.label}${item.partial ? `<${item.partial.offset}>` : ''} {${length}}\r\n`;
        out.push(text, data);
        text = '';
        break;
      }
    }
  }
  // RFC 3501 §6.4.5: a \Seen set by this FETCH is reported with it
  if (seenNow && !flagsSent) text += ` ${view.flagsText(row)}`;
  if (seenNow && session.condstore && !modseqSent) text += ` MODSEQ (${row.modseq})`;
  out.push(text + ')\r\n');
  return out;
}

/** A section of a message streamed from its file: BODY[] and TEXT are ranges of the file, HEADER (.FIELDS) comes from its header block. */
function sectionOfFile(file: OpenMessage, header: Buffer | null, item: Extract<FetchItem, { kind: 'SECTION' }>): FileRange | Buffer {
  const { specifier } = item.section;
  if (specifier !== '' && specifier !== 'TEXT') return withoutNul(applyPartial(sectionBytes(header!, null, item.section), item.partial));
  let start = specifier === 'TEXT' ? header!.length : 0;
  let end = file.size;
  // <offset.length> (RFC 3501 §6.4.5), as applyPartial cuts it: an offset past the end gives nothing
  if (item.partial) {
    start = Math.min(start + item.partial.offset, end);
    end = Math.min(end, start + item.partial.length);
  }
  return new FileRange(start, end);
}

/**
 * A response whose literal data streams from the message's file: what comes before the first
 * range is queued as the response (the transcript's line), the rest follows it a chunk at a time,
 * flushed whenever enough waits (the connection waits for the socket to drain: back-pressure).
 */
async function sendStreamed(wire: Wire, response: Part[], file: OpenMessage): Promise<void> {
  let first = response.findIndex((part) => part instanceof FileRange);
  if (first < 0) first = response.length;
  if (wire.queue(response.slice(0, first) as Piece[])) await wire.flush();
  for (const part of response.slice(first)) {
    if (!(part instanceof FileRange)) {
      if (wire.queueData(part)) await wire.flush();
      continue;
    }
    let position = part.start;
    for await (const chunk of file.chunks(part.start, part.end)) {
      position += chunk.length;
      // one byte for one: the literal's announced length stays true
      if (wire.queueData(withoutNul(chunk))) await wire.flush();
    }
    if (position < part.end) {
      // the file shrank after its length was announced: the literal cannot be completed
      wire.close();
      throw new Error(`message file ended after ${position - part.start} of the ${part.end - part.start} bytes announced`);
    }
  }
}

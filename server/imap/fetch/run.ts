// Answering FETCH: message by message, each response written as soon as it is built, so a FETCH
// of 100,000 messages holds one message at a time (the connection waits for the socket to drain).
import fs from 'node:fs';
import path from 'node:path';
import { splitFlags, type MailboxRow, type MessageRow } from '../../store/mailstore.js';
import type { Wire } from '../commands/types.js';
import { mimeCacheFor } from '../mime/cache.js';
import type { MimePart } from '../mime/structure.js';
import { imapDateTime, literal, type Piece } from '../replies.js';
import type { Target } from '../selected.js';
import type { Session } from '../session.js';
import { needs, type FetchItem } from './items.js';
import { applyPartial, sectionBytes } from './sections.js';
import { formatBodyStructure, formatEnvelope } from './structure-format.js';

const BATCH = 500;
const SYNC_READ_LIMIT = 256 * 1024;

export interface FetchOptions {
  /** UID FETCH: UID is always returned. */
  byUid: boolean;
  /** CHANGEDSINCE (RFC 7162 §3.1.4): only messages with a greater MODSEQ. */
  changedSince: number | null;
}

export async function runFetch(session: Session, wire: Wire, targets: Target[], requested: FetchItem[], options: FetchOptions): Promise<void> {
  const view = session.selected;
  const store = session.context.mailStore;
  const cache = mimeCacheFor(session.context.db);
  const items = [...requested];
  const has = (kind: string) => items.some((i) => i.kind === kind);
  if (options.byUid && !has('UID')) items.unshift({ kind: 'UID' });
  if (options.changedSince !== null && !has('MODSEQ')) items.push({ kind: 'MODSEQ' });
  const need = needs(items);
  const setsSeen = !view.readOnly && items.some((i) => i.kind === 'SECTION' && i.setsSeen);
  const mailbox = view.mailbox;
  const owner = view.owner;
  const folder = store.folderPath(owner, mailbox);

  for (let start = 0; start < targets.length; start += BATCH) {
    const batch = targets.slice(start, start + BATCH);
    const rows = new Map(view.rowsForUids(batch.map((t) => t.uid)).map((r) => [r.uid, r]));
    if (need.structure) cache.prefetch([...rows.values()].map((r) => r.guid));
    const seenNow = new Set<number>();
    if (setsSeen) {
      const updates = [...rows.values()]
        .filter((row) => !splitFlags(row.flags).some((f) => f.toLowerCase() === '\\seen'))
        .filter((row) => options.changedSince === null || row.modseq > options.changedSince)
        .map((row) => ({ message: row, flags: [...splitFlags(row.flags), '\\Seen'] }));
      for (const row of store.setFlags(owner, mailbox, updates)) {
        rows.set(row.uid, row);
        seenNow.add(row.uid);
        view.noteReported(row.uid, row.modseq);
      }
    }
    for (const target of batch) {
      const row = rows.get(target.uid);
      if (!row) continue; // expunged meanwhile; its EXPUNGE comes later
      if (options.changedSince !== null && row.modseq <= options.changedSince) continue;
      let content: Buffer | null = null;
      const readContent = async () => (content ??= await readMessage(session, mailbox, folder, row));
      try {
        if (need.content) await readContent();
        const structure = need.structure ? await cache.get(row.guid, readContent) : null;
        const pieces = responseFor(session, target, row, items, content, structure, seenNow.has(row.uid));
        if (wire.queue(pieces)) await wire.flush();
      } catch (error) {
        if ((error as { code?: string }).code === 'EXPUNGED' || (error as { code?: string }).code === 'ENOENT') continue;
        throw error;
      }
    }
  }
}

async function readMessage(session: Session, mailbox: MailboxRow, folder: string, row: MessageRow): Promise<Buffer> {
  const view = session.selected;
  const store = session.context.mailStore;
  if (row.size <= SYNC_READ_LIMIT) {
    // small files: a synchronous read is several times cheaper than a trip through the thread pool
    try {
      return fs.readFileSync(`${folder}${path.sep}${row.filename}`);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
  return store.readMessage(view.owner, mailbox, row);
}

function responseFor(
  session: Session,
  target: Target,
  row: MessageRow,
  items: FetchItem[],
  content: Buffer | null,
  structure: MimePart | null,
  seenNow: boolean,
): Piece[] {
  const view = session.selected;
  const out: Piece[] = [`* ${target.seq} FETCH (`];
  let first = true;
  const add = (...pieces: Piece[]) => {
    if (!first) out.push(' ');
    first = false;
    out.push(...pieces);
  };
  let flagsSent = false;
  let modseqSent = false;
  for (const item of items) {
    switch (item.kind) {
      case 'UID':
        add(`UID ${row.uid}`);
        break;
      case 'FLAGS':
        add(...view.flagsItem(row));
        flagsSent = true;
        break;
      case 'INTERNALDATE':
        add(`INTERNALDATE "${imapDateTime(row.internal_date)}"`);
        break;
      case 'RFC822.SIZE':
        add(`RFC822.SIZE ${row.size}`);
        break;
      case 'MODSEQ':
        add(`MODSEQ (${row.modseq})`);
        modseqSent = true;
        break;
      case 'ENVELOPE':
        add('ENVELOPE ', ...formatEnvelope(structure!.envelope));
        break;
      case 'BODY':
        add('BODY ', ...formatBodyStructure(structure!, false));
        break;
      case 'BODYSTRUCTURE':
        add('BODYSTRUCTURE ', ...formatBodyStructure(structure!, true));
        break;
      case 'SECTION': {
        const data = applyPartial(sectionBytes(content!, structure, item.section), item.partial);
        add(`${item.label}${item.partial ? `<${item.partial.offset}>` : ''} `, ...literal(data));
        break;
      }
    }
  }
  // RFC 3501 §6.4.5: a \Seen set by this FETCH is reported with it
  if (seenNow && !flagsSent) add(...view.flagsItem(row));
  if (seenNow && session.condstore && !modseqSent) add(`MODSEQ (${row.modseq})`);
  out.push(')\r\n');
  return out;
}

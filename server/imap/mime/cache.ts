// What FETCH, SEARCH and SORT learn from a message's bytes, cached per message guid (copies of a
// message share it; a message file never changes, flags live in the index, not here): its
// ENVELOPE — fields and the formatted text FETCH writes — from the header block alone, its
// MIME structure once something needed it, and its PREVIEW text once asked for. In memory: an LRU bounded in bytes, shared by all
// sessions (one cache per engine: context.mimeCache); on disk: the message_mime table, written in
// small transactions off the request path.
import type { Statement } from 'better-sqlite3';
import type { CommitWriter } from '../../store/commit-writer.js';
import type { Db } from '../../store/db.js';
import type { MessageRow } from '../../store/mailstore.js';
import { formatEnvelope, parseEnvelopeText } from '../fetch/structure-format.js';
import { EnvelopeHelper } from './envelope-helper.js';
import { envelopeFromHeader, type Envelope } from './envelope.js';
import { previewOf } from './preview.js';
import { parseMessageStructure, type MimePart } from './structure.js';

/** Memory for cached entries, shared by all sessions (estimated from their text sizes). */
const MEMORY_BYTES = 24 * 1024 * 1024;
/** Rows written per transaction; between two, other work runs. */
const WRITE_CHUNK = 500;
/**
 * Rows are written once no new entry came for this long: a FETCH of a never-opened mailbox
 * gets its answer first, the cache is written after it, in chunks.
 */
const WRITE_QUIET_MS = 500;
/** Unwritten rows beyond this are written at once, a chunk per new entry (memory stays bounded). */
const PENDING_LIMIT = 20_000;
/**
 * A row holds either just the ENVELOPE text (it starts with "(") or JSON: version 1 {v, s}
 * (structure), version 2 {v, e, s, p?} (envelope text and structure, the preview once made).
 */
const FORMAT = 2;
/** Rows per INSERT statement when writing many. */
const ROWS_PER_INSERT = 100;

export interface CacheEntry {
  /** ENVELOPE as a FETCH response writes it. */
  text: string;
  /** The envelope's fields (read back from `text` when first needed, for SEARCH and SORT). */
  envelope?: Envelope;
  /** The MIME structure, once parsed (its root carries the same envelope). */
  structure?: MimePart;
  /** PREVIEW text (RFC 8970), once made. */
  preview?: string;
  /** Estimated bytes held, for the memory bound. */
  size: number;
}

interface Stored {
  v: number;
  e?: string;
  s?: MimePart;
  p?: string;
}

export class MimeCache {
  /** A second thread for the envelopes of never-cached messages (first FETCH of a mailbox). */
  readonly helper = new EnvelopeHelper();
  private readonly memory = new Map<string, CacheEntry>();
  private memoryBytes = 0;
  private readonly select;
  private readonly insert;
  private readonly insertMany;
  /** Entries waiting to be written (newest version per guid). */
  private pending = new Map<string, CacheEntry>();
  private writeTimer: NodeJS.Timeout | null = null;
  private writeScheduled = false;
  private selectRange?: Statement<[number, number, number]>;
  /** SELECT … WHERE guid IN (?, ?, …) by number of guids. */
  private readonly selectMany = new Map<number, Statement<string[]>>();

  constructor(
    private readonly db: Db,
    /** The engine's group commit: cache rows share commits with delivery and the queue, never waiting for an fsync. */
    private readonly commits: CommitWriter,
  ) {
    this.select = db.prepare<[string]>('SELECT structure FROM message_mime WHERE guid = ?').pluck();
    this.insert = db.prepare<[string, string]>('INSERT OR REPLACE INTO message_mime (guid, structure) VALUES (?, ?)');
    this.insertMany = db.prepare<string[]>(`INSERT OR REPLACE INTO message_mime (guid, structure) VALUES ${Array(ROWS_PER_INSERT).fill('(?, ?)').join(', ')}`);
  }

  /**
   * The envelope of a message: from memory, from the table (unless `lookInTable` is false, after a
   * prefetch that did not find it), else parsed from `header()` — the header block, binary.
   */
  envelope(guid: string, header: () => string, lookInTable = true): CacheEntry {
    return this.envelopeText(guid, () => formatEnvelope(envelopeFromHeader(header())), lookInTable);
  }

  /** As envelope(), with the text made by `make()` (the helper thread's, or formatted here). */
  envelopeText(guid: string, make: () => string, lookInTable = true): CacheEntry {
    const known = this.cached(guid) ?? (lookInTable ? this.load(guid) : undefined);
    // only the text is kept: the fields are read back from it if SEARCH or SORT want them
    return known ?? this.add(guid, { text: make(), size: 0 });
  }

  /** Is the message's entry in memory (or waiting to be written)? Changes no order. */
  has(guid: string): boolean {
    return this.memory.has(guid) || this.pending.has(guid);
  }

  /** The MIME structure of a message (and its envelope), parsing `content()` only when no cache has it. */
  async structure(guid: string, content: () => Promise<Buffer>): Promise<CacheEntry & { structure: MimePart }> {
    const known = this.cached(guid) ?? this.load(guid);
    if (known?.structure) return known as CacheEntry & { structure: MimePart };
    const structure = await parseMessageStructure(await content());
    const envelope = structure.envelope!;
    const entry = this.add(guid, { text: known?.text ?? formatEnvelope(envelope), envelope, structure, size: 0 });
    return entry as CacheEntry & { structure: MimePart };
  }

  /** The PREVIEW text of a message (RFC 8970), made from `content()` once and kept with its structure. */
  async preview(guid: string, content: () => Promise<Buffer>): Promise<string> {
    const entry = await this.structure(guid, content);
    if (entry.preview === undefined) {
      entry.preview = previewOf(await content(), entry.structure);
      entry.size = 0;
      this.add(guid, entry);
    }
    return entry.preview;
  }

  /** The MIME structure only (SEARCH of multipart bodies). */
  async get(guid: string, content: () => Promise<Buffer>): Promise<MimePart> {
    return (await this.structure(guid, content)).structure;
  }

  /** The envelope fields if memory or the table has them; never reads the message. */
  peekEnvelope(guid: string): Envelope | undefined {
    const entry = this.cached(guid) ?? this.load(guid);
    return entry && envelopeFields(entry);
  }

  /**
   * Loads the entries of a batch of messages (FETCH, SEARCH, SORT) from the table: by their UID
   * range when most are missing and the range is dense (one walk of the index, no guid list to
   * bind), else by guid, 500 a query.
   */
  prefetch(rows: ReadonlyArray<Pick<MessageRow, 'guid' | 'uid' | 'mailbox_id'>>): void {
    const missing = rows.filter((r) => !this.memory.has(r.guid) && !this.pending.has(r.guid));
    if (!missing.length) return;
    const low = missing[0]!.uid;
    const high = missing[missing.length - 1]!.uid;
    const dense = high >= low && high - low < 2 * missing.length && missing.every((r) => r.mailbox_id === missing[0]!.mailbox_id);
    if (dense && missing.length * 2 > rows.length) {
      this.selectRange ??= this.db.prepare<[number, number, number]>(
        'SELECT x.guid, x.structure FROM messages m JOIN message_mime x ON x.guid = m.guid WHERE m.mailbox_id = ? AND m.uid BETWEEN ? AND ?',
      ).raw();
      this.rememberRows(this.selectRange.all(missing[0]!.mailbox_id, low, high) as Array<[string, string]>);
      return;
    }
    const guids = missing.map((r) => r.guid);
    for (let i = 0; i < guids.length; i += 500) {
      const chunk = guids.slice(i, i + 500);
      let statement = this.selectMany.get(chunk.length);
      if (!statement) {
        statement = this.db.prepare<string[]>(`SELECT guid, structure FROM message_mime WHERE guid IN (${chunk.map(() => '?').join(',')})`).raw();
        if (this.selectMany.size < 64) this.selectMany.set(chunk.length, statement);
      }
      this.rememberRows(statement.all(...chunk) as Array<[string, string]>);
    }
  }

  private rememberRows(rows: Array<[string, string]>): void {
    for (const [guid, stored] of rows) {
      if (this.memory.has(guid) || this.pending.has(guid)) continue;
      const entry = fromStored(stored);
      if (entry) this.remember(guid, entry);
    }
  }

  /** In memory (or waiting to be written): no query. */
  cached(guid: string): CacheEntry | undefined {
    const hit = this.memory.get(guid);
    if (hit) {
      // most recently used last
      this.memory.delete(guid);
      this.memory.set(guid, hit);
      return hit;
    }
    const waiting = this.pending.get(guid);
    if (waiting) this.remember(guid, waiting);
    return waiting;
  }

  private load(guid: string): CacheEntry | undefined {
    const json = this.select.get(guid) as string | undefined;
    const entry = json ? fromStored(json) : undefined;
    if (entry) this.remember(guid, entry);
    return entry;
  }

  /** A new or more complete entry: remembered, and written to the table soon. */
  private add(guid: string, entry: CacheEntry): CacheEntry {
    this.remember(guid, entry);
    this.pending.set(guid, entry);
    if (this.pending.size >= PENDING_LIMIT) this.writeSome(WRITE_CHUNK);
    if (this.writeTimer) this.writeTimer.refresh();
    else {
      this.writeTimer = setTimeout(() => {
        this.writeTimer = null;
        this.writeLater();
      }, WRITE_QUIET_MS);
      this.writeTimer.unref();
    }
    return entry;
  }

  private remember(guid: string, entry: CacheEntry): void {
    entry.size ||= estimateSize(entry);
    const old = this.memory.get(guid);
    if (old) {
      this.memoryBytes -= old.size;
      this.memory.delete(guid);
    }
    this.memory.set(guid, entry);
    this.memoryBytes += entry.size;
    while (this.memoryBytes > MEMORY_BYTES && this.memory.size > 1) {
      const [oldest, evicted] = this.memory.entries().next().value!;
      this.memory.delete(oldest);
      this.memoryBytes -= evicted.size;
    }
  }

  /** Writes pending rows a chunk at a time, yielding between chunks; pauses while new entries come. */
  private writeLater(): void {
    this.writeScheduled = false;
    if (this.writeTimer) return; // more came meanwhile: the timer calls again
    this.writeSome(WRITE_CHUNK);
    if (this.pending.size && !this.writeScheduled) {
      this.writeScheduled = true;
      setImmediate(() => this.writeLater());
    }
  }

  private writeSome(count: number): void {
    if (!this.pending.size) return;
    const rows: Array<[string, CacheEntry]> = [];
    for (const row of this.pending) {
      rows.push(row);
      if (rows.length >= count) break;
    }
    for (const [guid] of rows) this.pending.delete(guid);
    const write = () => {
      let i = 0;
      for (; i + ROWS_PER_INSERT <= rows.length; i += ROWS_PER_INSERT) {
        const values: string[] = [];
        for (let k = i; k < i + ROWS_PER_INSERT; k++) values.push(rows[k]![0], toStored(rows[k]![1]));
        this.insertMany.run(...values);
      }
      for (; i < rows.length; i++) this.insert.run(rows[i]![0], toStored(rows[i]![1]));
    };
    this.commits.write(write, { durable: false }).catch(() => {
      // the database is closing or busy: a cache; the message is parsed again when needed
    });
  }

  /** Writes every pending row now (stop, prune). */
  flush(): void {
    this.writeSome(this.pending.size);
    this.commits.flush();
  }

  /** Drops rows of messages no mailbox holds any more. */
  prune(): number {
    this.flush();
    return this.db.prepare('DELETE FROM message_mime WHERE guid NOT IN (SELECT guid FROM messages)').run().changes;
  }
}

/** The envelope fields of an entry. */
export function envelopeFields(entry: CacheEntry): Envelope {
  return (entry.envelope ??= entry.structure?.envelope ?? parseEnvelopeText(entry.text));
}

function toStored(entry: CacheEntry): string {
  if (!entry.structure) return entry.text;
  const stored: Stored = { v: FORMAT, e: entry.text, s: entry.structure, p: entry.preview };
  return JSON.stringify(stored);
}

function fromStored(json: string): CacheEntry | undefined {
  if (json.startsWith('(')) return { text: json, size: 0 };
  const stored = JSON.parse(json) as Stored;
  if (stored.v !== FORMAT && stored.v !== 1) return undefined;
  const text = stored.e ?? (stored.s?.envelope ? formatEnvelope(stored.s.envelope) : undefined);
  if (text === undefined) return undefined;
  return stored.s ? { text, structure: stored.s, preview: stored.p, size: 0 } : { text, size: 0 };
}

/** Rough bytes in memory: the text, as much again for the envelope fields if read, and per MIME part. */
function estimateSize(entry: CacheEntry): number {
  return 200 + entry.text.length * 2 + (entry.structure ? 600 * countParts(entry.structure) : 0) + (entry.preview?.length ?? 0) * 2;
}

function countParts(part: MimePart): number {
  let count = 1;
  for (const child of part.parts ?? []) count += countParts(child);
  if (part.message) count += countParts(part.message);
  return count;
}

// Parsed MIME structures, cached: a small LRU in memory in front of the message_mime table
// (keyed by message guid, which copies of a message share). Parsing happens once per message.
import type { Db } from '../../store/db.js';
import { parseMessageStructure, type MimePart } from './structure.js';

/** Structures kept parsed in memory (about 2 kB each), shared by all sessions. */
const MEMORY_ENTRIES = 20_000;
/** Bump when the stored shape changes: older rows are parsed again. */
const FORMAT = 1;

export class MimeCache {
  private readonly memory = new Map<string, MimePart>();
  private readonly select;
  private readonly insert;
  /** Rows waiting to be written: one transaction (one fsync) for many, off the request path. */
  private pending = new Map<string, string>();
  private flushScheduled = false;

  constructor(private readonly db: Db) {
    this.select = db.prepare<[string]>('SELECT structure FROM message_mime WHERE guid = ?');
    this.insert = db.prepare<[string, string]>('INSERT OR REPLACE INTO message_mime (guid, structure) VALUES (?, ?)');
  }

  /** The structure of a message, parsing `content()` only when no cache has it. */
  async get(guid: string, content: () => Promise<Buffer>): Promise<MimePart> {
    const known = this.peek(guid);
    if (known) return known;
    const structure = await parseMessageStructure(await content());
    this.put(guid, structure);
    return structure;
  }

  /** From memory or the table, without parsing; undefined when the message was never parsed. */
  peek(guid: string): MimePart | undefined {
    const hit = this.memory.get(guid);
    if (hit) {
      this.memory.delete(guid);
      this.memory.set(guid, hit);
      return hit;
    }
    const json = this.pending.get(guid) ?? (this.select.get(guid) as { structure: string } | undefined)?.structure;
    if (!json) return undefined;
    const stored = JSON.parse(json) as { v: number; s: MimePart };
    if (stored.v !== FORMAT) return undefined;
    this.remember(guid, stored.s);
    return stored.s;
  }

  /** Loads the structures of many messages from the table in one query (FETCH, SEARCH batches). */
  prefetch(guids: string[]): void {
    const missing = guids.filter((g) => !this.memory.has(g) && !this.pending.has(g));
    for (let i = 0; i < missing.length; i += 500) {
      const chunk = missing.slice(i, i + 500);
      const rows = this.db.prepare(`SELECT guid, structure FROM message_mime WHERE guid IN (${chunk.map(() => '?').join(',')})`).all(...chunk) as Array<{
        guid: string;
        structure: string;
      }>;
      for (const row of rows) {
        const stored = JSON.parse(row.structure) as { v: number; s: MimePart };
        if (stored.v === FORMAT) this.remember(row.guid, stored.s);
      }
    }
  }

  /** Remembers a structure; the table row is written with others in one transaction soon after. */
  put(guid: string, structure: MimePart): void {
    this.remember(guid, structure);
    this.pending.set(guid, JSON.stringify({ v: FORMAT, s: structure }));
    if (this.pending.size >= 1000) this.flush();
    else if (!this.flushScheduled) {
      this.flushScheduled = true;
      setTimeout(() => this.flush(), 200).unref();
    }
  }

  /** Writes the pending rows (a cache: losing them in a crash only costs a parse later). */
  flush(): void {
    this.flushScheduled = false;
    if (!this.pending.size) return;
    const rows = this.pending;
    this.pending = new Map();
    try {
      this.db.transaction(() => {
        for (const [guid, json] of rows) this.insert.run(guid, json);
      })();
    } catch {
      // the database is closing or busy: the structures are parsed again when needed
    }
  }

  private remember(guid: string, structure: MimePart): void {
    this.memory.set(guid, structure);
    if (this.memory.size > MEMORY_ENTRIES) this.memory.delete(this.memory.keys().next().value!);
  }

  /** Drops rows of messages no mailbox holds any more. */
  prune(): number {
    this.flush();
    return this.db.prepare('DELETE FROM message_mime WHERE guid NOT IN (SELECT guid FROM messages)').run().changes;
  }
}

const caches = new WeakMap<Db, MimeCache>();

/** One cache per database, shared by the imap and imaps services. */
export function mimeCacheFor(db: Db): MimeCache {
  let cache = caches.get(db);
  if (!cache) {
    cache = new MimeCache(db);
    caches.set(db, cache);
  }
  return cache;
}

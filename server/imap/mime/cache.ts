// Parsed MIME structures, cached: a small LRU in memory in front of the message_mime table
// (keyed by message guid, which copies of a message share). Parsing happens once per message.
import type { Db } from '../../store/db.js';
import { parseMessageStructure, type MimePart } from './structure.js';

const MEMORY_ENTRIES = 5000;
/** Bump when the stored shape changes: older rows are parsed again. */
const FORMAT = 1;

export class MimeCache {
  private readonly memory = new Map<string, MimePart>();
  private readonly select;
  private readonly insert;

  constructor(private readonly db: Db) {
    this.select = db.prepare<[string]>('SELECT structure FROM message_mime WHERE guid = ?');
    this.insert = db.prepare<[string, string]>('INSERT OR REPLACE INTO message_mime (guid, structure) VALUES (?, ?)');
  }

  /** The structure of a message, parsing `content()` only when no cache has it. */
  async get(guid: string, content: () => Promise<Buffer>): Promise<MimePart> {
    const known = this.peek(guid);
    if (known) return known;
    const structure = await parseMessageStructure(await content());
    this.insert.run(guid, JSON.stringify({ v: FORMAT, s: structure }));
    this.remember(guid, structure);
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
    const row = this.select.get(guid) as { structure: string } | undefined;
    if (!row) return undefined;
    const stored = JSON.parse(row.structure) as { v: number; s: MimePart };
    if (stored.v !== FORMAT) return undefined;
    this.remember(guid, stored.s);
    return stored.s;
  }

  /** With structure already known (e.g. parsed when the message was appended). */
  put(guid: string, structure: MimePart): void {
    this.insert.run(guid, JSON.stringify({ v: FORMAT, s: structure }));
    this.remember(guid, structure);
  }

  private remember(guid: string, structure: MimePart): void {
    this.memory.set(guid, structure);
    if (this.memory.size > MEMORY_ENTRIES) this.memory.delete(this.memory.keys().next().value!);
  }

  /** Drops rows of messages no mailbox holds any more. */
  prune(): number {
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

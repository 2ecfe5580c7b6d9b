// The maildrop of one POP3 session (RFC 1939 §5): a snapshot of the user's INBOX taken when the
// session enters TRANSACTION, so message numbers stay put while new mail arrives; deletion marks
// that only UPDATE (QUIT) carries out; sizes on the wire; unique ids; and the per-user lock that
// makes a second POP3 session get [IN-USE].
import crypto from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import type { User } from '../accounts/accounts.js';
import { splitFlags, type MailboxRow, type MailStore, type MessageRow } from '../store/mailstore.js';
import { BareLineFeedCounter } from './encoder.js';

export interface DropMessage {
  /** 1-based message number, fixed for the session. */
  readonly number: number;
  readonly row: MessageRow;
  deleted: boolean;
  /** RETR'd in this session: gets \Seen at UPDATE (as Dovecot does unless pop3_no_flag_updates). */
  retrieved: boolean;
}

/** A message's bytes: whole when small, else an open file to stream from. */
export type MessageSource = { kind: 'whole'; bytes: Buffer } | { kind: 'file'; file: fsp.FileHandle };

/**
 * Messages up to this size are read whole and synchronously: from the page cache that is a few
 * microseconds, far less CPU than three trips through libuv's thread pool (measured: it decides
 * the messages/s of many concurrent sessions), and the engine reads its SQLite index synchronously
 * anyway. Bigger messages stream from the file asynchronously.
 */
export const WHOLE_READ_LIMIT = 128 * 1024;
const READ_CHUNK = 64 * 1024;
const SIZE_CACHE_LIMIT = 200_000;
const MEASURE_CONCURRENCY = 8;

// ── per-engine state, shared by the pop3 and pop3s instances (keyed by the engine's MailStore) ──

const locks = new WeakMap<MailStore, Map<number, string>>();
/** guid → size on the wire (bare LFs counted as CRLF); message files never change content. */
const wireSizes = new WeakMap<MailStore, Map<string, number>>();

/** Takes the maildrop lock of a user for a session; false if another session holds it. */
export function lockMaildrop(store: MailStore, userId: number, sessionId: string): boolean {
  let held = locks.get(store);
  if (!held) locks.set(store, (held = new Map()));
  const owner = held.get(userId);
  if (owner !== undefined && owner !== sessionId) return false;
  held.set(userId, sessionId);
  return true;
}

export function unlockMaildrop(store: MailStore, userId: number, sessionId: string): void {
  const held = locks.get(store);
  if (held?.get(userId) === sessionId) held.delete(userId);
}

function sizeCache(store: MailStore): Map<string, number> {
  let cache = wireSizes.get(store);
  if (!cache) wireSizes.set(store, (cache = new Map()));
  return cache;
}

/** RFC 1939 §7 UIDL: 1 to 70 characters from 0x21 to 0x7E. A Maildir base name usually is one. */
export function uniqueIdFor(guid: string): string {
  return /^[\x21-\x7e]{1,70}$/.test(guid) ? guid : `H${crypto.createHash('sha256').update(guid).digest('hex').slice(0, 40)}`;
}

export class Maildrop {
  private readonly sizes: Map<string, number>;
  private readonly folder: string;

  private constructor(
    private readonly store: MailStore,
    readonly owner: User,
    readonly mailbox: MailboxRow,
    readonly messages: readonly DropMessage[],
  ) {
    this.sizes = sizeCache(store);
    this.folder = store.folderPath(owner, mailbox);
  }

  /** The snapshot of the user's INBOX. */
  static open(store: MailStore, owner: User): Maildrop {
    const mailbox = store.getMailbox(owner.id, 'INBOX') ?? store.createMailbox(owner, 'INBOX');
    const messages = store.listMessages(mailbox.id).map((row, i): DropMessage => ({ number: i + 1, row, deleted: false, retrieved: false }));
    return new Maildrop(store, owner, mailbox, messages);
  }

  /** Message n, whether deleted or not; undefined when there is no such number. */
  get(n: number): DropMessage | undefined {
    return Number.isInteger(n) && n >= 1 ? this.messages[n - 1] : undefined;
  }

  live(): DropMessage[] {
    return this.messages.filter((m) => !m.deleted);
  }

  uniqueId(message: DropMessage): string {
    return uniqueIdFor(message.row.guid);
  }

  /** The size RETR sends (before byte-stuffing), if already known. */
  knownWireSize(message: DropMessage): number | undefined {
    return this.sizes.get(message.row.guid);
  }

  rememberWireSize(message: DropMessage, size: number): void {
    if (this.sizes.size >= SIZE_CACHE_LIMIT) this.sizes.clear();
    this.sizes.set(message.row.guid, size);
  }

  /** Sizes of the given messages on the wire; measures (reads) the ones not seen before. */
  async wireSizes(messages: readonly DropMessage[]): Promise<number[]> {
    const unknown = messages.filter((m) => !this.sizes.has(m.row.guid));
    let next = 0;
    const worker = async () => {
      while (next < unknown.length) {
        const message = unknown[next++]!;
        this.rememberWireSize(message, await this.measure(message));
      }
    };
    await Promise.all(Array.from({ length: Math.min(MEASURE_CONCURRENCY, unknown.length) }, worker));
    // A message expunged elsewhere meanwhile measures as its indexed size.
    return messages.map((m) => this.sizes.get(m.row.guid) ?? m.row.size);
  }

  async totals(): Promise<{ count: number; octets: number }> {
    const live = this.live();
    const sizes = await this.wireSizes(live);
    return { count: live.length, octets: sizes.reduce((a, b) => a + b, 0) };
  }

  private async measure(message: DropMessage): Promise<number> {
    let source: MessageSource;
    try {
      source = await this.read(message);
    } catch {
      return message.row.size;
    }
    const counter = new BareLineFeedCounter();
    if (source.kind === 'whole') {
      counter.push(source.bytes);
      return source.bytes.length + counter.count;
    }
    let total = 0;
    try {
      for await (const chunk of chunksOf(source.file)) {
        counter.push(chunk);
        total += chunk.length;
      }
    } finally {
      await source.file.close();
    }
    return total + counter.count;
  }

  /**
   * Opens a message for reading. Follows a rename by a concurrent flag change; throws with code
   * EXPUNGED when another session (IMAP) removed it after the snapshot.
   */
  async read(message: DropMessage): Promise<MessageSource> {
    const open = async (row: MessageRow): Promise<MessageSource> => {
      const file = path.join(this.folder, row.filename);
      return row.size <= WHOLE_READ_LIMIT ? { kind: 'whole', bytes: readWhole(file, row.size) } : { kind: 'file', file: await fsp.open(file, 'r') };
    };
    try {
      return await open(message.row);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      const fresh = this.store.messageById(message.row.id); // renamed by a flag change meanwhile?
      if (!fresh) throw Object.assign(new Error('message was expunged'), { code: 'EXPUNGED' });
      return open(fresh);
    }
  }

  /** RSET (RFC 1939 §5): unmark every message marked deleted. */
  reset(): void {
    for (const message of this.messages) message.deleted = false;
  }

  /**
   * UPDATE (RFC 1939 §6): removes the messages marked deleted through the store (which tells
   * IMAP sessions), then marks the retrieved ones \Seen. Throws only if the removal failed; a
   * failure to set \Seen (a courtesy to IMAP clients) is returned for the log.
   */
  update(): { removed: number; flagError: Error | null } {
    const doomed = this.messages.filter((m) => m.deleted).map((m) => m.row);
    const removed = doomed.length ? this.store.expunge(this.owner, this.mailbox, doomed).length : 0;
    const seen: Array<{ message: MessageRow; flags: string[] }> = [];
    for (const message of this.messages) {
      if (message.deleted || !message.retrieved) continue;
      const fresh = this.store.messageById(message.row.id);
      if (!fresh) continue;
      const flags = splitFlags(fresh.flags);
      if (!flags.includes('\\Seen')) seen.push({ message: fresh, flags: [...flags, '\\Seen'] });
    }
    try {
      if (seen.length) this.store.setFlags(this.owner, this.mailbox, seen);
    } catch (error) {
      return { removed, flagError: error as Error };
    }
    return { removed, flagError: null };
  }
}

/** A small message file, whole: one read of the indexed size (plus a byte, to notice a longer file). */
function readWhole(file: string, size: number): Buffer {
  const fd = fs.openSync(file, 'r');
  try {
    const buffer = Buffer.allocUnsafe(size + 1);
    const bytesRead = fs.readSync(fd, buffer, 0, size + 1, 0);
    return bytesRead <= size ? buffer.subarray(0, bytesRead) : fs.readFileSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/** Reads an open file chunk by chunk from the start. */
export async function* chunksOf(file: fsp.FileHandle): AsyncGenerator<Buffer> {
  let position = 0;
  for (;;) {
    const buffer = Buffer.allocUnsafe(READ_CHUNK);
    const { bytesRead } = await file.read(buffer, 0, READ_CHUNK, position);
    if (!bytesRead) return;
    position += bytesRead;
    yield bytesRead === READ_CHUNK ? buffer : buffer.subarray(0, bytesRead);
  }
}

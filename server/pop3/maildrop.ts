// The maildrop of one POP3 session (RFC 1939 §5): a snapshot of the user's INBOX taken when the
// session enters TRANSACTION, so message numbers stay put while new mail arrives; deletion marks
// that only UPDATE (QUIT) carries out; sizes on the wire; unique ids; and the per-user lock that
// makes a second POP3 session get [IN-USE].
import crypto from 'node:crypto';
import type { User } from '../accounts/accounts.js';
import type { MailboxChange, MailboxRow, MailStore, MessageRow } from '../store/mailstore.js';
import { chunksOf, SMALL_MESSAGE_BYTES, type MessageFiles, type OpenMessage } from '../store/message-files.js';
import { BareLineFeedCounter } from './encoder.js';
import { WireSizes, type WireSizeMemory } from './wire-sizes.js';

export interface DropMessage {
  /** 1-based message number, fixed for the session. */
  readonly number: number;
  readonly row: MessageRow;
  deleted: boolean;
  /** RETR'd in this session: gets \Seen at UPDATE (as Dovecot does unless pop3_no_flag_updates). */
  retrieved: boolean;
}

/**
 * A message's bytes: whole when small (read synchronously: from the page cache that is a few
 * microseconds, far less CPU than trips through libuv's thread pool, measured to decide the
 * messages/s of many concurrent sessions), else an open file to stream from.
 */
export type MessageSource = { kind: 'whole'; bytes: Buffer } | { kind: 'file'; file: OpenMessage };

/** RETR and TOP stream a big message's chunks with it. */
export { chunksOf };

/** Index rows kept in memory across sessions (about 200 bytes each). */
const LISTING_ROWS_KEPT = 50_000;
/** Measuring many messages (the first STAT after a restart, or new mail) lets other sessions in this often. */
const MEASURE_SLICE_MS = 5;

// ── per-engine state, shared by the pop3 and pop3s instances (made by the engine: context.pop3) ──

/** Which session holds each user's maildrop: user id → session id. */
export type MaildropLocks = Map<number, string>;

/** What the pop3 and pop3s services share: the maildrop locks, recent INBOX listings, sizes on the wire. */
export class Pop3State {
  readonly locks: MaildropLocks = new Map();
  readonly listings: Listings;
  readonly wireSizes = new WireSizes();

  constructor(store: MailStore) {
    this.listings = new Listings(store);
  }
}

/** Takes the maildrop lock of a user for a session; false if another session holds it. */
export function lockMaildrop(locks: MaildropLocks, userId: number, sessionId: string): boolean {
  const owner = locks.get(userId);
  if (owner !== undefined && owner !== sessionId) return false;
  locks.set(userId, sessionId);
  return true;
}

export function unlockMaildrop(locks: MaildropLocks, userId: number, sessionId: string): void {
  if (locks.get(userId) === sessionId) locks.delete(userId);
}

/**
 * The INBOX listings of recent sessions, so that the next session of a mailbox nobody changed
 * meanwhile (a client polling every few minutes) need not read its whole index again. A listing
 * is dropped at the first change the store announces for its mailbox (every writer goes through
 * the MailStore, which announces every change), and not used if the mailbox's HIGHEST-MODSEQ
 * moved all the same. Rows are never modified, so sessions share them.
 */
export class Listings {
  private readonly byMailbox = new Map<number, { modseq: number; rows: readonly MessageRow[] }>();
  private rowsKept = 0;

  constructor(private readonly store: MailStore) {
    store.changes.on('change', (change: MailboxChange) => this.forget(change.mailboxId));
  }

  rows(mailbox: MailboxRow): readonly MessageRow[] {
    const kept = this.byMailbox.get(mailbox.id);
    if (kept && kept.modseq === mailbox.highest_modseq) {
      this.byMailbox.delete(mailbox.id); // most recently used last
      this.byMailbox.set(mailbox.id, kept);
      return kept.rows;
    }
    this.forget(mailbox.id);
    const rows = this.store.listMessages(mailbox.id);
    if (rows.length > LISTING_ROWS_KEPT) return rows;
    while (this.rowsKept + rows.length > LISTING_ROWS_KEPT) this.forget(this.byMailbox.keys().next().value!);
    this.byMailbox.set(mailbox.id, { modseq: mailbox.highest_modseq, rows });
    this.rowsKept += rows.length;
    return rows;
  }

  private forget(mailboxId: number): void {
    const kept = this.byMailbox.get(mailboxId);
    if (!kept) return;
    this.byMailbox.delete(mailboxId);
    this.rowsKept -= kept.rows.length;
  }
}

/** RFC 1939 §7 UIDL: 1 to 70 characters from 0x21 to 0x7E. A Maildir base name usually is one. */
export function uniqueIdFor(guid: string): string {
  return /^[\x21-\x7e]{1,70}$/.test(guid) ? guid : `H${crypto.createHash('sha256').update(guid).digest('hex').slice(0, 40)}`;
}

export class Maildrop {
  private readonly files: MessageFiles;
  /** UIDs changed or removed by others since the snapshot: their snapshot rows are out of date. */
  private readonly changedSince = new Set<number>();
  private readonly onChange = (change: MailboxChange) => {
    if (change.mailboxId !== this.mailbox.id || change.kind === 'exists') return;
    for (const uid of change.uids) this.changedSince.add(uid);
  };

  private constructor(
    private readonly store: MailStore,
    readonly owner: User,
    readonly mailbox: MailboxRow,
    readonly messages: readonly DropMessage[],
    private readonly sizes: WireSizeMemory,
  ) {
    this.files = store.files(owner, mailbox);
  }

  /** The snapshot of the user's INBOX. Call `close()` when the session is done with it. */
  static open(store: MailStore, state: Pop3State, owner: User): Maildrop {
    let mailbox = store.getMailbox(owner.id, 'INBOX');
    if (!mailbox) {
      store.ensureUserMailboxes(owner);
      mailbox = store.getMailbox(owner.id, 'INBOX')!;
    }
    const rows = state.listings.rows(mailbox);
    const messages = rows.map((row, i): DropMessage => ({ number: i + 1, row, deleted: false, retrieved: false }));
    const sizes = state.wireSizes.of(store.folderPath(owner, mailbox), rows);
    const drop = new Maildrop(store, owner, mailbox, messages, sizes);
    // All writers go through the MailStore, which announces every change: from now on, a row not
    // named in a change is as current as the snapshot.
    store.changes.on('change', drop.onChange);
    return drop;
  }

  /** Stops following changes (at QUIT, or when the connection ends). */
  close(): void {
    this.store.changes.off('change', this.onChange);
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

  /**
   * Octets the message takes on the wire beyond its indexed size, if already known: its bare LFs
   * (each gets a CR), as long as its file is as long as the index says (it always is, but for a
   * file changed behind the index's back, which this counts in too).
   */
  wireExtra(message: DropMessage): number | undefined {
    return this.sizes.get(message.row.guid);
  }

  /** Notes what a read of the message found: its length and its bare LFs. */
  measured(message: DropMessage, length: number, bareLineFeeds: number): void {
    this.sizes.remember(message.row.guid, length + bareLineFeeds - message.row.size);
  }

  /** Sizes of the given messages on the wire (as RETR sends them before byte-stuffing); measures the ones not seen before. */
  async wireSizes(messages: readonly DropMessage[]): Promise<number[]> {
    const unknown = messages.filter((m) => this.sizes.get(m.row.guid) === undefined);
    if (unknown.length) await this.measure(unknown);
    // A message expunged elsewhere meanwhile measures as its indexed size.
    return messages.map((m) => m.row.size + (this.sizes.get(m.row.guid) ?? 0));
  }

  async totals(): Promise<{ count: number; octets: number }> {
    const live = this.live();
    const sizes = await this.wireSizes(live);
    return { count: live.length, octets: sizes.reduce((a, b) => a + b, 0) };
  }

  /** Counts the bare LFs of messages: small ones read synchronously, in slices, big ones streamed. */
  private async measure(messages: readonly DropMessage[]): Promise<void> {
    let sliceStart = performance.now();
    for (const message of messages) {
      try {
        const counter = new BareLineFeedCounter();
        let length = 0;
        const count = (chunk: Buffer) => {
          counter.push(chunk);
          length += chunk.length;
        };
        if (this.isSmall(message)) count(this.readSmall(message));
        else await forEachChunk(await this.read(message), count);
        this.measured(message, length, counter.count);
      } catch {
        // gone meanwhile, or unreadable: its indexed size stands in (RETR will say what happened)
      }
      if (performance.now() - sliceStart > MEASURE_SLICE_MS) {
        await new Promise((resolve) => setImmediate(resolve));
        sliceStart = performance.now();
      }
    }
  }

  /** Small enough to be read whole and synchronously (`readSmall`). */
  isSmall(message: DropMessage): boolean {
    return this.files.isSmall(message.row);
  }

  /**
   * The bytes of a small message, in a buffer that every session shares: valid only until the
   * next read, so use them at once, before any await. Throws like `read`.
   */
  readSmall(message: DropMessage): Buffer {
    return this.files.readSync(message.row, sharedBuffer(message.row.size + 1));
  }

  /**
   * Opens a message for reading. Follows a rename by a concurrent flag change; throws with code
   * EXPUNGED when another session (IMAP) removed it after the snapshot.
   */
  async read(message: DropMessage): Promise<MessageSource> {
    return this.isSmall(message) ? { kind: 'whole', bytes: this.files.readSync(message.row) } : { kind: 'file', file: await this.files.open(message.row) };
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
    const retrieved: MessageRow[] = [];
    for (const message of this.messages) {
      if (message.deleted || !message.retrieved) continue;
      // Only a row someone changed since the snapshot needs reading again.
      const current = this.changedSince.has(message.row.uid) ? this.store.messageById(message.row.id) : message.row;
      if (current) retrieved.push(current);
    }
    try {
      this.store.addFlag(this.owner, this.mailbox, retrieved, '\\Seen');
    } catch (error) {
      return { removed, flagError: error as Error };
    }
    return { removed, flagError: null };
  }
}

let shared = Buffer.alloc(0);

/** The buffer small messages are read into, at least `size` bytes (grows up to SMALL_MESSAGE_BYTES + 1). */
function sharedBuffer(size: number): Buffer {
  if (shared.length < size) shared = Buffer.allocUnsafeSlow(Math.max(size, Math.min(2 * shared.length, SMALL_MESSAGE_BYTES + 1), 16 * 1024));
  return shared;
}

/** Every chunk of a message source, in order; closes its file. */
async function forEachChunk(source: MessageSource, use: (chunk: Buffer) => void): Promise<void> {
  if (source.kind === 'whole') return use(source.bytes);
  try {
    for await (const chunk of chunksOf(source.file)) use(chunk);
  } finally {
    await source.file.close();
  }
}

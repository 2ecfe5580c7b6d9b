// An email as the Email methods read it, for one call: its rows (one per mailbox it is in), and —
// read only when a property, filter or sort needs them — the header fields of its file, the whole
// message and its MIME structure (the IMAP MIME cache's, shared with FETCH).
import { readHeaderBlock } from '../imap/mime/header-block.js';
import type { MimePart } from '../imap/mime/structure.js';
import type { MessageRow, MailboxRow } from '../store/mailstore.js';
import type { MethodCall } from './call.js';
import { rawHeaders, type RawHeader } from './email-headers.js';
import { keywordsOf } from './keywords.js';

/** What the Email properties are made of: a stored email (EmailSource) or a message blob (Email/parse), whose metadata is null. */
export interface EmailData {
  readonly id: string | null;
  readonly blobId: string;
  readonly threadId: string | null;
  readonly mailboxIds: Record<string, true> | null;
  readonly keywords: Record<string, true> | null;
  readonly size: number;
  readonly receivedAt: string | null;
  headers(): RawHeader[];
  content(): Promise<Buffer>;
  structure(): Promise<MimePart>;
  preview(): Promise<string>;
}

export class EmailSource implements EmailData {
  private headerCache: RawHeader[] | undefined;
  private contentCache: Promise<Buffer> | undefined;

  constructor(
    private readonly call: MethodCall,
    /** Every row of the email, the first one read for its file. */
    readonly rows: readonly MessageRow[],
    private readonly mailboxOf: (id: number) => MailboxRow | undefined,
  ) {}

  get id(): string {
    return this.rows[0]!.email_id;
  }

  /** The blob of the whole message has the email's id. */
  get blobId(): string {
    return this.id;
  }

  get size(): number {
    return this.first.size;
  }

  get first(): MessageRow {
    return this.rows[0]!;
  }

  get threadId(): string {
    return this.first.thread_id;
  }

  /** The MAILBOXIDs it is in. */
  get mailboxIds(): Record<string, true> {
    const ids: Record<string, true> = {};
    for (const row of this.rows) {
      const mailbox = this.mailboxOf(row.mailbox_id);
      if (mailbox) ids[mailbox.object_id] = true;
    }
    return ids;
  }

  /** §4.1.1: the keywords of every copy together. */
  get keywords(): Record<string, true> {
    return keywordsOf(this.rows);
  }

  get receivedAt(): string {
    return utcDate(this.first.internal_date);
  }

  private files() {
    const mailbox = this.mailboxOf(this.first.mailbox_id)!;
    return this.call.store.files(this.call.owner, mailbox);
  }

  /** The top-level header fields (the header block only is read). */
  headers(): RawHeader[] {
    if (!this.headerCache) {
      const block = this.files().follow(this.first, (file) => readHeaderBlock(file));
      this.headerCache = rawHeaders(Buffer.from(block, 'binary'));
    }
    return this.headerCache;
  }

  content(): Promise<Buffer> {
    return (this.contentCache ??= this.files().read(this.first));
  }

  async structure(): Promise<MimePart> {
    return this.call.context.mimeCache.get(this.first.guid, () => this.content());
  }

  async preview(): Promise<string> {
    return this.call.context.mimeCache.preview(this.first.guid, () => this.content());
  }
}

/** UTCDate (RFC 8620 §1.4): RFC 3339 in UTC, no fraction of a second. */
export function utcDate(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** The emails of the account by id, each with its rows; the mailboxes by row id. */
export function emailSources(call: MethodCall, rows: readonly MessageRow[]): Map<string, EmailSource> {
  const mailboxes = new Map(call.store.listMailboxes(call.user.id).map((m) => [m.id, m]));
  const grouped = new Map<string, MessageRow[]>();
  for (const row of rows) {
    const list = grouped.get(row.email_id);
    if (list) list.push(row);
    else grouped.set(row.email_id, [row]);
  }
  return new Map([...grouped].map(([id, list]) => [id, new EmailSource(call, list, (mailboxId) => mailboxes.get(mailboxId))]));
}

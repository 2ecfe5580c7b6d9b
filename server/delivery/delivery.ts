// Where an accepted message goes: a copy into each local recipient's INBOX (with Return-Path and
// Delivered-To, RFC 5321 §4.4), and one queue entry for all recipients at other domains.
import crypto from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { User } from '../accounts/accounts.js';
import type { AcceptedReport, StoredCopy } from '../inspector/message-path-types.js';
import type { Log } from '../log.js';
import type { ServiceName } from '../settings/schema.js';
import type { MailStore } from '../store/mailstore.js';
import type { OutboundQueue } from './queue.js';

export interface AcceptedMessage {
  /** Envelope sender; '' for the null sender of bounces. */
  sender: string;
  /** The message as it will be stored: trace headers first, then the bytes the client sent. */
  content: Buffer;
  localUsers: User[];
  remoteRecipients: string[];
  /** The SMTP session that handed it over, for the log line and the message's path. */
  via?: { service: ServiceName; session: string; client: string; user?: string };
}

export interface DeliveryResult {
  id: string;
  delivered: number;
  queuedAs: string | null;
}

let deliveries = 0;
const processToken = crypto.randomBytes(3).toString('hex').toUpperCase();

/** A short id for the log and the 250 reply: unique per process, told apart across restarts. */
function nextDeliveryId(): string {
  deliveries = (deliveries + 1) % 0x1000000;
  return `${processToken}${deliveries.toString(16).toUpperCase().padStart(6, '0')}`;
}

/** Emits 'accepted' (a DeliveryResult, and an AcceptedReport for the message's path) for every message it has made durable. */
export class Delivery extends EventEmitter {
  constructor(
    private readonly mailStore: MailStore,
    private readonly queue: OutboundQueue,
    private readonly log: Log,
  ) {
    super();
  }

  /**
   * Resolves when every copy is durable: the moment the sender may be told 250. Rejects only when
   * nothing was kept, so that the sender's retry (after a 4xx) duplicates nothing.
   */
  async deliver(message: AcceptedMessage): Promise<DeliveryResult> {
    const id = nextDeliveryId();
    const { sender, content, localUsers, remoteRecipients } = message;
    const [queued, ...copies] = await Promise.allSettled([
      remoteRecipients.length ? this.queue.enqueue(sender, remoteRecipients, content) : Promise.resolve(null),
      ...localUsers.map((user) => this.deliverToMailbox(user, sender, content)),
    ]);
    const delivered = localUsers.filter((_, i) => copies[i]!.status === 'fulfilled');
    const stored = copies.flatMap((copy) => (copy.status === 'fulfilled' ? [copy.value] : []));
    const failure = [queued, ...copies].find((outcome) => outcome.status === 'rejected');
    let queuedAs = queued.status === 'fulfilled' ? queued.value : null;
    let deferred = '';
    if (failure) {
      if (!delivered.length && !queuedAs) throw failure.reason;
      // Some copies are kept already, so a 4xx now would make the sender's retry duplicate them.
      // The others wait in the queue, which retries local recipients by local delivery.
      const waiting = [...localUsers.filter((user) => !delivered.includes(user)).map((user) => user.address), ...(queuedAs ? [] : remoteRecipients)];
      const retryAs = await this.queue.enqueue(sender, waiting, content);
      queuedAs ??= retryAs;
      deferred = `deferred ${waiting.join(', ')} as ${retryAs} (${(failure.reason as Error).message})`;
    }
    const parts = [
      delivered.length && `delivered to ${delivered.map((u) => u.address).join(', ')}`,
      queued.status === 'fulfilled' && queued.value && `queued ${queued.value} for ${remoteRecipients.join(', ')}`,
      deferred,
    ].filter(Boolean);
    const { via } = message;
    const { service = 'delivery', ...context } = via ?? {};
    this.log.write(deferred ? 'warn' : 'info', service, `${id} from <${sender}> ${content.length} bytes: ${parts.join('; ')}`, context);
    const result: DeliveryResult = { id, delivered: delivered.length, queuedAs };
    const report: AcceptedReport = {
      id,
      sender,
      content,
      recipients: [...localUsers.map((user) => user.address), ...remoteRecipients],
      copies: stored,
      queuedAs,
      via: via && { service: via.service, session: via.session, client: via.client },
    };
    this.emit('accepted', result, report);
    return result;
  }

  /** One copy into the user's INBOX, durable when this resolves; rejects if it could not be written. */
  async deliverToMailbox(user: User, sender: string, content: Buffer): Promise<StoredCopy> {
    let inbox = this.mailStore.getMailbox(user.id, 'INBOX');
    if (!inbox) {
      this.mailStore.ensureUserMailboxes(user);
      inbox = this.mailStore.getMailbox(user.id, 'INBOX')!;
    }
    const trace = Buffer.from(`Return-Path: <${sender}>\r\nDelivered-To: ${user.address}\r\n`);
    const row = await this.mailStore.appendMessage(user, inbox, Buffer.concat([trace, content]), { inNew: true });
    return { user: user.address, mailboxId: inbox.id, mailbox: inbox.name, folder: this.mailStore.folderPath(user, inbox), uid: row.uid, rowId: row.id, filename: row.filename, time: row.internal_date };
  }
}

// Where an accepted message goes: a copy into each local recipient's INBOX (with Return-Path and
// Delivered-To, RFC 5321 §4.4), and one queue entry for all recipients at other domains.
import crypto from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { User } from '../accounts/accounts.js';
import type { Log } from '../log.js';
import type { MailStore } from '../store/mailstore.js';
import type { OutboundQueue } from './queue.js';

export interface AcceptedMessage {
  /** Envelope sender; '' for the null sender of bounces. */
  sender: string;
  /** The message as it will be stored: trace headers first, then the bytes the client sent. */
  content: Buffer;
  localUsers: User[];
  remoteRecipients: string[];
  /** Who handed it over, for the log line. */
  via?: { service: string; session?: string; client?: string; user?: string };
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

/** Emits 'accepted' (a DeliveryResult) for every message it has made durable. */
export class Delivery extends EventEmitter {
  constructor(
    private readonly mailStore: MailStore,
    private readonly queue: OutboundQueue,
    private readonly log: Log,
  ) {
    super();
  }

  /** Resolves when every copy is durable: the moment the sender may be told 250. */
  async deliver(message: AcceptedMessage): Promise<DeliveryResult> {
    const id = nextDeliveryId();
    const local = message.localUsers.map((user) => this.deliverLocal(user, message));
    const queued = message.remoteRecipients.length
      ? this.queue.enqueue(message.sender, message.remoteRecipients, message.content)
      : Promise.resolve(null);
    const [queuedAs] = await Promise.all([queued, ...local]);
    const parts = [
      message.localUsers.length && `delivered to ${message.localUsers.map((u) => u.address).join(', ')}`,
      queuedAs && `queued ${queuedAs} for ${message.remoteRecipients.join(', ')}`,
    ].filter(Boolean);
    const { service = 'delivery', ...context } = message.via ?? {};
    this.log.info(service, `${id} from <${message.sender}> ${message.content.length} bytes: ${parts.join('; ')}`, context);
    const result: DeliveryResult = { id, delivered: message.localUsers.length, queuedAs: queuedAs ?? null };
    this.emit('accepted', result);
    return result;
  }

  private async deliverLocal(user: User, message: AcceptedMessage): Promise<void> {
    let inbox = this.mailStore.getMailbox(user.id, 'INBOX');
    if (!inbox) {
      this.mailStore.ensureUserMailboxes(user);
      inbox = this.mailStore.getMailbox(user.id, 'INBOX')!;
    }
    const trace = Buffer.from(`Return-Path: <${message.sender}>\r\nDelivered-To: ${user.address}\r\n`);
    await this.mailStore.appendMessage(user, inbox, Buffer.concat([trace, message.content]), { inNew: true });
  }
}

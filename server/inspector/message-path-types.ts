// The shapes of a message's path (message-paths.ts) and of what protocols report to it; types
// only, so that the admin contract (and the window through it) can name them.
import type { SessionRef, TranscriptLine } from './bus.js';

export type PathStepKind = 'dns' | 'submission' | 'delivery' | 'queued' | 'notified' | 'read' | 'outbound';
export type PathFactKey = 'deliveryId' | 'queueId' | 'user' | 'mailbox' | 'uid' | 'file' | 'indexRow' | 'recipients' | 'route' | 'remote' | 'dkim' | 'outcome';

export interface PathStep {
  kind: PathStepKind;
  time: number;
  /** Null for what happens inside LanPost without a conversation (a copy stored, an entry queued). */
  session: SessionRef | null;
  facts: Array<{ key: PathFactKey; value: string }>;
  lines: TranscriptLine[];
}

export interface MessagePath {
  /** The delivery id of the 250 reply ("queued as …") and the log. */
  id: string;
  time: number;
  sender: string;
  recipients: string[];
  messageId: string | null;
  subject: string | null;
  size: number;
  steps: PathStep[];
}

/** A copy stored in a local mailbox, as the delivery reports it. */
export interface StoredCopy {
  user: string;
  mailboxId: number;
  mailbox: string;
  /** The mailbox's Maildir++ folder (absolute). */
  folder: string;
  uid: number;
  rowId: number;
  filename: string;
  /** When it was stored (its internal date). */
  time: number;
}

/** What the delivery reports once a message is durable. */
export interface AcceptedReport {
  id: string;
  sender: string;
  content: Buffer;
  recipients: string[];
  copies: StoredCopy[];
  queuedAs: string | null;
  /** The SMTP session that handed it over (none for a bounce LanPost wrote itself). */
  via?: SessionRef;
}

export interface OutboundReport {
  queueId: string;
  session: SessionRef | null;
  /** How the server was found: "MX remote.test: 10 mx.remote.test [192.0.2.1]", a route, the smarthost. */
  route: string | null;
  remote: string | null;
  dkim: string | null;
  /** Per recipient: "bob@remote.test: sent (250 2.0.0 Ok)". */
  outcomes: string[];
}

// What the store hands out: rows of the index (mailboxes, messages), the owner whose Maildir
// holds them, and the changes it announces so that open IMAP/POP3 sessions learn of new, changed
// and removed messages at once.
export interface MailboxRow {
  id: number;
  user_id: number;
  name: string;
  folder: string;
  uidvalidity: number;
  uidnext: number;
  highest_modseq: number;
  subscribed: number;
  special_use: string | null;
  /** Kept by triggers on the message index (migration 5). */
  message_count: number;
  message_bytes: number;
  unseen_count: number;
  /** Expunges are remembered from this MODSEQ on (migration 7; QRESYNC). */
  expunges_known_from: number;
  /** MAILBOXID (RFC 8474), kept through RENAME. */
  object_id: string;
}

export interface MessageRow {
  id: number;
  mailbox_id: number;
  uid: number;
  guid: string;
  filename: string;
  size: number;
  internal_date: number;
  flags: string;
  modseq: number;
  /** EMAILID and THREADID (RFC 8474): kept by COPY and MOVE. */
  email_id: string;
  thread_id: string;
}

export interface MailboxOwner {
  id: number;
  maildir: string;
}

export type MailboxChange =
  | { mailboxId: number; kind: 'exists'; uids: number[] }
  | { mailboxId: number; kind: 'expunge'; uids: number[] }
  | { mailboxId: number; kind: 'flags'; uids: number[] };

/** Tells every listener of the store's `changes` (each writer calls it after its commit). */
export type Announce = (change: MailboxChange) => void;

// JMAP state strings (RFC 8620 §1.2 "state") made of the same MODSEQs IMAP CONDSTORE/QRESYNC hands
// out: for every mailbox of the account its MAILBOXID, HIGHESTMODSEQ, UIDNEXT and a digest of its
// name and subscription. Any change to mail (new message, flags over IMAP or JMAP, expunge, move)
// raises a MODSEQ, so it changes the state; a state names exactly the point it was taken at, and
// /changes reads what happened since from the index (rows with a higher MODSEQ, and the removals
// remembered with theirs). One state serves Mailbox, Email and Thread.
import crypto from 'node:crypto';
import type { MailboxRow, MailStore } from '../store/mailstore.js';

export interface MailboxMark {
  objectId: string;
  modseq: number;
  uidnext: number;
  /** Name, parent and subscription, hashed: a rename changes the state without touching MODSEQ. */
  digest: string;
}

function markOf(mailbox: MailboxRow, subscribed: boolean): MailboxMark {
  const digest = crypto.createHash('sha256').update(`${mailbox.name}\0${subscribed}`).digest('base64url').slice(0, 6);
  return { objectId: mailbox.object_id, modseq: mailbox.highest_modseq, uidnext: mailbox.uidnext, digest };
}

/** The marks of the account's mailboxes now. */
export function currentMarks(store: MailStore, userId: number): Map<string, MailboxMark> {
  const subscribed = new Set(store.subscriptions(userId));
  return new Map(store.listMailboxes(userId).map((mailbox) => [mailbox.object_id, markOf(mailbox, subscribed.has(mailbox.name))]));
}

/** The account's state now. */
export function currentState(store: MailStore, userId: number): string {
  return stateOf(currentMarks(store, userId));
}

export function stateOf(current: Map<string, MailboxMark>): string {
  const marks = [...current.values()].sort((a, b) => (a.objectId < b.objectId ? -1 : 1));
  return 's' + marks.map((m) => `${m.objectId}.${m.modseq.toString(36)}.${m.uidnext.toString(36)}.${m.digest}`).join('~');
}

/** The marks of a state this server gave out, or null for anything else (then /changes says cannotCalculateChanges). */
export function parseState(state: string): Map<string, MailboxMark> | null {
  if (!state.startsWith('s')) return null;
  const marks = new Map<string, MailboxMark>();
  if (state === 's') return marks;
  for (const part of state.slice(1).split('~')) {
    const m = /^([A-Za-z0-9_-]+)\.([0-9a-z]+)\.([0-9a-z]+)\.([A-Za-z0-9_-]{6})$/.exec(part);
    if (!m) return null;
    marks.set(m[1]!, { objectId: m[1]!, modseq: parseInt(m[2]!, 36), uidnext: parseInt(m[3]!, 36), digest: m[4]! });
  }
  return marks;
}

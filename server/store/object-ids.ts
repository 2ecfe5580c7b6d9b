// Stable object ids (RFC 8474 OBJECTID: MAILBOXID, EMAILID, THREADID), the same ids JMAP hands
// out: a letter for the kind, then 96 random bits in hex — within RFC 8474's objectid grammar
// (letters, digits, "_" and "-"; at most 255) and JMAP's Id (RFC 8620 §1.2). A mailbox keeps its id
// through RENAME; a message keeps its EMAILID and THREADID through COPY and MOVE. Migration 8
// gives the rows it found ids of the same shape.
import crypto from 'node:crypto';

const PREFIX = { mailbox: 'F', email: 'M', thread: 'T' } as const;

export type ObjectKind = keyof typeof PREFIX;

export function newObjectId(kind: ObjectKind): string {
  return PREFIX[kind] + crypto.randomBytes(12).toString('hex');
}

/** objectid (RFC 8474 §7): what a client may send as one (SEARCH EMAILID, THREADID). */
export function isObjectId(text: string): boolean {
  return /^[A-Za-z0-9_-]{1,255}$/.test(text);
}

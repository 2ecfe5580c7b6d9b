// Threads (RFC 8474 THREADID, JMAP's threadId): a new message joins the thread of an earlier message
// of the same owner that it names in In-Reply-To or References, or that named it; otherwise it starts
// a thread. Every Message-ID seen is remembered with its thread (thread_refs), so a reply that came
// first and the message it answers still meet, whatever the order of arrival. Copies keep the
// thread of their original.
import type { Db } from './db.js';
import { newObjectId } from './object-ids.js';

/** The Message-IDs a message carries for threading: its own, and those it refers to, nearest first. */
export interface ThreadingIds {
  own: string | null;
  refs: string[];
}

/** A long thread's References: the last ones name the nearest messages, enough to find the thread. */
const MAX_REFS = 32;
/** Longer "Message-IDs" are not ids anyone could match (RFC 5322 lines stop at 998). */
const MAX_ID_LENGTH = 250;
/** Header bytes looked at: the fields sit in the header block, which rarely passes this. */
export const HEADER_BYTES = 64 * 1024;

export const NO_THREADING: ThreadingIds = { own: null, refs: [] };

/** Message-ID, In-Reply-To and References of a message (RFC 5322 §3.6.4), from its header block. */
export function threadingIds(content: Buffer): ThreadingIds {
  const head = content.toString('latin1', 0, Math.min(content.length, HEADER_BYTES));
  const end = /\r?\n\r?\n/.exec(head);
  const block = end ? head.slice(0, end.index) : head;
  const fields = new Map<string, string>();
  // unfolded: a line starting with white space continues the field before it
  for (const field of block.split(/\r?\n(?![ \t])/)) {
    const colon = field.indexOf(':');
    if (colon < 0) continue;
    const name = field.slice(0, colon).trim().toLowerCase();
    if ((name === 'message-id' || name === 'in-reply-to' || name === 'references') && !fields.has(name)) fields.set(name, field.slice(colon + 1));
  }
  const ids = (name: string) => [...(fields.get(name) ?? '').matchAll(/<([^<>\s]{1,250})>/g)].map((m) => m[1]!).filter((id) => id.length <= MAX_ID_LENGTH);
  const own = ids('message-id')[0] ?? null;
  const refs = [...new Set([...ids('in-reply-to'), ...ids('references').reverse()])].filter((id) => id !== own).slice(0, MAX_REFS);
  return { own, refs };
}

export class Threads {
  private readonly statements;

  constructor(db: Db) {
    this.statements = {
      find: db.prepare<[number, string]>('SELECT thread_id FROM thread_refs WHERE user_id = ? AND message_id = ?').pluck(),
      remember: db.prepare<[number, string, string]>('INSERT OR IGNORE INTO thread_refs (user_id, message_id, thread_id) VALUES (?, ?, ?)'),
    };
  }

  /** The thread of a new message of `userId` (inside the caller's transaction); its ids are remembered for the messages to come. */
  assign(userId: number, ids: ThreadingIds): string {
    const all = ids.own ? [ids.own, ...ids.refs] : ids.refs;
    let thread: string | undefined;
    for (const id of all) if ((thread = this.statements.find.get(userId, id) as string | undefined)) break;
    thread ??= newObjectId('thread');
    for (const id of all) this.statements.remember.run(userId, id, thread);
    return thread;
  }
}

// What threading needs of each message (RFC 5256 §2): its Message-ID and the ones it refers to,
// its base subject and whether it is a reply, its sent date. Envelope fields come from the MIME
// cache; References (not part of ENVELOPE) from the header block, remembered per message.
import { envelopeFields } from '../mime/cache.js';
import { readHeaderBlock } from '../mime/header-block.js';
import { FieldNames, fieldValue, splitHeaderFields } from '../mime/headers.js';
import type { Envelope } from '../mime/envelope.js';
import type { Match } from '../search/evaluate.js';
import { asciiUpper, extractSubject, sentTime } from '../search/sort.js';
import type { Session } from '../session.js';

export interface ThreadMessage {
  seq: number;
  uid: number;
  /** The Message-ID, null when the message has none that is valid. */
  messageId: string | null;
  /** The messages it answers, oldest first: References, else the first In-Reply-To (RFC 5256 §3 REFERENCES 1A). */
  references: string[];
  /** The base subject, upper-cased (i;ascii-casemap), and whether it was a reply or forward. */
  subject: string;
  reply: boolean;
  /** Sent date (ms), the internal date where the Date: field is missing or unreadable. */
  date: number;
}

const REFERENCES = new FieldNames(['references']);
/** References of recently threaded messages, by guid (a message file never changes). */
const remembered = new Map<string, string[]>();
const REMEMBERED_MAX = 50_000;

/** The msg-ids of a field value, in order ("<a@b> <c@d>"); whitespace inside one is not part of it. */
export function messageIds(value: string | null | undefined): string[] {
  if (!value) return [];
  const ids: string[] = [];
  for (const match of value.matchAll(/<([^<>]*)>/g)) {
    const id = match[1]!.replace(/\s+/g, '');
    if (id) ids.push(id);
  }
  return ids;
}

function referencesOf(session: Session, match: Match, envelope: Envelope | undefined): string[] {
  let ids = remembered.get(match.row.guid);
  if (!ids) {
    const view = session.selected;
    const files = session.context.mailStore.files(view.owner, view.mailbox);
    const field = splitHeaderFields(files.follow(match.row, readHeaderBlock), REFERENCES)[0];
    ids = messageIds(field ? fieldValue(field) : null);
    if (remembered.size >= REMEMBERED_MAX) remembered.delete(remembered.keys().next().value!);
    remembered.set(match.row.guid, ids);
  }
  return ids.length ? ids : messageIds(envelope?.inReplyTo).slice(0, 1);
}

/** The threading facts of the matches; `references` false (ORDEREDSUBJECT) reads no header block. */
export function threadMessages(session: Session, matches: Match[], references: boolean): ThreadMessage[] {
  const cache = session.context.mimeCache;
  const view = session.selected;
  const files = session.context.mailStore.files(view.owner, view.mailbox);
  for (let i = 0; i < matches.length; i += 500) cache.prefetch(matches.slice(i, i + 500).map((m) => m.row));
  const out: ThreadMessage[] = [];
  for (const match of matches) {
    let envelope: Envelope | undefined;
    let refs: string[] = [];
    try {
      envelope = envelopeFields(cache.envelope(match.row.guid, () => files.follow(match.row, readHeaderBlock)));
      if (references) refs = referencesOf(session, match, envelope);
    } catch {
      // expunged meanwhile: threaded as a message without headers
    }
    const subject = extractSubject(envelope?.subject ?? null);
    out.push({
      seq: match.seq,
      uid: match.uid,
      messageId: messageIds(envelope?.messageId)[0] ?? null,
      references: refs,
      subject: asciiUpper(subject.base),
      reply: subject.reply,
      date: sentTime(envelope?.date ?? null, match.row.internal_date),
    });
  }
  return out;
}

// What the window lists a message by: its Message-ID, Subject and From, decoded from its header
// block (RFC 2047 encoded words), without parsing the rest of the message.
import { headerBlockEnd } from '../imap/mime/header-block.js';
import { FieldNames, splitHeaderFields } from '../imap/mime/headers.js';
import { mimeLibraries } from '../imap/mime/libraries.js';

export interface MessageSummary {
  messageId: string | null;
  subject: string | null;
  from: string | null;
}

const WANTED = new FieldNames(['message-id', 'subject', 'from']);
/** A header block longer than this is not looked into further. */
const HEADER_BYTES = 64 * 1024;

/** From the message's bytes. */
export function summaryOf(content: Buffer): MessageSummary {
  const head = content.subarray(0, HEADER_BYTES);
  return summaryOfHeader(head.toString('latin1', 0, headerBlockEnd(head)));
}

/** From its header block ("binary" string, one char per octet). */
export function summaryOfHeader(block: string): MessageSummary {
  const fields = splitHeaderFields(block, WANTED);
  const value = (key: string): string | null => {
    const field = fields.find((f) => f.key === key);
    if (!field) return null;
    const raw = Buffer.from(field.line.slice(field.line.indexOf(':') + 1).replace(/\r\n/g, ''), 'latin1').toString('utf8').trim();
    try {
      return mimeLibraries().libmime.decodeWords(raw);
    } catch {
      return raw; // as it was sent
    }
  };
  return { messageId: value('message-id'), subject: value('subject'), from: value('from') };
}

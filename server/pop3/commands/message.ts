// The message a command names (RFC 1939 §5: a number of the session's snapshot, not marked
// deleted), and opening it for RETR/TOP.
import { isGone } from '../../store/message-files.js';
import type { DropMessage, MessageSource } from '../maildrop.js';
import { replies } from '../replies.js';
import type { Pop3Session } from '../session.js';

const NUMBER = /^\d{1,10}$/;

/** The message an argument names, or null after replying why not. */
export function messageArgument(session: Pop3Session, text: string | undefined, usage: string): DropMessage | null {
  if (text === undefined || !NUMBER.test(text)) {
    session.badCommand(replies.syntax(usage));
    return null;
  }
  const message = session.maildrop!.get(Number(text));
  if (!message) {
    session.send(replies.noSuchMessage(text));
    return null;
  }
  if (message.deleted) {
    session.send(replies.alreadyDeleted(message.number));
    return null;
  }
  return message;
}

/** A non-negative line count (TOP's second argument). */
export function countArgument(text: string | undefined): number | null {
  return text !== undefined && NUMBER.test(text) ? Number(text) : null;
}

/** Opens a message for RETR/TOP, or replies -ERR if another session (IMAP) removed it meanwhile. */
export async function openMessage(session: Pop3Session, message: DropMessage): Promise<MessageSource | null> {
  try {
    return await session.maildrop!.read(message);
  } catch (error) {
    goneMeanwhile(session, message, error);
    return null;
  }
}

/** After a failed read: -ERR if another session (IMAP) removed the message meanwhile; any other error goes on. */
export function goneMeanwhile(session: Pop3Session, message: DropMessage, error: unknown): void {
  if (!isGone(error)) throw error;
  session.send(replies.goneMeanwhile(message.number));
}

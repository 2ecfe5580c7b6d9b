// Finding a user's mailbox by the name a client sent (mUTF-7, or UTF-8 once enabled; INBOX in any case).
import type { MailboxRow } from '../../store/mailstore.js';
import type { Args } from '../parser/args.js';
import { normalizeMailboxName } from '../mailbox-names.js';
import { no } from '../replies.js';
import type { Session } from '../session.js';

/** The arguments of a command that takes one mailbox name and nothing else, as sent. */
export function mailboxNameOnly(args: Args): string {
  const name = args.astring('mailbox name');
  args.end();
  return name;
}

/** The stored (canonical) form of a name the client sent. */
export function clientMailboxName(session: Session, name: string): string {
  return normalizeMailboxName(name, session.utf8);
}

export function findMailbox(session: Session, name: string): MailboxRow | undefined {
  return session.context.mailStore.getMailbox(session.user.id, clientMailboxName(session, name));
}

/** The mailbox, or NO [NONEXISTENT] (or [TRYCREATE] where RFC 3501 asks for it: APPEND, COPY). */
export function requireMailbox(session: Session, name: string, code: 'NONEXISTENT' | 'TRYCREATE' = 'NONEXISTENT'): MailboxRow {
  const mailbox = findMailbox(session, name);
  if (!mailbox) throw no(`Mailbox does not exist: ${name}`, code);
  return mailbox;
}

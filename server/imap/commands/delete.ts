// DELETE (RFC 3501 §6.3.4): removes a mailbox and its messages. INBOX stays; mailboxes under the
// deleted one stay, and the name then lists as \Noselect while they exist.
import { no } from '../replies.js';
import { clientMailboxName, mailboxNameOnly } from './lookup.js';
import { AUTHENTICATED, command } from './types.js';

export const deleteMailbox = command({
  states: AUTHENTICATED,
  parse: mailboxNameOnly,
  handle({ session, context, args }) {
    const name = clientMailboxName(session, args);
    if (name === 'INBOX') throw no('INBOX cannot be deleted', 'CANNOT');
    const mailbox = context.mailStore.getMailbox(session.user.id, name);
    if (!mailbox) throw no(`Mailbox does not exist: ${args}`, 'NONEXISTENT');
    if (session.selectedOrNull?.id === mailbox.id) throw no('The selected mailbox cannot be deleted; CLOSE it first', 'INUSE');
    context.mailStore.deleteMailbox(session.user, mailbox);
  },
});

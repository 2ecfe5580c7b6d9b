// RENAME (RFC 3501 §6.3.5): renames a mailbox and everything under it; renaming INBOX moves
// its messages to the new name and leaves INBOX empty.
import { invalidMailboxName, normalizeMailboxName, parentsOf, DELIMITER } from '../mailbox-names.js';
import { no } from '../replies.js';
import { findMailbox } from './lookup.js';
import { AUTHENTICATED, command } from './types.js';

export const rename = command({
  states: AUTHENTICATED,
  parse(args) {
    const from = args.astring('existing mailbox name');
    const to = args.astring('new mailbox name');
    args.end();
    return { from, to };
  },
  async handle({ session, context, args }) {
    const store = context.mailStore;
    const source = findMailbox(session, args.from);
    if (!source) throw no(`Mailbox does not exist: ${args.from}`, 'NONEXISTENT');
    const target = normalizeMailboxName(args.to);
    const problem = invalidMailboxName(target);
    if (problem) throw no(problem, 'CANNOT');
    if (store.getMailbox(session.user.id, target)) throw no('A mailbox with the new name already exists', 'ALREADYEXISTS');
    if (target.startsWith(source.name + DELIMITER)) throw no('A mailbox cannot be moved under itself', 'CANNOT');
    for (const parent of parentsOf(target)) if (!store.getMailbox(session.user.id, parent)) store.createMailbox(session.user, parent);
    await store.renameMailbox(session.user, source, target);
  },
});

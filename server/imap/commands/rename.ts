// RENAME (RFC 3501 §6.3.5): renames a mailbox and everything under it; renaming INBOX moves
// its messages to the new name and leaves INBOX empty.
import { invalidMailboxName, parentsOf, DELIMITER } from '../mailbox-names.js';
import { no } from '../replies.js';
import { clientMailboxName, findMailbox } from './lookup.js';
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
    const target = clientMailboxName(session, args.to);
    const problem = invalidMailboxName(target);
    if (problem) throw no(problem.text, problem.code);
    if (store.getMailbox(session.user.id, target)) throw no('A mailbox with the new name already exists', 'ALREADYEXISTS');
    if (target.startsWith(source.name + DELIMITER)) throw no('A mailbox cannot be moved under itself', 'CANNOT');
    if (source.name !== 'INBOX') {
      // the mailboxes under it move too: their new names must fit the limits as well
      const prefix = source.name + DELIMITER;
      for (const child of store.listMailboxes(session.user.id)) {
        if (!child.name.startsWith(prefix)) continue;
        const childProblem = invalidMailboxName(target + child.name.slice(source.name.length));
        if (childProblem) throw no(childProblem.text, childProblem.code);
      }
    }
    const parents = store.createMailboxes(session.user, parentsOf(target));
    try {
      await store.renameMailbox(session.user, source, target);
    } catch (error) {
      store.removeCreated(session.user, parents);
      throw error;
    }
  },
});

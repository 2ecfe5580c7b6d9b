// CREATE (RFC 3501 §6.3.3): a new mailbox, with any missing superiors; a trailing "/" only
// declares the intent to create children under the name. The OK names its MAILBOXID (RFC 8474 §4.1).
import { DELIMITER, invalidMailboxName, parentsOf } from '../mailbox-names.js';
import { no } from '../replies.js';
import { clientMailboxName, mailboxNameOnly } from './lookup.js';
import { AUTHENTICATED, command } from './types.js';

export const create = command({
  states: AUTHENTICATED,
  parse: mailboxNameOnly,
  handle({ session, context, args }) {
    const name = clientMailboxName(session, args.endsWith(DELIMITER) ? args.slice(0, -1) : args);
    const problem = invalidMailboxName(name);
    if (problem) throw no(problem.text, problem.code);
    const store = context.mailStore;
    if (store.getMailbox(session.user.id, name)) throw no('Mailbox already exists', 'ALREADYEXISTS');
    // all or nothing: a failure half-way leaves no parent behind
    const created = store.createMailboxes(session.user, [...parentsOf(name), name]);
    return { code: `MAILBOXID (${created[created.length - 1]!.object_id})`, text: 'CREATE completed' };
  },
});

// SUBSCRIBE and UNSUBSCRIBE (RFC 3501 §6.3.6–7): the names LSUB and LIST (SUBSCRIBED) show.
// A subscription may outlive its mailbox (RFC 3501 says the server must not drop it by itself).
import { no } from '../replies.js';
import { clientMailboxName, mailboxNameOnly } from './lookup.js';
import { AUTHENTICATED, command } from './types.js';

const nameArg = { states: AUTHENTICATED, parse: mailboxNameOnly };

export const subscribe = command({
  ...nameArg,
  handle({ session, context, args }) {
    if (!args) throw no('Mailbox name is empty');
    context.mailStore.subscribe(session.user.id, clientMailboxName(session, args));
  },
});

export const unsubscribe = command({
  ...nameArg,
  handle({ session, context, args }) {
    context.mailStore.unsubscribe(session.user.id, clientMailboxName(session, args));
  },
});

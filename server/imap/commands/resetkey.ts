// RESETKEY (RFC 4467 §6.2): new URLAUTH keys for one mailbox of this user's, or for all of them;
// every URL made with the old keys stops working.
import { resetKeys, MECHANISM } from '../url/urlauth.js';
import { ImapSyntaxError } from '../parser/tokens.js';
import { requireMailbox } from './lookup.js';
import { AUTHENTICATED, command } from './types.js';

export const resetKey = command({
  states: AUTHENTICATED,
  parse(args) {
    if (!args.remaining) return { mailbox: null };
    const mailbox = args.astring('mailbox name');
    while (args.remaining) {
      const mechanism = args.atom('mechanism').toUpperCase();
      if (mechanism !== MECHANISM) throw new ImapSyntaxError(`unknown URLAUTH mechanism ${mechanism} (only ${MECHANISM})`);
    }
    return { mailbox };
  },
  handle({ session, context, args }) {
    const mailboxes = args.mailbox === null ? context.mailStore.listMailboxes(session.user.id) : [requireMailbox(session, args.mailbox)];
    resetKeys(context, mailboxes);
  },
});

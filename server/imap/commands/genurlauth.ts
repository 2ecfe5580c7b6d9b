// GENURLAUTH (RFC 4467 §6.1): URLAUTH URLs for messages of this user's, made with the INTERNAL
// mechanism; each is answered in one GENURLAUTH response, or the command fails with BADURL.
import { asAstring } from '../parser/args.js';
import { ImapSyntaxError } from '../parser/tokens.js';
import { no, str, strText, untagged } from '../replies.js';
import { generateUrlauth, MECHANISM } from '../url/urlauth.js';
import { AUTHENTICATED, command } from './types.js';

export const genUrlauth = command({
  states: AUTHENTICATED,
  parse(args) {
    const urls: string[] = [];
    do {
      urls.push(asAstring(args.next('URL'), 'URL'));
      const mechanism = args.atom('mechanism').toUpperCase();
      if (mechanism !== MECHANISM) throw new ImapSyntaxError(`unknown URLAUTH mechanism ${mechanism} (only ${MECHANISM})`);
    } while (args.remaining);
    return urls;
  },
  async handle({ session, context, wire, args }) {
    const made: string[] = [];
    for (const url of args) {
      const authorized = generateUrlauth(context, session.user, url);
      if (!authorized) throw no(`Cannot make a URLAUTH URL of ${url}`, `BADURL ${strText(url)}`);
      made.push(authorized);
    }
    await wire.send(untagged('GENURLAUTH ', ...made.flatMap((url, i) => (i ? [' ', ...str(url)] : str(url)))));
  },
});

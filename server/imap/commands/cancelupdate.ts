// CANCELUPDATE (RFC 5267 §4.3.5): stop keeping the results of the searches with these tags.
import { asAstring } from '../parser/args.js';
import { ImapSyntaxError } from '../parser/tokens.js';
import { bad } from '../replies.js';
import { command, SELECTED } from './types.js';

export const cancelUpdate = command({
  states: SELECTED,
  parse(args) {
    const tags: string[] = [];
    while (args.remaining) tags.push(asAstring(args.next('tag'), 'tag'));
    if (!tags.length) throw new ImapSyntaxError('CANCELUPDATE needs the tag of a search');
    return tags;
  },
  handle({ session, args }) {
    if (!session.searchUpdates.cancel(args)) throw bad('No kept search has that tag');
  },
});

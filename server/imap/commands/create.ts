// CREATE (RFC 3501 §6.3.3): a new mailbox, with any missing superiors; a trailing "/" only
// declares the intent to create children under the name. CREATE name (USE (\Sent …)) gives it
// special-use attributes (RFC 6154 §3, CREATE-SPECIAL-USE); the OK names its MAILBOXID (RFC 8474 §4.1).
import { DELIMITER, invalidMailboxName, parentsOf } from '../mailbox-names.js';
import { atomsOf } from '../parser/args.js';
import { ImapSyntaxError } from '../parser/tokens.js';
import { no } from '../replies.js';
import { clientMailboxName } from './lookup.js';
import { AUTHENTICATED, command } from './types.js';

/** The special uses a mailbox here can be made for; \All and \Flagged are views of other mailboxes, which LanPost has not. */
const CREATABLE_USES = new Map(['\\Archive', '\\Drafts', '\\Junk', '\\Sent', '\\Trash'].map((use) => [use.toLowerCase(), use]));
const KNOWN_USES = new Set(['\\all', '\\flagged', ...CREATABLE_USES.keys()]);

export const create = command({
  states: AUTHENTICATED,
  parse(args) {
    const name = args.astring('mailbox name');
    const uses: string[] = [];
    const params = args.optionalList() ?? [];
    for (let i = 0; i < params.length; i++) {
      const param = params[i]!;
      const list = params[i + 1];
      if (param.type !== 'atom' || param.value.toUpperCase() !== 'USE' || list?.type !== 'list') throw new ImapSyntaxError('expected (USE (attributes))');
      uses.push(...atomsOf(list.items, 'special-use attribute'));
      i++;
    }
    args.end();
    return { name, uses };
  },
  handle({ session, context, args }) {
    const name = clientMailboxName(session, args.name.endsWith(DELIMITER) ? args.name.slice(0, -1) : args.name);
    const problem = invalidMailboxName(name);
    if (problem) throw no(problem.text, problem.code);
    const uses: string[] = [];
    for (const use of args.uses) {
      const known = CREATABLE_USES.get(use.toLowerCase());
      // RFC 6154 §3: an attribute the server does not support for new mailboxes is refused with USEATTR
      if (!known) throw no(KNOWN_USES.has(use.toLowerCase()) ? `A mailbox cannot be created for ${use} here` : `Unknown special use ${use}`, 'USEATTR');
      if (!uses.includes(known)) uses.push(known);
    }
    const store = context.mailStore;
    if (store.getMailbox(session.user.id, name)) throw no('Mailbox already exists', 'ALREADYEXISTS');
    // all or nothing: a failure half-way leaves no parent behind
    const created = store.createMailboxes(session.user, [...parentsOf(name), name], uses.join(' ') || null);
    return { code: `MAILBOXID (${created[created.length - 1]!.object_id})`, text: 'CREATE completed' };
  },
});

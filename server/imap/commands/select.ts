// SELECT and EXAMINE (RFC 3501 §6.3.1–2): open a mailbox read-write or read-only and report its
// state; SELECT (CONDSTORE) turns CONDSTORE on (RFC 7162 §3.1.8).
import { atomsOf } from '../parser/args.js';
import { ImapSyntaxError } from '../parser/tokens.js';
import { plist, untagged } from '../replies.js';
import { SelectedMailbox } from '../selected.js';
import { requireMailbox } from './lookup.js';
import { AUTHENTICATED, command, type CommandSpec } from './types.js';

function selectCommand(readOnly: boolean): CommandSpec<{ name: string; condstore: boolean }> {
  return command({
    states: AUTHENTICATED,
    parse(args) {
      const name = args.astring('mailbox name');
      let condstore = false;
      const params = args.optionalList();
      if (params) {
        for (const param of atomsOf(params, 'select parameter')) {
          if (param.toUpperCase() === 'CONDSTORE') condstore = true;
          else throw new ImapSyntaxError(`unknown select parameter ${param}`);
        }
      }
      args.end();
      return { name, condstore };
    },
    async handle({ session, wire, args, context }) {
      // RFC 3501 §6.3.1: a SELECT first leaves the selected mailbox, even if it then fails
      session.unselect();
      const mailbox = requireMailbox(session, args.name);
      if (args.condstore) session.enabled.add('CONDSTORE');
      const view = new SelectedMailbox(context.mailStore, session.user, mailbox, readOnly);
      session.select(view);
      const flags = view.flagList();
      await wire.send(untagged('FLAGS ', ...plist(flags.map((f) => [f]))));
      await wire.send(
        untagged('OK [PERMANENTFLAGS ', ...(readOnly ? ['()'] : plist([...flags, '\\*'].map((f) => [f]))), '] Flags permitted'),
      );
      await wire.send(untagged(`${view.exists} EXISTS`));
      await wire.send(untagged(`${view.recentCount} RECENT`));
      if (view.firstUnseen) await wire.send(untagged(`OK [UNSEEN ${view.firstUnseen}] First unseen`));
      await wire.send(untagged(`OK [UIDVALIDITY ${mailbox.uidvalidity}] UIDs valid`));
      await wire.send(untagged(`OK [UIDNEXT ${mailbox.uidnext}] Predicted next UID`));
      await wire.send(untagged(`OK [HIGHESTMODSEQ ${mailbox.highest_modseq}] Highest`));
      return { code: readOnly ? 'READ-ONLY' : 'READ-WRITE', text: `${readOnly ? 'EXAMINE' : 'SELECT'} completed` };
    },
  });
}

export const select = selectCommand(false);
export const examine = selectCommand(true);

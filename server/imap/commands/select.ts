// SELECT and EXAMINE (RFC 3501 §6.3.1–2): open a mailbox read-write or read-only and report its
// state; SELECT (CONDSTORE) turns CONDSTORE on (RFC 7162 §3.1.8), SELECT (QRESYNC (…)) also tells
// what changed since the client last looked (§3.2.5, see qresync.ts). MAILBOXID (RFC 8474 §4.1).
import { parseQresyncParams, resyncResponses, type QresyncParams } from '../qresync.js';
import { ImapSyntaxError } from '../parser/tokens.js';
import { bad, plist, untagged } from '../replies.js';
import { SelectedMailbox } from '../selected.js';
import { requireMailbox } from './lookup.js';
import { AUTHENTICATED, command, type CommandSpec } from './types.js';

interface SelectArgs {
  name: string;
  condstore: boolean;
  qresync: QresyncParams | null;
}

function selectCommand(readOnly: boolean): CommandSpec<SelectArgs> {
  return command({
    states: AUTHENTICATED,
    parse(args) {
      const name = args.astring('mailbox name');
      let condstore = false;
      let qresync: QresyncParams | null = null;
      const params = args.optionalList() ?? [];
      for (let i = 0; i < params.length; i++) {
        const param = params[i]!;
        const upper = param.type === 'atom' ? param.value.toUpperCase() : '';
        if (upper === 'CONDSTORE') condstore = true;
        else if (upper === 'QRESYNC') qresync = parseQresyncParams(params[++i]);
        else throw new ImapSyntaxError(`unknown select parameter ${param.type === 'atom' ? param.value : ''}`.trim());
      }
      args.end();
      return { name, condstore, qresync };
    },
    async handle({ session, wire, args, context }) {
      // RFC 7162 §3.2.5: QRESYNC parameters only after ENABLE QRESYNC
      if (args.qresync && !session.qresync) throw bad('QRESYNC must be enabled first (ENABLE QRESYNC)');
      // RFC 3501 §6.3.1: a SELECT first leaves the selected mailbox, even if it then fails;
      // RFC 7162 §3.2.11: and says so, before anything of the new one
      if (session.selectedOrNull) {
        session.unselect();
        await wire.send(untagged('OK [CLOSED] Previous mailbox closed'));
      }
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
      await wire.send(untagged(`OK [MAILBOXID (${mailbox.object_id})] Ok`));
      if (args.qresync) for (const response of resyncResponses(context.mailStore, view, mailbox, args.qresync)) await wire.send(response);
      return { code: readOnly ? 'READ-ONLY' : 'READ-WRITE', text: `${readOnly ? 'EXAMINE' : 'SELECT'} completed` };
    },
  });
}

export const select = selectCommand(false);
export const examine = selectCommand(true);

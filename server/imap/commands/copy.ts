// COPY / UID COPY (RFC 3501 §6.4.7) and MOVE / UID MOVE (RFC 6851), answering with COPYUID
// (RFC 4315): source UIDs and the new UIDs, in the same order.
import { formatSequenceSet, type SequenceSet } from '../parser/sequence.js';
import { no, untagged } from '../replies.js';
import { requireMailbox } from './lookup.js';
import { overQuota } from './quota.js';
import { command, SELECTED, type CommandSpec } from './types.js';

function copyCommand(byUid: boolean, move: boolean): CommandSpec<{ set: SequenceSet; mailbox: string }> {
  return command({
    states: SELECTED,
    parse(args) {
      const set = args.sequenceSet();
      const mailbox = args.astring('mailbox name');
      args.end();
      return { set, mailbox };
    },
    async handle({ session, context, wire, args }) {
      const view = session.selected;
      const target = requireMailbox(session, args.mailbox, 'TRYCREATE');
      if (move && view.readOnly) throw no('Mailbox is read-only', 'READ-ONLY');
      const rows = view.rowsForUids(view.resolve(args.set, byUid).map((t) => t.uid));
      if (!rows.length) return { text: `${move ? 'MOVE' : 'COPY'} completed (no messages)` };
      // RFC 9208 (OVERQUOTA): a copy that would pass the quota is refused (a move takes no more room)
      if (!move && overQuota(session, rows.reduce((sum, row) => sum + row.size, 0))) throw no('Mailbox is full (quota exceeded)', 'OVERQUOTA');
      const store = context.mailStore;
      const copied = move
        ? await store.moveMessages(session.user, view.mailbox, target, rows)
        : await store.copyMessages(session.user, view.mailbox, target, rows);
      // both lists ascend together: the source rows in UID order were copied in that order
      const compact = `COPYUID ${target.uidvalidity} ${formatSequenceSet(rows.map((r) => r.uid))} ${formatSequenceSet(copied.map((r) => r.uid))}`;
      if (move) {
        // RFC 6851 §4.3: COPYUID goes in an untagged OK before the EXPUNGEs
        await wire.send(untagged(`OK [${compact}] Moved`));
        return { text: 'MOVE completed' };
      }
      return { code: compact, text: 'COPY completed' };
    },
  });
}

export const copy = copyCommand(false, false);
export const uidCopy = copyCommand(true, false);
export const move = copyCommand(false, true);
export const uidMove = copyCommand(true, true);

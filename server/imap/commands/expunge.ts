// EXPUNGE (RFC 3501 §6.4.3) and UID EXPUNGE (RFC 4315 §2.1): remove \Deleted messages; the
// untagged EXPUNGE responses follow from the store's change events, like everyone else's.
import { Flags, type MessageRow } from '../../store/mailstore.js';
import type { SequenceSet } from '../parser/sequence.js';
import { no } from '../replies.js';
import type { SelectedMailbox, Target } from '../selected.js';
import { command, noArgs, SELECTED } from './types.js';

export function deletedMessages(view: SelectedMailbox, targets: Target[]): MessageRow[] {
  return view.rowsForUids(targets.map((t) => t.uid)).filter((row) => Flags.of(row).has('\\Deleted'));
}

export const expunge = command({
  states: SELECTED,
  parse: noArgs,
  handle({ session, context }) {
    const view = session.selected;
    if (view.readOnly) throw no('Mailbox is read-only', 'READ-ONLY');
    const doomed = deletedMessages(view, view.allTargets());
    if (doomed.length) context.mailStore.expunge(session.user, view.mailbox, doomed);
  },
});

export const uidExpunge = command<SequenceSet>({
  states: SELECTED,
  parse(args) {
    const set = args.sequenceSet();
    args.end();
    return set;
  },
  handle({ session, context, args }) {
    const view = session.selected;
    if (view.readOnly) throw no('Mailbox is read-only', 'READ-ONLY');
    const doomed = deletedMessages(view, view.resolve(args, true));
    if (doomed.length) context.mailStore.expunge(session.user, view.mailbox, doomed);
  },
});


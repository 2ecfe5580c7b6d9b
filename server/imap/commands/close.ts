// CLOSE (RFC 3501 §6.4.2): expunge \Deleted messages silently (read-write only), leave SELECTED.
// UNSELECT (RFC 3691): leave SELECTED without expunging.
import { deletedMessages } from './expunge.js';
import { command, noArgs, SELECTED } from './types.js';

export const close = command({
  states: SELECTED,
  parse: noArgs,
  handle({ session, context }) {
    const view = session.selected;
    if (!view.readOnly) {
      const doomed = deletedMessages(view, view.allTargets());
      if (doomed.length) context.mailStore.expunge(session.user, view.mailbox, doomed);
    }
    session.unselect();
  },
});

export const unselect = command({
  states: SELECTED,
  parse: noArgs,
  handle({ session }) {
    session.unselect();
  },
});

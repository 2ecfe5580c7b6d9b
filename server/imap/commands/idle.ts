// IDLE (RFC 2177): the client waits; changes to the selected mailbox are pushed at once (EXISTS,
// EXPUNGE, FETCH FLAGS) until the client sends DONE. A keep-alive line goes out every two
// minutes; starting IDLE counts as activity for the idle timer (it is re-armed). The messages it
// tells of are reported to their paths (the classroom's message path view).
import { bad, untagged } from '../replies.js';
import { AUTHENTICATED, command, noArgs } from './types.js';

const KEEPALIVE_MS = 2 * 60 * 1000;

export const idle = command({
  states: AUTHENTICATED,
  parse: noArgs,
  async handle({ session, wire, context }) {
    await wire.continuation('idling');
    const view = session.selectedOrNull;
    let scheduled = false;
    let pushing: Promise<void> = Promise.resolve();
    const tell = async () => {
      const known = view!.highestUid;
      const since = context.inspector.lastId;
      await wire.flushUpdates(true);
      const told = view!.uidsAbove(known);
      if (told.length) context.paths.notified(session.ref, view!.id, told, since);
    };
    const push = () => {
      if (scheduled) return;
      scheduled = true;
      // out of the store's event, after its transaction
      setImmediate(() => {
        scheduled = false;
        pushing = pushing.then(tell).catch(() => {});
      });
    };
    if (view) {
      view.onChange = push;
      if (view.hasPending) push();
    }
    const keepalive = setInterval(() => {
      pushing = pushing.then(() => wire.send(untagged('OK Still here'))).then(() => wire.flushUpdates(true)).catch(() => {});
    }, KEEPALIVE_MS);
    keepalive.unref();
    let line: Buffer;
    try {
      line = await wire.readLine();
    } finally {
      clearInterval(keepalive);
      if (view) view.onChange = () => {};
      await pushing;
    }
    if (line.toString('latin1').trim().toUpperCase() !== 'DONE') throw bad('Expected DONE to end IDLE');
    return { text: 'IDLE terminated' };
  },
});

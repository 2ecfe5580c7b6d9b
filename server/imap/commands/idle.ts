// IDLE (RFC 2177): the client waits; changes to the selected mailbox are pushed at once (EXISTS,
// EXPUNGE, FETCH FLAGS), with what NOTIFY watches (RFC 5465), until the client sends DONE. A
// keep-alive line goes out every two minutes; starting IDLE counts as activity for the idle
// timer (it is re-armed). The messages it tells of are reported to their paths (the classroom's
// message path view).
import { UpdatePusher } from '../push.js';
import { bad, untagged } from '../replies.js';
import { AUTHENTICATED, command, noArgs } from './types.js';

const KEEPALIVE_MS = 2 * 60 * 1000;

export const idle = command({
  states: AUTHENTICATED,
  parse: noArgs,
  async handle({ session, wire, context }) {
    await wire.continuation('idling');
    const view = session.selectedOrNull;
    const watcher = session.notify;
    const tell = async () => {
      const known = view?.highestUid ?? 0;
      const since = context.inspector.lastId;
      await wire.flushUpdates(true);
      const told = view ? view.uidsAbove(known) : [];
      if (told.length) context.paths.notified(session.ref, view!.id, told, since);
    };
    const pusher = new UpdatePusher(tell);
    if (view) view.onChange = pusher.trigger;
    if (watcher) watcher.onChange = pusher.trigger;
    if (view?.hasPending || watcher?.hasPending) pusher.trigger();
    const keepalive = setInterval(() => {
      pusher.then(() => wire.send(untagged('OK Still here')).then(tell));
    }, KEEPALIVE_MS);
    keepalive.unref();
    let line: Buffer;
    try {
      line = await wire.readLine();
    } finally {
      clearInterval(keepalive);
      if (view) view.onChange = () => {};
      if (watcher) watcher.onChange = () => {};
      await pusher.stop();
    }
    if (line.toString('latin1').trim().toUpperCase() !== 'DONE') throw bad('Expected DONE to end IDLE');
    return { text: 'IDLE terminated' };
  },
});

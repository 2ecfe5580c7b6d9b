// IDLE (RFC 2177): the client waits; changes to the selected mailbox are pushed at once (EXISTS,
// EXPUNGE, FETCH FLAGS), with what NOTIFY watches (RFC 5465), until the client sends DONE. A
// keep-alive line goes out every two minutes; starting IDLE counts as activity for the idle
// timer (it is re-armed).
import { UpdatePusher } from '../push.js';
import { bad, untagged } from '../replies.js';
import { AUTHENTICATED, command, noArgs } from './types.js';

const KEEPALIVE_MS = 2 * 60 * 1000;

export const idle = command({
  states: AUTHENTICATED,
  parse: noArgs,
  async handle({ session, wire }) {
    await wire.continuation('idling');
    const view = session.selectedOrNull;
    const watcher = session.notify;
    const pusher = new UpdatePusher(() => wire.flushUpdates(true));
    if (view) view.onChange = pusher.trigger;
    if (watcher) watcher.onChange = pusher.trigger;
    if (view?.hasPending || watcher?.hasPending) pusher.trigger();
    const keepalive = setInterval(() => {
      pusher.then(() => wire.send(untagged('OK Still here')).then(() => wire.flushUpdates(true)));
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

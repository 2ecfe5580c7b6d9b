// NOTIFY (RFC 5465): which changes, to which mailboxes, the server tells the client of at any
// time — not only in IDLE. NOTIFY NONE stops it; a new SET replaces the last.
import type { Token } from '../parser/tokens.js';
import { EVENTS, parseNotify } from '../notify/spec.js';
import { NotifyWatcher } from '../notify/watcher.js';
import { no } from '../replies.js';
import { AUTHENTICATED, command } from './types.js';

export const notify = command({
  states: AUTHENTICATED,
  parse(args) {
    const tokens: Token[] = [];
    while (args.remaining) tokens.push(args.next('NOTIFY argument'));
    return parseNotify(tokens);
  },
  async handle({ session, wire, args }) {
    if (!args) {
      session.setNotify(null);
      return;
    }
    // RFC 5465 §5: events this server cannot report fail the command, naming those it can
    if (args.unsupported.length) throw no(`Unsupported event ${args.unsupported.join(', ')}`, `BADEVENT (${EVENTS.join(' ')})`);
    const watcher = new NotifyWatcher(session, args);
    session.setNotify(watcher);
    if (args.status) for (const response of watcher.statusNow()) await wire.send(response);
  },
});

// UIDL [msg] (RFC 1939 §7): the message's Maildir base name (its guid), the same across sessions
// and restarts and the same message IMAP shows.
import { replies } from '../replies.js';
import type { Pop3Session } from '../session.js';
import type { Command } from '../wire.js';
import { messageArgument } from './message.js';

export function uidl(session: Pop3Session, command: Command): void {
  const drop = session.maildrop!;
  if (command.args.length > 1) return session.badCommand(replies.syntax('UIDL [msg]'));
  if (command.args.length === 1) {
    const message = messageArgument(session, command.args[0], 'UIDL [msg]');
    if (message) session.send(replies.uidlOne(message.number, drop.uniqueId(message)));
    return;
  }
  session.sendLines(
    replies.uidlListing(),
    drop.live().map((message) => `${message.number} ${drop.uniqueId(message)}`),
  );
}

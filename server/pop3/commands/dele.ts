// DELE msg (RFC 1939 §5): only marks the message; it is removed at QUIT (UPDATE), never on a drop.
import { replies } from '../replies.js';
import type { Pop3Session } from '../session.js';
import type { Command } from '../wire.js';
import { messageArgument } from './message.js';

export function dele(session: Pop3Session, command: Command): void {
  if (command.args.length !== 1) return session.badCommand(replies.syntax('DELE msg'));
  const message = messageArgument(session, command.args[0], 'DELE msg');
  if (!message) return;
  message.deleted = true;
  session.send(replies.deleted(message.number));
}

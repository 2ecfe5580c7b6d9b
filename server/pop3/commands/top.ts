// TOP msg n (RFC 1939 §7): the header, the blank line after it and n lines of the body.
import { MessageEncoder } from '../encoder.js';
import { replies } from '../replies.js';
import type { Pop3Session } from '../session.js';
import type { Command } from '../wire.js';
import { countArgument, messageArgument, openMessage } from './message.js';

export async function top(session: Pop3Session, command: Command): Promise<void> {
  const lines = countArgument(command.args[1]);
  if (command.args.length !== 2 || lines === null) return session.badCommand(replies.syntax('TOP msg n'));
  const message = messageArgument(session, command.args[0], 'TOP msg n');
  if (!message) return;
  const source = await openMessage(session, message);
  if (!source) return;
  await session.sendMessage(replies.top(), source, new MessageEncoder(lines));
}

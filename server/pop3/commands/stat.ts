// STAT (RFC 1939 §5): count and size of the messages not marked deleted.
import { replies } from '../replies.js';
import type { Pop3Session } from '../session.js';
import type { Command } from '../wire.js';

export async function stat(session: Pop3Session, command: Command): Promise<void> {
  if (command.args.length) return session.badCommand(replies.syntax('STAT'));
  const { count, octets } = await session.maildrop!.totals();
  session.send(replies.stat(count, octets));
}

// LIST [msg] (RFC 1939 §5): sizes as RETR will send them (a bare LF counts as CRLF).
import { replies } from '../replies.js';
import type { Pop3Session } from '../session.js';
import type { Command } from '../wire.js';
import { messageArgument } from './message.js';

export async function list(session: Pop3Session, command: Command): Promise<void> {
  const drop = session.maildrop!;
  if (command.args.length > 1) return session.badCommand(replies.syntax('LIST [msg]'));
  if (command.args.length === 1) {
    const message = messageArgument(session, command.args[0], 'LIST [msg]');
    if (!message) return;
    const [size] = await drop.wireSizes([message]);
    return session.send(replies.listOne(message.number, size!));
  }
  const live = drop.live();
  const sizes = await drop.wireSizes(live);
  session.sendLines(
    replies.listing(live.length, sizes.reduce((a, b) => a + b, 0)),
    live.map((message, i) => `${message.number} ${sizes[i]}`),
  );
}

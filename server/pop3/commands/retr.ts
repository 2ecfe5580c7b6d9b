// RETR msg (RFC 1939 §5): the whole message, CRLF line ends, byte-stuffed, streamed when big;
// reported to the message's path (the classroom's message path view).
import { MessageEncoder, wholeReply } from '../encoder.js';
import type { DropMessage } from '../maildrop.js';
import { replies } from '../replies.js';
import type { Pop3Session } from '../session.js';
import type { Command } from '../wire.js';
import { goneMeanwhile, messageArgument, openMessage } from './message.js';

export function retr(session: Pop3Session, command: Command): void | Promise<void> {
  const drop = session.maildrop!;
  if (command.args.length !== 1) return session.badCommand(replies.syntax('RETR msg'));
  const message = messageArgument(session, command.args[0], 'RETR msg');
  if (!message) return;
  session.context.paths.read(session.transcript.ref, message.row.mailbox_id, [message.row.uid], (line) => line.direction === 'S' && /^(-ERR|<message )/.test(line.text));
  if (drop.isSmall(message)) {
    // Read, encoded and written at once, without waiting: the reply is one buffer, one write.
    let bytes: Buffer;
    try {
      bytes = drop.readSmall(message);
    } catch (error) {
      return goneMeanwhile(session, message, error);
    }
    const extra = drop.wireExtra(message);
    // With the file as long as indexed, the extra octets are its bare LFs: none spares looking for them.
    const { reply, status, bareLineFeeds } = wholeReply(bytes, replies.message, bytes.length === message.row.size ? extra : undefined);
    if (extra === undefined) drop.measured(message, bytes.length, bareLineFeeds);
    message.retrieved = true;
    return session.sendReply(status, reply);
  }
  return streamed(session, message);
}

/** A big message streams from its file. */
async function streamed(session: Pop3Session, message: DropMessage): Promise<void> {
  const source = await openMessage(session, message);
  if (!source) return;
  const [size] = await session.maildrop!.wireSizes([message]);
  message.retrieved = true;
  await session.sendMessage(replies.message(size!), source, new MessageEncoder());
}

// RETR msg (RFC 1939 §5): the whole message, CRLF line ends, byte-stuffed, streamed when big.
import { BareLineFeedCounter, MessageEncoder } from '../encoder.js';
import type { MessageSource } from '../maildrop.js';
import { replies } from '../replies.js';
import type { Pop3Session } from '../session.js';
import type { Command } from '../wire.js';
import { messageArgument, openMessage } from './message.js';

export async function retr(session: Pop3Session, command: Command): Promise<void> {
  const drop = session.maildrop!;
  if (command.args.length !== 1) return session.badCommand(replies.syntax('RETR msg'));
  const message = messageArgument(session, command.args[0], 'RETR msg');
  if (!message) return;
  const source = await openMessage(session, message);
  if (!source) return;
  let size = drop.knownWireSize(message);
  if (size === undefined) size = source.kind === 'whole' ? measured(source) : (await drop.wireSizes([message]))[0]!;
  drop.rememberWireSize(message, size);
  message.retrieved = true;
  await session.sendMessage(replies.message(size), source, new MessageEncoder());
}

function measured(source: Extract<MessageSource, { kind: 'whole' }>): number {
  const counter = new BareLineFeedCounter();
  counter.push(source.bytes);
  return source.bytes.length + counter.count;
}

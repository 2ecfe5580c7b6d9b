// USER name (RFC 1939 §7). Always +OK for a name (no hint whether it exists); refused outright
// where plaintext logins are not allowed, so the client learns to use STLS first.
import { replies } from '../replies.js';
import type { Pop3Session } from '../session.js';
import type { Command } from '../wire.js';

export function user(session: Pop3Session, command: Command): void {
  const name = command.rest.trim();
  if (!name) return session.badCommand(replies.syntax('USER name'));
  if (!session.plaintextLoginAllowed()) return session.send(replies.plaintextDisallowed());
  session.pendingUser = name;
  session.send(replies.userAccepted());
}

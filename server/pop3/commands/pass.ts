// PASS string (RFC 1939 §7): the rest of the line is the password, spaces included.
import { REDACTED } from '../../inspector/bus.js';
import { replies } from '../replies.js';
import type { Pop3Session } from '../session.js';
import type { Command } from '../wire.js';
import { logIn } from './login.js';

export async function pass(session: Pop3Session, command: Command): Promise<void> {
  const name = session.pendingUser;
  session.pendingUser = null; // RFC 1939 §7: a failed PASS needs a new USER
  if (name === null) return session.send(replies.passWithoutUser());
  if (!session.plaintextLoginAllowed()) return session.send(replies.plaintextDisallowed());
  await logIn(session, name, command.rest, 'USER/PASS');
}

export const passTranscript = (): string => `PASS ${REDACTED}`;

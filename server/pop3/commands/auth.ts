// AUTH (RFC 5034) with the PLAIN mechanism (RFC 4616), initial response allowed. AUTH alone lists
// the mechanisms, as many servers do for older clients.
import { REDACTED } from '../../inspector/bus.js';
import { replies } from '../replies.js';
import type { Pop3Session } from '../session.js';
import type { Command } from '../wire.js';
import { logIn } from './login.js';

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

export async function auth(session: Pop3Session, command: Command): Promise<void> {
  const [mechanism, initial, ...extra] = command.args;
  if (mechanism === undefined) return session.sendLines(replies.authMechanisms(), session.plaintextLoginAllowed() ? ['PLAIN'] : []);
  if (extra.length) return session.badCommand(replies.syntax('AUTH PLAIN [initial-response]'));
  if (mechanism.toUpperCase() !== 'PLAIN') return session.send(replies.unsupportedMechanism(mechanism));
  if (!session.plaintextLoginAllowed()) return session.send(replies.plaintextDisallowed());
  let response = initial;
  if (response === undefined) {
    session.send(replies.authContinue());
    const item = await session.next();
    if (!item) return;
    session.transcript.client(REDACTED);
    if (item.kind === 'overlong') return session.send(replies.authBadResponse());
    response = item.text.trim();
  }
  // RFC 5034 §4: "*" cancels the exchange.
  if (response === '*') return session.send(replies.authCancelled());
  const credentials = decodePlain(response);
  if (!credentials) return session.send(replies.authBadResponse());
  const { accounts } = session.context;
  if (credentials.authzid && accounts.normalize(credentials.authzid) !== accounts.normalize(credentials.authcid)) {
    return session.send(replies.authzidMismatch());
  }
  await logIn(session, credentials.authcid, credentials.password, 'AUTH PLAIN');
}

/** RFC 4616 §2: base64 of authzid NUL authcid NUL passwd ("=" is an empty initial response, RFC 5034 §4). */
export function decodePlain(response: string): { authzid: string; authcid: string; password: string } | null {
  if (response === '=' || !BASE64.test(response)) return null;
  const parts = Buffer.from(response, 'base64').toString('utf8').split('\0');
  if (parts.length !== 3 || !parts[1] || !parts[2]) return null;
  return { authzid: parts[0]!, authcid: parts[1], password: parts[2] };
}

export const authTranscript = (command: Command): string =>
  command.args.length > 1 ? `AUTH ${command.args[0]} ${REDACTED}` : `AUTH${command.args[0] ? ` ${command.args[0]}` : ''}`;

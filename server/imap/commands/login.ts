// LOGIN (RFC 3501 §6.2.3) and the login step AUTHENTICATE shares: plaintext passwords only where
// the policy allows (else LOGINDISABLED is advertised and LOGIN refused), throttled accounts
// answered with [UNAVAILABLE] (RFC 5530).
import { no } from '../replies.js';
import type { Session } from '../session.js';
import type { Wire } from './types.js';
import { command, NOT_AUTHENTICATED, type Done } from './types.js';

export const login = command({
  states: NOT_AUTHENTICATED,
  parse(args) {
    const user = args.astring('user name');
    const password = args.astringBytes('password').toString('utf8');
    args.end();
    return { user, password };
  },
  async handle({ session, wire, args }) {
    if (!session.plaintextAllowed()) throw no('Plaintext login is not allowed without TLS; use STARTTLS or port 993', 'PRIVACYREQUIRED');
    return completeLogin(session, wire, args.user, args.password, 'LOGIN');
  },
});

export async function completeLogin(session: Session, wire: Wire, user: string, password: string, method: string): Promise<Done> {
  const context = session.context;
  const result = await context.accounts.login(user, password, session.client);
  if (!result.ok) {
    context.log.warn(session.service, `login failed for ${user}: ${result.reason}`, { session: session.id, client: session.client });
    if (result.reason === 'throttled') {
      throw no(`Too many failed logins; try again in ${result.retryAfterSeconds} seconds`, 'UNAVAILABLE');
    }
    if (result.reason === 'disabled') throw no('This account is disabled', 'AUTHORIZATIONFAILED');
    throw no('Invalid user name or password', 'AUTHENTICATIONFAILED');
  }
  context.mailStore.ensureUserMailboxes(result.user);
  session.login(result.user);
  context.log.info(session.service, `logged in (${method})`, { session: session.id, client: session.client, user: result.user.address });
  wire.note(`logged in as ${result.user.address}`);
  return { code: `CAPABILITY ${session.capabilities().join(' ')}`, text: 'Logged in' };
}

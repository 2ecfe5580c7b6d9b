// What PASS and AUTH PLAIN share: check the password (throttled by Accounts), take the maildrop
// lock, snapshot INBOX and enter TRANSACTION (RFC 1939 §4).
import { lockMaildrop, Maildrop } from '../maildrop.js';
import { replies } from '../replies.js';
import type { Pop3Session } from '../session.js';

export async function logIn(session: Pop3Session, name: string, password: string, method: string): Promise<void> {
  const { accounts, mailStore, pop3, log } = session.context;
  const result = await accounts.login(name, password, session.client);
  if (!session.open) return; // the client left while the password was being checked
  if (!result.ok) {
    log.warn(session.service, `login failed for ${name}: ${result.reason}`, session.logContext());
    if (result.reason === 'throttled') return session.send(replies.throttled(result.retryAfterSeconds));
    return session.send(result.reason === 'disabled' ? replies.accountDisabled() : replies.authFailed());
  }
  const user = result.user;
  if (!lockMaildrop(pop3.locks, user.id, session.id)) {
    log.warn(session.service, `${user.address}: maildrop in use by another POP3 session`, session.logContext());
    return session.send(replies.inUse());
  }
  session.user = user;
  try {
    session.maildrop = Maildrop.open(mailStore, pop3, user);
  } catch (error) {
    log.error(session.service, `cannot open INBOX of ${user.address}: ${(error as Error).message}`, session.logContext());
    session.releaseMaildrop();
    session.user = null;
    return session.send(replies.mailboxUnavailable());
  }
  session.state = 'TRANSACTION';
  log.info(session.service, `logged in (${method}${session.secure ? ', TLS' : ''})`, session.logContext());
  session.send(replies.loggedIn(session.maildrop.messages.length));
}

// CAPA (RFC 2449 §5): what this server offers here and now. USER and SASL PLAIN only where a
// plaintext login is allowed on this connection (RFC 2595 §4: not before STLS otherwise).
import { replies } from '../replies.js';
import type { Pop3Session } from '../session.js';

export function capa(session: Pop3Session): void {
  const lines = ['TOP', 'UIDL', 'RESP-CODES', 'AUTH-RESP-CODE', 'PIPELINING', 'EXPIRE NEVER'];
  if (session.state === 'AUTHORIZATION') {
    if (session.plaintextLoginAllowed()) lines.push('USER', 'SASL PLAIN');
    if (session.service === 'pop3' && !session.secure) lines.push('STLS');
  }
  lines.push('IMPLEMENTATION LanPost');
  session.sendLines(replies.capabilities(), lines);
}

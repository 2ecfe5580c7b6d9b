// STARTTLS (RFC 3501 §6.2.1): TLS starts right after the tagged OK; the session stays NOT
// AUTHENTICATED and the client asks for CAPABILITY again.
import { bad } from '../replies.js';
import { command, noArgs, NOT_AUTHENTICATED } from './types.js';

export const starttls = command({
  states: NOT_AUTHENTICATED,
  parse: noArgs,
  handle({ session, wire }) {
    if (session.secure) throw bad('TLS is already active');
    if (session.service !== 'imap') throw bad('STARTTLS is not offered here');
    return { text: 'Begin TLS negotiation now', after: () => wire.startTls() };
  },
});

// STLS (RFC 2595 §4): TLS on port 110, in AUTHORIZATION only.
import { replies } from '../replies.js';
import type { Pop3Session } from '../session.js';

export async function stls(session: Pop3Session): Promise<void> {
  if (session.secure) return session.send(replies.stlsAlreadySecure());
  if (session.service !== 'pop3') return session.send(replies.stlsUnavailable());
  await session.startTls();
}

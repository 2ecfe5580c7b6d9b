// NOOP (RFC 1939 §5).
import { replies } from '../replies.js';
import type { Pop3Session } from '../session.js';

export function noop(session: Pop3Session): void {
  session.send(replies.noop());
}

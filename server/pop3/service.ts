// POP3 as a protocol of the session host (server/net/host.ts): on 110 with STLS (RFC 2595) and on
// 995 with implicit TLS (RFC 8314), see server/services.ts. Each admitted connection runs a
// Pop3Session (session.ts); a service stopping saves the wire sizes it learned.
import type { Protocol } from '../net/host.js';
import { replies } from './replies.js';
import { Pop3Session } from './session.js';

export const POP3: Protocol = {
  refusal: (reason) => (reason === 'client' ? replies.tooManyConnections() : replies.serverBusy()),
  session: (connection, context) => new Pop3Session(connection, context),
  stopped: (context) => context.pop3.wireSizes.flush(),
};

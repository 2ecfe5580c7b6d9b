// IMAP as a protocol of the session host (server/net/host.ts): on 143 with STARTTLS and on 993
// with implicit TLS (RFC 8314), see server/services.ts. Each admitted connection runs an
// ImapConnection; a service starting prunes the MIME structure cache, one stopping flushes it.
import type { Protocol } from '../net/host.js';
import { ImapConnection } from './connection.js';

export const IMAP: Protocol = {
  refusal: (reason) => (reason === 'client' ? '* BYE Too many connections from your address, try again later' : '* BYE Too many connections to this server, try again later'),
  session: (connection, context) => new ImapConnection(connection, context),
  started(context, service) {
    try {
      const pruned = context.mimeCache.prune();
      if (pruned) context.log.info(service, `dropped ${pruned} cached MIME structures of removed messages`);
    } catch (error) {
      context.log.warn(service, `MIME cache not pruned: ${(error as Error).message}`);
    }
  },
  stopped(context) {
    const cache = context.mimeCache;
    cache.flush();
    cache.helper.stop();
  },
};

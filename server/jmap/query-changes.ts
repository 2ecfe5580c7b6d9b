// Mailbox/queryChanges and Email/queryChanges (RFC 8620 §5.6): this server keeps no history of
// query results, which its /query responses say (canCalculateChanges: false); a client runs the
// query again.
import type { JmapMethod } from './methods.js';
import { MAIL, MethodError } from './protocol.js';

function queryChanges(): never {
  throw new MethodError('cannotCalculateChanges', 'this server keeps no history of query results (canCalculateChanges is false): run the query again');
}

export const queryChangesMethods: Record<string, JmapMethod> = {
  'Mailbox/queryChanges': { capability: MAIL, handle: queryChanges },
  'Email/queryChanges': { capability: MAIL, handle: queryChanges },
};

// NAMESPACE (RFC 2342): one personal namespace, "" with "/" as the delimiter; no shared ones.
import { DELIMITER } from '../mailbox-names.js';
import { untagged } from '../replies.js';
import { AUTHENTICATED, command, noArgs } from './types.js';

export const namespace = command({
  states: AUTHENTICATED,
  parse: noArgs,
  async handle({ wire }) {
    await wire.send(untagged(`NAMESPACE (("" "${DELIMITER}")) NIL NIL`));
  },
});

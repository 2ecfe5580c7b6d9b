// CAPABILITY (RFC 3501 §6.1.1): what this server supports, in the current state.
import { untagged } from '../replies.js';
import { ANY, command, noArgs } from './types.js';

export const capability = command({
  states: ANY,
  parse: noArgs,
  async handle({ session, wire }) {
    await wire.send(untagged(`CAPABILITY ${session.capabilities().join(' ')}`));
  },
});

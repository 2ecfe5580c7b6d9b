// LOGOUT (RFC 3501 §6.1.3): BYE, the tagged OK, then the connection closes.
import { untagged } from '../replies.js';
import { ANY, command, noArgs } from './types.js';

export const logout = command({
  states: ANY,
  parse: noArgs,
  async handle({ session, wire }) {
    await wire.send(untagged('BYE Logging out'));
    session.logout();
    return { text: 'Logout completed', after: () => wire.close() };
  },
});

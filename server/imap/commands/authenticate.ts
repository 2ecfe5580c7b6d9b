// AUTHENTICATE (RFC 3501 §6.2.2) with SASL PLAIN (RFC 4616), the initial response allowed on
// the command line (SASL-IR, RFC 4959). "*" cancels.
import { bad, no } from '../replies.js';
import { completeLogin } from './login.js';
import { command, NOT_AUTHENTICATED } from './types.js';

export const authenticate = command({
  states: NOT_AUTHENTICATED,
  parse(args) {
    const mechanism = args.atom('mechanism').toUpperCase();
    const initial = args.remaining ? args.atom('initial response') : null;
    args.end();
    return { mechanism, initial };
  },
  async handle({ session, wire, args }) {
    if (args.mechanism !== 'PLAIN') throw no(`Unsupported authentication mechanism ${args.mechanism}`);
    if (!session.plaintextAllowed()) throw no('Plaintext authentication is not allowed without TLS; use STARTTLS or port 993', 'PRIVACYREQUIRED');
    let response = args.initial;
    if (response === null) {
      await wire.continuation('');
      response = (await wire.readLine()).toString('latin1').trim();
      wire.note('client sent its credentials (redacted)');
    }
    if (response === '*') throw bad('Authentication cancelled');
    if (response === '=') response = '';
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(response)) throw bad('Invalid base64 in the authentication response');
    const fields = Buffer.from(response, 'base64').toString('utf8').split('\0');
    if (fields.length !== 3) throw bad('PLAIN needs authorization id, user name and password');
    const [authzid, user, password] = fields as [string, string, string];
    if (authzid && authzid.toLowerCase() !== user.toLowerCase()) throw no('Logging in as another user is not allowed', 'AUTHORIZATIONFAILED');
    return completeLogin(session, wire, user, password, 'AUTHENTICATE PLAIN');
  },
});

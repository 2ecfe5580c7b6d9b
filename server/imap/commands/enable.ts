// ENABLE (RFC 5161): extensions the client wants switched on, of those this server advertises
// that change how it answers: CONDSTORE, QRESYNC (which implies CONDSTORE, RFC 7162 §3.2.3),
// UTF8=ACCEPT (RFC 6855) and IMAP4rev2 (RFC 9051). Others are ignored, as §3.1 asks.
import { atomsOf } from '../parser/args.js';
import { ImapSyntaxError } from '../parser/tokens.js';
import { untagged } from '../replies.js';
import { AUTHENTICATED, command } from './types.js';

const ENABLEABLE = new Set(['CONDSTORE', 'QRESYNC', 'UTF8=ACCEPT', 'IMAP4REV2']);

export const enable = command({
  states: AUTHENTICATED,
  parse(args) {
    const names: string[] = [];
    while (args.remaining) names.push(args.atom('capability'));
    if (!names.length) throw new ImapSyntaxError('ENABLE needs at least one capability');
    return atomsOf(names.map((value) => ({ type: 'atom' as const, value })), 'capability');
  },
  async handle({ args, session, wire }) {
    // each under the name the server advertises it by
    const advertised = new Map(session.capabilities().map((name) => [name.toUpperCase(), name]));
    const newly: string[] = [];
    for (const name of args) {
      const upper = name.toUpperCase();
      if (!ENABLEABLE.has(upper) || !advertised.has(upper) || session.enabled.has(upper)) continue;
      session.enabled.add(upper);
      newly.push(advertised.get(upper)!);
    }
    await wire.send(untagged(`ENABLED${newly.map((n) => ` ${n}`).join('')}`));
  },
});

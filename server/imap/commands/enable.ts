// ENABLE (RFC 5161): extensions the client wants switched on; CONDSTORE is the one we enable.
import { atomsOf } from '../parser/args.js';
import { ImapSyntaxError } from '../parser/tokens.js';
import { untagged } from '../replies.js';
import { AUTHENTICATED, command } from './types.js';

const ENABLEABLE = new Set(['CONDSTORE']);

export const enable = command({
  states: AUTHENTICATED,
  parse(args) {
    const names: string[] = [];
    while (args.remaining) names.push(args.atom('capability'));
    if (!names.length) throw new ImapSyntaxError('ENABLE needs at least one capability');
    return atomsOf(names.map((value) => ({ type: 'atom' as const, value })), 'capability').map((n) => n.toUpperCase());
  },
  async handle({ args, session, wire }) {
    const newly = args.filter((name) => ENABLEABLE.has(name) && !session.enabled.has(name));
    for (const name of newly) session.enabled.add(name);
    await wire.send(untagged(`ENABLED${newly.map((n) => ` ${n}`).join('')}`));
  },
});

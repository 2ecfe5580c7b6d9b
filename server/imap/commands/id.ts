// ID (RFC 2971): the client says who it is, the server answers likewise.
import { asAstring } from '../parser/args.js';
import { ImapSyntaxError } from '../parser/tokens.js';
import { nstr, plist, str, untagged } from '../replies.js';
import { ANY, command } from './types.js';

export const id = command({
  states: ANY,
  parse(args) {
    const list = args.optionalList();
    if (!list) {
      const nil = args.atom('parameter list');
      if (nil.toUpperCase() !== 'NIL') throw new ImapSyntaxError('ID takes a list or NIL');
    }
    args.end();
    const fields: Array<[string, string | null]> = [];
    const items = list ?? [];
    if (items.length % 2 || items.length > 60) throw new ImapSyntaxError('ID takes up to 30 field/value pairs');
    for (let i = 0; i < items.length; i += 2) {
      const value = items[i + 1]!;
      fields.push([asAstring(items[i]!, 'field'), value.type === 'atom' && value.value.toUpperCase() === 'NIL' ? null : asAstring(value, 'value')]);
    }
    return fields;
  },
  async handle({ args, wire }) {
    if (args.length) wire.note(`client: ${args.map(([k, v]) => `${k}=${v ?? 'NIL'}`).join(', ')}`);
    await wire.send(untagged('ID ', ...plist([str('name'), str('LanPost'), str('vendor'), str('LanPost'), str('support-url'), nstr(null)])));
  },
});

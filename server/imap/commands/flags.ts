// Flags in commands (RFC 3501 §2.3.2): system flags in their canonical case, keywords as atoms;
// \Recent is the server's alone.
import { ImapSyntaxError, type Token } from '../parser/tokens.js';
import { SYSTEM_FLAGS } from '../selected.js';

const CANONICAL = new Map(SYSTEM_FLAGS.map((f) => [f.toLowerCase(), f]));

export function parseFlag(text: string): string {
  if (text.startsWith('\\')) {
    const canonical = CANONICAL.get(text.toLowerCase());
    if (!canonical) throw new ImapSyntaxError(`${text} is not a flag a client may set`);
    return canonical;
  }
  if (!/^[!#$&'+,\-.0-9:;<=>?@A-Z^_`a-z|}~]+$/.test(text)) throw new ImapSyntaxError(`invalid keyword ${text}`);
  return text;
}

export function parseFlagTokens(tokens: Token[]): string[] {
  const flags: string[] = [];
  for (const token of tokens) {
    if (token.type !== 'atom') throw new ImapSyntaxError('flags must be atoms');
    const flag = parseFlag(token.value);
    if (!flags.some((f) => f.toLowerCase() === flag.toLowerCase())) flags.push(flag);
  }
  return flags;
}

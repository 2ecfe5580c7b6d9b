// Reading a command's arguments in the shape its grammar asks for (RFC 3501 §9): each command
// module reads its arguments through these getters; a mismatch is a syntax error → BAD.
import { parseSequenceSet, type SequenceSet } from './sequence.js';
import { ImapSyntaxError, type Token } from './tokens.js';

export class Args {
  private index = 0;

  constructor(private readonly tokens: Token[]) {}

  get remaining(): number {
    return this.tokens.length - this.index;
  }

  peek(): Token | undefined {
    return this.tokens[this.index];
  }

  next(what: string): Token {
    const token = this.tokens[this.index++];
    if (!token) throw new ImapSyntaxError(`missing ${what}`);
    return token;
  }

  /** No arguments may follow. */
  end(): void {
    if (this.index < this.tokens.length) throw new ImapSyntaxError('unexpected extra arguments');
  }

  atom(what: string): string {
    const token = this.next(what);
    if (token.type !== 'atom') throw new ImapSyntaxError(`${what} must be an atom`);
    return token.value;
  }

  /** astring: atom, quoted string or literal (the value read as UTF-8). */
  astring(what: string): string {
    return asAstring(this.next(what), what);
  }

  /** The octets of an astring (passwords, literal message data). */
  astringBytes(what: string): Buffer {
    const token = this.next(what);
    if (token.type === 'string') return token.bytes;
    if (token.type === 'atom') return Buffer.from(token.value, 'latin1');
    throw new ImapSyntaxError(`${what} must be a string`);
  }

  /** nstring: NIL or a string. */
  nstring(what: string): string | null {
    const token = this.next(what);
    if (token.type === 'atom' && token.value.toUpperCase() === 'NIL') return null;
    return asAstring(token, what);
  }

  list(what: string): Token[] {
    const token = this.next(what);
    if (token.type !== 'list') throw new ImapSyntaxError(`${what} must be a parenthesized list`);
    return token.items;
  }

  optionalList(): Token[] | null {
    const token = this.peek();
    if (token?.type !== 'list') return null;
    this.index++;
    return token.items;
  }

  sequenceSet(what = 'sequence set'): SequenceSet {
    return parseSequenceSet(this.atom(what));
  }

  number(what: string): number {
    const text = this.atom(what);
    if (!/^\d{1,20}$/.test(text)) throw new ImapSyntaxError(`${what} must be a number`);
    return Number(text);
  }
}

export function asAstring(token: Token, what: string): string {
  if (token.type === 'string') return token.value;
  // ASTRING-CHAR takes "[" (an ATOM-CHAR) but not the list-wildcards (RFC 3501 §9)
  if (token.type === 'atom' && !/[%*]/.test(token.value)) return token.value;
  throw new ImapSyntaxError(`${what} must be a string`);
}

/** list-mailbox: like astring, but "%" and "*" allowed unquoted (RFC 3501 §9). */
export function asListMailbox(token: Token, what: string): string {
  if (token.type === 'string') return token.value;
  if (token.type === 'atom') return token.value;
  throw new ImapSyntaxError(`${what} must be a string`);
}

export function atomsOf(tokens: Token[], what: string): string[] {
  return tokens.map((t) => {
    if (t.type !== 'atom') throw new ImapSyntaxError(`${what} must be atoms`);
    return t.value;
  });
}

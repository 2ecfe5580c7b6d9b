// The IMAP wire grammar of a client command (RFC 3501 §9): tag, command name, then arguments
// as atoms, quoted strings, literals ({n} / {n+}, RFC 7888) and parenthesized lists. The input is
// the command exactly as it came off the wire, literals included, without the final CRLF.

export type Token =
  | { type: 'atom'; value: string }
  /**
   * A quoted string or a literal; `bytes` are the octets as sent, `value` them read as UTF-8.
   * `binary`: a literal8, ~{n} (RFC 3516 §4.1; RFC 6855 APPEND UTF8).
   */
  | { type: 'string'; value: string; bytes: Buffer; literal: boolean; binary?: boolean }
  | { type: 'list'; items: Token[] };

export class ImapSyntaxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ImapSyntaxError';
  }
}

export interface ParsedCommand {
  tag: string;
  /** Upper-cased command name; "UID FETCH" style for the UID forms. */
  name: string;
  args: Token[];
}

/**
 * How deep parentheses may nest in a command (and NOT/OR/groups in a SEARCH): the parsers
 * recurse once a level, and a command can carry thousands of "(" in one line (more across
 * literals). Real clients stay under ten; deeper is answered BAD before any recursion could
 * exhaust the stack.
 */
export const MAX_NESTING = 100;

const SP = 0x20;
const CR = 0x0d;
const LF = 0x0a;
const DQUOTE = 0x22;
const BACKSLASH = 0x5c;

/** atom-char: any CHAR except "(" ")" "{" SP CTL DQUOTE and "]"; "%", "*", "\" and "[" are kept too (list-mailbox, flags, sections). */
function isAtomChar(c: number): boolean {
  return c > 0x20 && c < 0x7f && c !== 0x28 && c !== 0x29 && c !== 0x7b && c !== DQUOTE && c !== 0x5d;
}

/** tag: astring-chars except "+" (RFC 3501 §9). */
export function isValidTag(tag: string): boolean {
  if (!tag) return false;
  for (let i = 0; i < tag.length; i++) {
    const c = tag.charCodeAt(i);
    if (!isAtomChar(c) || c === 0x2b || c === 0x25 || c === 0x2a || c === BACKSLASH) return false;
  }
  return true;
}

/** The tag of a raw command line, if it has a usable one (for replying to a broken command). */
export function tagOf(line: Buffer): string | null {
  let end = 0;
  while (end < line.length && line[end] !== SP && line[end] !== CR && line[end] !== LF) end++;
  const tag = line.toString('latin1', 0, end);
  return isValidTag(tag) ? tag : null;
}

export class Tokenizer {
  private pos = 0;
  /** Lists open around the current position. */
  private depth = 0;

  constructor(private readonly input: Buffer) {}

  get atEnd(): boolean {
    return this.pos >= this.input.length;
  }

  /** Consumes one space between values. */
  space(): void {
    if (this.input[this.pos] !== SP) throw new ImapSyntaxError('expected a space');
    this.pos++;
  }

  parseCommand(): ParsedCommand {
    const tag = this.readAtomText();
    if (!isValidTag(tag)) throw new ImapSyntaxError('invalid tag');
    this.expectSpace('command name');
    let name = this.readAtomText().toUpperCase();
    if (!/^[A-Z][A-Z0-9-]*$/.test(name)) throw new ImapSyntaxError('invalid command name');
    if (name === 'UID') {
      this.expectSpace('command after UID');
      const sub = this.readAtomText().toUpperCase();
      if (!/^[A-Z]+$/.test(sub)) throw new ImapSyntaxError('invalid command after UID');
      name = `UID ${sub}`;
    }
    const args: Token[] = [];
    while (!this.atEnd) {
      this.expectSpace('argument');
      args.push(this.readValue());
    }
    return { tag, name, args };
  }

  private expectSpace(what: string): void {
    if (this.input[this.pos] !== SP) throw new ImapSyntaxError(`expected a space before ${what}`);
    this.pos++;
    if (this.input[this.pos] === SP) throw new ImapSyntaxError('extra space');
    if (this.atEnd) throw new ImapSyntaxError('unexpected end of command');
  }

  private readAtomText(): string {
    const start = this.pos;
    while (this.pos < this.input.length && isAtomChar(this.input[this.pos]!)) this.pos++;
    return this.input.toString('latin1', start, this.pos);
  }

  /** Reads any value: list, quoted string, literal, or atom (which may carry a [section]<partial>). */
  readValue(): Token {
    const c = this.input[this.pos];
    if (c === 0x28) return this.readList();
    if (c === DQUOTE) return this.readQuoted();
    if (c === 0x7b) return this.readLiteral();
    if (c === 0x7e && this.input[this.pos + 1] === 0x7b) {
      this.pos++; // ~
      return this.readLiteral(true);
    }
    return this.readAtom();
  }

  private readList(): Token {
    this.pos++; // (
    if (++this.depth > MAX_NESTING) throw new ImapSyntaxError(`parentheses nested deeper than ${MAX_NESTING} levels`);
    const items: Token[] = [];
    for (;;) {
      if (this.atEnd) throw new ImapSyntaxError('unterminated list');
      if (this.input[this.pos] === 0x29) {
        this.pos++;
        this.depth--;
        return { type: 'list', items };
      }
      if (items.length) {
        if (this.input[this.pos] !== SP) throw new ImapSyntaxError('expected a space in list');
        this.pos++;
      }
      items.push(this.readValue());
    }
  }

  private readQuoted(): Token {
    this.pos++; // "
    const bytes: number[] = [];
    for (;;) {
      if (this.atEnd) throw new ImapSyntaxError('unterminated quoted string');
      const c = this.input[this.pos++]!;
      if (c === DQUOTE) break;
      if (c === CR || c === LF || c === 0) throw new ImapSyntaxError('line break in quoted string');
      if (c === BACKSLASH) {
        const next = this.input[this.pos++];
        if (next !== DQUOTE && next !== BACKSLASH) throw new ImapSyntaxError('invalid escape in quoted string');
        bytes.push(next);
      } else bytes.push(c);
    }
    const buffer = Buffer.from(bytes);
    return { type: 'string', value: buffer.toString('utf8'), bytes: buffer, literal: false };
  }

  private readLiteral(binary = false): Token {
    const match = /^\{(\d{1,10})(\+?)\}\r\n/.exec(this.input.toString('latin1', this.pos, this.pos + 16));
    if (!match) throw new ImapSyntaxError('invalid literal');
    const size = Number(match[1]);
    const start = this.pos + match[0].length;
    if (start + size > this.input.length) throw new ImapSyntaxError('literal shorter than announced');
    const bytes = this.input.subarray(start, start + size);
    this.pos = start + size;
    const token: Extract<Token, { type: 'string' }> = { type: 'string', value: bytes.toString('utf8'), bytes, literal: true };
    if (binary) token.binary = true;
    return token;
  }

  private readAtom(): Token {
    const start = this.pos;
    while (this.pos < this.input.length) {
      const c = this.input[this.pos]!;
      if (c === 0x5b) {
        // BODY[HEADER.FIELDS (A B)]<0.100>: a section runs to its matching "]"
        const close = this.input.indexOf(0x5d, this.pos);
        if (close < 0) throw new ImapSyntaxError('unterminated [');
        this.pos = close + 1;
        continue;
      }
      if (!isAtomChar(c)) break;
      this.pos++;
    }
    if (this.pos === start) throw new ImapSyntaxError(`unexpected character ${JSON.stringify(String.fromCharCode(this.input[this.pos] ?? 0))}`);
    return { type: 'atom', value: this.input.toString('latin1', start, this.pos) };
  }
}

export function parseCommand(input: Buffer): ParsedCommand {
  return new Tokenizer(input).parseCommand();
}

/** Parses a run of values (e.g. the inside of a [HEADER.FIELDS (...)] section). */
export function parseValues(text: string): Token[] {
  const tokenizer = new Tokenizer(Buffer.from(text, 'latin1'));
  const values: Token[] = [];
  while (!tokenizer.atEnd) {
    if (values.length) tokenizer.space();
    values.push(tokenizer.readValue());
  }
  return values;
}

// The POP3 wire, client side: bytes → command lines (CRLF, or a bare LF from a sloppy client),
// with a length limit; and a command line → keyword + arguments. No protocol logic here.

/** One thing read from the client: a line, or the news that a line went over the limit. */
export type WireItem = { kind: 'line'; text: string } | { kind: 'overlong' };

export interface Command {
  /** Upper-cased keyword, e.g. RETR. */
  keyword: string;
  /** Arguments split on spaces (RFC 1939 §3: separated by a single SPACE; we accept runs). */
  args: string[];
  /** Everything after the keyword and one space, verbatim (USER and PASS take this: spaces are allowed). */
  rest: string;
}

/**
 * Splits the byte stream into lines. A line longer than `maxLineBytes` (not counting its line
 * end) is reported once as `overlong` the moment it crosses the limit, and the rest of it, up to
 * its line end, is thrown away: the session answers -ERR and carries on with the next line.
 */
export class LineReader {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private discarding = false;

  constructor(
    private readonly maxLineBytes: number,
    private readonly emit: (item: WireItem) => void,
  ) {}

  push(data: Buffer): void {
    let start = 0;
    while (start < data.length) {
      const lf = data.indexOf(10, start);
      if (lf < 0) {
        this.hold(data.subarray(start));
        return;
      }
      const from = start;
      start = lf + 1;
      if (this.discarding) {
        this.discarding = false;
        continue;
      }
      if (this.pendingBytes) {
        const line = Buffer.concat([...this.pending, data.subarray(from, lf)]);
        this.pending = [];
        this.pendingBytes = 0;
        this.line(line, 0, line.length);
      } else {
        this.line(data, from, lf);
      }
    }
  }

  /** bytes[from, to) is a whole line, maybe with its CR. */
  private line(bytes: Buffer, from: number, to: number): void {
    const end = to > from && bytes[to - 1] === 13 ? to - 1 : to;
    if (end - from > this.maxLineBytes) this.emit({ kind: 'overlong' });
    else this.emit({ kind: 'line', text: bytes.toString('utf8', from, end) });
  }

  /** Forgets a partial line (after STLS, where plaintext read ahead must not be used). */
  reset(): void {
    this.pending = [];
    this.pendingBytes = 0;
    this.discarding = false;
  }

  private hold(rest: Buffer): void {
    if (this.discarding) return;
    this.pending.push(rest);
    this.pendingBytes += rest.length;
    // +1: the CR of a CRLF that has not arrived whole yet is not part of the line.
    if (this.pendingBytes > this.maxLineBytes + 1) {
      this.pending = [];
      this.pendingBytes = 0;
      this.discarding = true;
      this.emit({ kind: 'overlong' });
    }
  }
}

export function parseCommand(line: string): Command {
  const space = line.indexOf(' ');
  if (space < 0) return { keyword: line.toUpperCase(), args: [], rest: '' };
  const rest = line.slice(space + 1);
  const trimmed = rest.trim();
  const args = !trimmed ? [] : trimmed.includes('  ') ? trimmed.split(/ +/) : trimmed.split(' ');
  return { keyword: line.slice(0, space).toUpperCase(), args, rest };
}

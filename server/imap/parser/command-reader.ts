// Assembles one client command from the wire: its lines and the literals between them
// (synchronizing {n}, answered with a continuation, and non-synchronizing {n+}, RFC 7888),
// within the line and literal size limits: a literal over the limit is refused before any of it
// is read. The result is the command's exact bytes for the tokenizer plus a transcript line with
// literal bodies abbreviated.
import { LineTooLongError, type Input } from './input.js';
import { tagOf } from './tokens.js';

export interface CommandLimits {
  lineLength: number;
  /** The largest literal (and the most literal bytes in one command). */
  literalSize: number;
  /** The largest non-synchronizing literal: 4096 under LITERAL- (RFC 7888 §4), else literalSize. */
  nonSyncLiteralSize: number;
}

export type ReadResult =
  | { kind: 'command'; wire: Buffer; transcript: string }
  /**
   * A line too long, or a literal refused: answer `tag BAD/NO [TOOBIG]`, then, for a refused
   * non-synchronizing literal the client is already sending, either read away `readAway` (its
   * bytes and the rest of the command, see readAwayRefused) or, when `close`, say BYE and close.
   */
  | { kind: 'refused'; tag: string | null; status: 'BAD' | 'NO'; code: string; text: string; transcript: string; readAway: number | null; close: boolean };

const MAX_LITERALS = 1000;
/**
 * A refused non-synchronizing literal up to this many times its limit is read away and
 * the session goes on (RFC 7888 §4, choice 1: the client learns why, and does not reconnect to
 * try again); a larger one is not worth the bandwidth and ends the session (choice 2).
 */
const READ_AWAY_FACTOR = 2;

/** The octet count of a literal ending the line ("{12}" or "{12+}"), as digits, or null. */
function literalAtEnd(line: Buffer): { digits: string; nonSync: boolean } | null {
  if (line[line.length - 1] !== 0x7d) return null;
  const open = line.lastIndexOf(0x7b);
  if (open < 0) return null;
  const match = /^\{(\d+)(\+?)\}$/.exec(line.toString('latin1', open));
  return match ? { digits: match[1]!, nonSync: match[2] === '+' } : null;
}

export async function readCommand(
  input: Input,
  limits: CommandLimits,
  sendContinuation: (text: string) => Promise<void>,
): Promise<ReadResult> {
  const parts: Buffer[] = [];
  const transcript: string[] = [];
  let literalBytes = 0;
  let literals = 0;
  let line: Buffer;
  try {
    line = await input.readLine(limits.lineLength);
  } catch (error) {
    if (!(error instanceof LineTooLongError)) throw error;
    // the tag is known when it ends within the first bytes kept of the line
    return overLong(error, error.head.includes(0x20) ? tagOf(error.head) : null, limits, '(over-long line)');
  }
  const tag = tagOf(line);
  for (;;) {
    parts.push(line);
    transcript.push(line.toString('latin1'));
    const literal = literalAtEnd(line);
    if (!literal) break;
    // the digits may be too many for a number to hold exactly: any such count is over the limit anyway
    const size = Number(literal.digits);
    literals++;
    const digits = literal.digits.replace(/^0+(?=\d)/, '');
    const tooBigNonSync = literal.nonSync && size > limits.nonSyncLiteralSize && limits.nonSyncLiteralSize < limits.literalSize;
    if (literalBytes + size > limits.literalSize || literals > MAX_LITERALS || tooBigNonSync) {
      const text =
        literals > MAX_LITERALS
          ? `More than ${MAX_LITERALS} literals in one command`
          : tooBigNonSync
            ? `Non-synchronizing literal of ${digits} bytes is larger than ${limits.nonSyncLiteralSize} bytes (LITERAL-): send it as a synchronizing literal`
            : `Literal of ${digits} bytes is larger than the limit of ${limits.literalSize} bytes`;
      const refused = { kind: 'refused', tag, code: 'TOOBIG', text, transcript: transcript.join(' … ') } as const;
      // RFC 3501 §7.5: refused instead of the continuation; the client sends no literal.
      if (!literal.nonSync) return { ...refused, status: 'NO', readAway: null, close: false };
      // RFC 7888 §4/§5: BAD [TOOBIG] at once, then read the literal away or close
      const readAway = size <= READ_AWAY_FACTOR * limits.nonSyncLiteralSize ? size : null;
      return { ...refused, status: 'BAD', readAway, close: readAway === null };
    }
    literalBytes += size;
    if (!literal.nonSync) await sendContinuation('Ready for literal data');
    parts.push(Buffer.from('\r\n'));
    parts.push(await input.readBytes(size));
    transcript.push(`<literal ${size} bytes>`);
    try {
      line = await input.readLine(limits.lineLength);
    } catch (error) {
      if (!(error instanceof LineTooLongError)) throw error;
      return overLong(error, tag, limits, `${transcript.join(' ')} (over-long line)`);
    }
  }
  return { kind: 'command', wire: Buffer.concat(parts), transcript: transcript.join(' ') };
}

/**
 * A line over the limit: `tag BAD [TOOBIG]`, and the command's literal read away when the line
 * announced a non-synchronizing one (as for a refused literal); without a tag to answer, the
 * connection is closed: a client waiting for its tagged answer never waits in vain.
 */
function overLong(error: LineTooLongError, tag: string | null, limits: CommandLimits, transcript: string): ReadResult {
  const literal = literalAtEnd(error.tail);
  const size = literal?.nonSync ? Number(literal.digits) : 0;
  const readAway = size && size <= READ_AWAY_FACTOR * limits.literalSize ? size : null;
  const text = `Command line longer than ${limits.lineLength} bytes`;
  return { kind: 'refused', tag, status: 'BAD', code: 'TOOBIG', text, transcript, readAway, close: !tag || (size > 0 && readAway === null) };
}

/**
 * After a refused non-synchronizing literal of `size` bytes: drops it, and the lines (and further
 * literals) of the rest of that command. False when the further literals would pass the budget
 * of READ_AWAY_FACTOR × the non-synchronizing literal limit: the caller then closes the connection.
 */
export async function readAwayRefused(input: Input, size: number, limits: CommandLimits): Promise<boolean> {
  let budget = READ_AWAY_FACTOR * limits.nonSyncLiteralSize - size;
  await input.skipBytes(size);
  for (let i = 0; i < MAX_LITERALS; i++) {
    let line: Buffer;
    try {
      line = await input.readLine(limits.lineLength);
    } catch (error) {
      if (error instanceof LineTooLongError) continue;
      throw error;
    }
    const literal = literalAtEnd(line);
    if (!literal) return true;
    // a synchronizing literal after the refused one will not come: the client waits for "+"
    if (!literal.nonSync) return true;
    const next = Number(literal.digits);
    if (next > budget) return false;
    budget -= next;
    await input.skipBytes(next);
  }
  return false;
}

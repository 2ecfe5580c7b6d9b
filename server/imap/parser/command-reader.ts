// Assembles one client command from the wire: its lines and the literals between them
// (synchronizing {n}, answered with a continuation, and non-synchronizing {n+}, RFC 7888),
// within the line and literal size limits. The result is the command's exact bytes for the
// tokenizer plus a transcript line with literal bodies abbreviated.
import { LineTooLongError, type Input } from './input.js';
import { tagOf } from './tokens.js';

export interface CommandLimits {
  lineLength: number;
  /** The largest literal (and the most literal bytes in one command). */
  literalSize: number;
}

export type ReadResult =
  | { kind: 'command'; wire: Buffer; transcript: string }
  /** A line too long, or a literal refused: answer `tag BAD/NO [TOOBIG]` and go on. */
  | { kind: 'refused'; tag: string | null; status: 'BAD' | 'NO'; code: string; text: string; transcript: string };

const LITERAL_AT_END = /\{(\d{1,12})(\+?)\}$/;
const MAX_LITERALS = 1000;

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
    return { kind: 'refused', tag: null, status: 'BAD', code: 'TOOBIG', text: `Command line longer than ${limits.lineLength} bytes`, transcript: '(over-long line)' };
  }
  const tag = tagOf(line);
  for (;;) {
    parts.push(line);
    const tail = line.toString('latin1', Math.max(0, line.length - 16));
    const match = LITERAL_AT_END.exec(tail);
    if (!match) {
      transcript.push(line.toString('latin1'));
      break;
    }
    const size = Number(match[1]);
    const nonSync = match[2] === '+';
    transcript.push(line.toString('latin1'));
    literals++;
    if (literalBytes + size > limits.literalSize || literals > MAX_LITERALS) {
      const text = `Literal of ${size} bytes is larger than the limit of ${limits.literalSize} bytes`;
      if (!nonSync) {
        // RFC 7888 §4 / RFC 3501 §7.5: refuse instead of the continuation; the client sends no literal.
        return { kind: 'refused', tag, status: 'NO', code: 'TOOBIG', text, transcript: transcript.join(' … ') };
      }
      // A non-synchronizing literal is already on its way: read it away, with the rest of the command.
      await input.skipBytes(size);
      await skipRestOfCommand(input, limits);
      return { kind: 'refused', tag, status: 'BAD', code: 'TOOBIG', text, transcript: transcript.join(' … ') };
    }
    literalBytes += size;
    if (!nonSync) await sendContinuation('Ready for literal data');
    parts.push(Buffer.from('\r\n'));
    parts.push(await input.readBytes(size));
    transcript.push(`<literal ${size} bytes>`);
    try {
      line = await input.readLine(limits.lineLength);
    } catch (error) {
      if (!(error instanceof LineTooLongError)) throw error;
      return { kind: 'refused', tag, status: 'BAD', code: 'TOOBIG', text: `Command line longer than ${limits.lineLength} bytes`, transcript: transcript.join(' ') };
    }
  }
  return { kind: 'command', wire: Buffer.concat(parts), transcript: transcript.join(' ') };
}

/** After a refused non-synchronizing literal: drops the lines (and further literals) of that command. */
async function skipRestOfCommand(input: Input, limits: CommandLimits): Promise<void> {
  for (let i = 0; i < MAX_LITERALS; i++) {
    let line: Buffer;
    try {
      line = await input.readLine(limits.lineLength);
    } catch (error) {
      if (error instanceof LineTooLongError) continue;
      throw error;
    }
    const match = LITERAL_AT_END.exec(line.toString('latin1', Math.max(0, line.length - 16)));
    if (!match) return;
    // a synchronizing literal after the refused one will not come: the client waits for "+"
    if (match[2] !== '+') return;
    await input.skipBytes(Number(match[1]));
  }
}

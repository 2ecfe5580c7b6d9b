// lanpost import mbox FILE --user ADDRESS [--folder NAME]: an mbox file (Thunderbird, mutt,
// Gmail's Takeout, /var/mail). A message starts at a "From " line at the start of the file or after
// an empty line, of the form "From sender Www Mmm dd hh:mm:ss yyyy" (its date is the received date);
// other lines beginning with "From " belong to the body. Writers quote body lines as ">From "
// (mboxrd: ">>From " for ">From "), and one ">" is taken off again. Status: and X-Status: give the
// flags (R seen, A answered, F flagged, T draft, D deleted), X-Keywords: the keywords. A second run
// starts at the byte after the last message imported.
import fs from 'node:fs';
import path from 'node:path';
import type { FolderSummary, ImportedMessage, ImportTarget } from './target.js';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
/** The envelope line: sender, then an asctime() date, perhaps with a time zone before or after the year. */
const FROM_LINE = /^From (\S+) +(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) +(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) +(\d{1,2}) +(\d{1,2}):(\d\d)(?::(\d\d))?(?: +[A-Z]{2,5}| +[+-]\d{4})? +(\d{4})/;
const READ_BYTES = 1024 * 1024;

/** One message of the file: its bytes (From_ line off, quoting undone) and where the next one starts. */
interface MboxMessage {
  raw: Buffer;
  date: Date;
  end: number;
}

/** The messages of an mbox file from byte `start` (a From_ line) on, one at a time. */
async function* mboxMessages(file: string, start: number): AsyncGenerator<MboxMessage> {
  const stream = fs.createReadStream(file, { start, highWaterMark: READ_BYTES });
  let pending: Buffer = Buffer.alloc(0);
  let position = start; // file offset of pending[0]
  let current: { lines: Buffer[]; date: Date; start: number } | null = null;
  let previousBlank = true;
  const finish = (end: number): MboxMessage | null => {
    if (!current) return null;
    const lines = current.lines;
    // the empty line before the next From_ line is the separator's, not the message's
    if (lines.length && isBlank(lines[lines.length - 1]!)) lines.pop();
    return { raw: Buffer.concat(lines), date: current.date, end };
  };
  const take = function* (line: Buffer, lineStart: number): Generator<MboxMessage> {
    const envelope = previousBlank && line[0] === 0x46 /* F */ ? FROM_LINE.exec(line.subarray(0, 200).toString('latin1')) : null;
    if (envelope) {
      const done = finish(lineStart);
      if (done) yield done;
      current = { lines: [], date: envelopeDate(envelope), start: lineStart };
    } else if (current) {
      current.lines.push(unquote(line));
    }
    previousBlank = isBlank(line);
  };
  for await (const chunk of stream) {
    pending = pending.length ? Buffer.concat([pending, chunk as Buffer]) : (chunk as Buffer);
    let from = 0;
    for (let newline = pending.indexOf(10); newline >= 0; newline = pending.indexOf(10, from)) {
      yield* take(pending.subarray(from, newline + 1), position + from);
      from = newline + 1;
    }
    position += from;
    pending = Buffer.from(pending.subarray(from));
  }
  if (pending.length) yield* take(pending, position);
  const last = finish(position + pending.length);
  if (last) yield last;
}

function isBlank(line: Buffer): boolean {
  return line.length === 0 || (line.length === 1 && line[0] === 10) || (line.length === 2 && line[0] === 13 && line[1] === 10);
}

/** ">From " → "From ", ">>From " → ">From " (mboxrd; mboxo's ">From " too). */
function unquote(line: Buffer): Buffer {
  if (line[0] !== 0x3e /* > */) return line;
  let quotes = 0;
  while (line[quotes] === 0x3e) quotes++;
  return line.subarray(quotes, quotes + 5).toString('latin1') === 'From ' ? line.subarray(1) : line;
}

function envelopeDate(match: RegExpExecArray): Date {
  const [, , month, day, hours, minutes, seconds, year] = match;
  return new Date(Date.UTC(Number(year), MONTHS.indexOf(month!), Number(day), Number(hours), Number(minutes), Number(seconds ?? 0)));
}

/** Flags from the Status:, X-Status: and X-Keywords: headers mail readers write into mbox files. */
function flagsOf(raw: Buffer): string[] {
  const end = raw.indexOf('\n\n') >= 0 ? raw.indexOf('\n\n') : raw.indexOf('\r\n\r\n');
  const header = raw.subarray(0, end < 0 ? raw.length : end).toString('latin1');
  const field = (name: string) => new RegExp(`^${name}:[ \\t]*([^\\r\\n]*)`, 'im').exec(header)?.[1] ?? '';
  const letters = field('Status') + field('X-Status');
  const flags: string[] = [];
  const system: Array<[string, string]> = [['R', '\\Seen'], ['A', '\\Answered'], ['F', '\\Flagged'], ['T', '\\Draft'], ['D', '\\Deleted']];
  for (const [letter, flag] of system) if (letters.includes(letter)) flags.push(flag);
  for (const keyword of field('X-Keywords').split(/[\s,]+/)) if (keyword && /^[\x21-\x7e]+$/.test(keyword) && !/[(){%*"\\\]]/.test(keyword)) flags.push(keyword);
  return flags;
}

export async function importMbox(
  target: ImportTarget,
  file: string,
  folder: string,
  onMessage: (doneBytes: number, totalBytes: number) => void,
): Promise<FolderSummary> {
  const source = `mbox:${path.resolve(file)}:${folder}`;
  const total = fs.statSync(file).size;
  const start = Number(target.checkpoint(source) ?? 0);
  const mailbox = target.mailbox(folder);
  const summary: FolderSummary = { source: file, mailbox: mailbox.name, imported: 0, skipped: 0, bytes: 0 };
  for await (const message of mboxMessages(file, start)) {
    const imported: ImportedMessage = { content: message.raw, flags: flagsOf(message.raw), internalDate: message.date };
    await target.append(mailbox, imported, source, String(message.end));
    summary.imported++;
    summary.bytes += message.raw.length;
    onMessage(message.end, total);
  }
  await target.flush();
  return summary;
}

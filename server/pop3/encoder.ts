// A stored message → the body of a RETR/TOP reply: every line ends in CRLF (a bare LF, as in
// Maildir files written by other MTAs, becomes CRLF), a line starting with "." gets one more
// (RFC 1939 §3 byte-stuffing), and TOP stops after the header and n body lines (RFC 1939 §7).
// Works chunk by chunk so a big message streams from its file; untouched chunks are passed on as is.
// A small message read whole gets its whole RETR reply built in one buffer (`wholeReply`).

const CR = Buffer.from('\r');
const DOT = Buffer.from('.');
const EMPTY = Buffer.alloc(0);
const LF_ONLY = Buffer.from('\n');
const CRLF = Buffer.from('\r\n');
const TERMINATOR = Buffer.from('.\r\n');
const LF_DOT = Buffer.from('\n.');

export class MessageEncoder {
  private atLineStart = true;
  private lastWasCR = false;
  /** Bytes of the current line seen so far (for spotting the empty line that ends the header). */
  private lineBytes = 0;
  private inHeader = true;
  private bodyLinesLeft: number;
  /** True once TOP has everything it wants; the rest of the file need not be read. */
  done = false;
  /** Bare LFs seen: the message's size on the wire is its stored size plus this. */
  bareLineFeeds = 0;

  /** bodyLines: undefined for RETR (everything), n for TOP msg n. */
  constructor(bodyLines?: number) {
    this.bodyLinesLeft = bodyLines ?? Infinity;
  }

  encode(chunk: Buffer): Buffer {
    if (this.done || !chunk.length) return EMPTY;
    const out: Buffer[] = [];
    let copied = 0; // chunk[copied..] not yet in out
    let pos = 0;
    while (pos < chunk.length) {
      if (this.atLineStart) {
        this.atLineStart = false;
        if (chunk[pos] === 0x2e) {
          out.push(chunk.subarray(copied, pos), DOT);
          copied = pos;
        }
      }
      const lf = chunk.indexOf(10, pos);
      if (lf < 0) {
        this.lineBytes += chunk.length - pos;
        this.lastWasCR = chunk[chunk.length - 1] === 13;
        break;
      }
      const endedByCR = lf > pos ? chunk[lf - 1] === 13 : this.lastWasCR;
      const lineBytes = this.lineBytes + (lf - pos);
      if (!endedByCR) {
        out.push(chunk.subarray(copied, lf), CR);
        copied = lf;
        this.bareLineFeeds++;
      }
      pos = lf + 1;
      this.atLineStart = true;
      this.lineBytes = 0;
      this.lastWasCR = false;
      if (this.bodyLinesLeft !== Infinity && this.endOfWanted(lineBytes === 0 || (lineBytes === 1 && endedByCR))) {
        this.done = true;
        out.push(chunk.subarray(copied, pos));
        return Buffer.concat(out);
      }
    }
    if (!out.length) return chunk;
    out.push(chunk.subarray(copied));
    return Buffer.concat(out);
  }

  /** The end of the reply: a line end if the message lacked a final one, then ".". */
  finish(): Buffer {
    if (this.atLineStart || this.done) return TERMINATOR;
    return Buffer.concat([this.lastWasCR ? LF_ONLY : CRLF, TERMINATOR]);
  }

  /** TOP bookkeeping after each line; true when the reply is complete. */
  private endOfWanted(emptyLine: boolean): boolean {
    if (this.inHeader) {
      if (!emptyLine) return false;
      this.inHeader = false; // the blank line separating header and body is sent, then n body lines
      return this.bodyLinesLeft === 0;
    }
    this.bodyLinesLeft--;
    return this.bodyLinesLeft <= 0;
  }
}

/** Counts LFs not preceded by CR, across chunks (for the size of a message on the wire). */
export class BareLineFeedCounter {
  count = 0;
  private lastWasCR = false;

  push(chunk: Buffer): void {
    let pos = chunk.indexOf(10);
    while (pos >= 0) {
      if (pos === 0 ? !this.lastWasCR : chunk[pos - 1] !== 13) this.count++;
      pos = chunk.indexOf(10, pos + 1);
    }
    if (chunk.length) this.lastWasCR = chunk[chunk.length - 1] === 13;
  }
}

/**
 * The whole reply to RETR of a message read whole: status line, the message as MessageEncoder
 * sends it (CRLF line ends, byte-stuffing, a final line end if missing), and "." — in one buffer,
 * so that it goes out in one write. `bareLineFeeds`, when known, spares the search for bare LFs:
 * with none, only the lines starting with "." are looked for (one search each).
 */
export function wholeReply(
  bytes: Buffer,
  status: (wireSize: number) => string,
  bareLineFeeds?: number,
): { reply: Buffer; status: string; bareLineFeeds: number } {
  // Where one byte goes in: before bytes[i], a "." if bytes[i] is a "." starting a line, a CR if it is a bare LF.
  const inserts: number[] = [];
  if (bytes[0] === 0x2e) inserts.push(0);
  let bare = 0;
  if (bareLineFeeds === 0) {
    for (let at = bytes.indexOf(LF_DOT); at >= 0; at = bytes.indexOf(LF_DOT, at + 2)) inserts.push(at + 1);
  } else {
    for (let lf = bytes.indexOf(10); lf >= 0; lf = bytes.indexOf(10, lf + 1)) {
      if (lf === 0 || bytes[lf - 1] !== 13) {
        inserts.push(lf);
        bare++;
      }
      if (bytes[lf + 1] === 0x2e) inserts.push(lf + 1);
    }
  }
  const text = status(bytes.length + bare);
  const last = bytes.length ? bytes[bytes.length - 1] : 10;
  const lineEnd = last === 10 ? EMPTY : last === 13 ? LF_ONLY : CRLF; // as MessageEncoder.finish
  const reply = Buffer.allocUnsafe(text.length + 2 + bytes.length + inserts.length + lineEnd.length + TERMINATOR.length);
  let out = reply.write(text, 0, 'latin1');
  reply[out++] = 13;
  reply[out++] = 10;
  let copied = 0;
  for (const at of inserts) {
    out += bytes.copy(reply, out, copied, at);
    reply[out++] = bytes[at] === 0x2e ? 0x2e : 13;
    copied = at;
  }
  out += bytes.copy(reply, out, copied);
  out += lineEnd.copy(reply, out);
  TERMINATOR.copy(reply, out);
  return { reply, status: text, bareLineFeeds: bare };
}

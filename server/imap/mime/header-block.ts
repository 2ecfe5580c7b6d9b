// A message's header block — up to and including the empty line that ends it (RFC 5322 §2.1) —
// found in its bytes, or read from its file without reading the body: ENVELOPE needs no more.
import fs from 'node:fs';

/** Bytes read first; a header longer than this is read on in doubling steps. */
const FIRST_READ = 16 * 1024;
const scratch = Buffer.allocUnsafe(FIRST_READ);

/**
 * Where the header block ends: after the first CRLF CRLF (or LF LF); the whole input if none.
 * `length`: how many bytes of `data` count (the rest may be left over from an earlier read).
 */
export function headerBlockEnd(data: Buffer, length = data.length): number {
  // a message starting with an empty line has an empty header
  if (length >= 1 && data[0] === 0x0a) return 1;
  if (length >= 2 && data[0] === 0x0d && data[1] === 0x0a) return 2;
  let crlf = data.indexOf('\r\n\r\n');
  if (crlf + 4 > length) crlf = -1; // not found, or only in the bytes that do not count
  // an LF LF comes first only if there is one before the CRLF CRLF (looked for backwards from it)
  if (crlf >= 0 && (crlf === 0 || data.lastIndexOf('\n\n', crlf - 1) < 0)) return crlf + 4;
  const lf = data.indexOf('\n\n');
  if (lf >= 0 && lf + 2 <= length) return lf + 2;
  return length;
}

/** The header block of a message file as a "binary" string (one char per octet). */
export function readHeaderBlock(file: string): string {
  const fd = fs.openSync(file, 'r');
  try {
    let buffer = scratch;
    let length = 0;
    for (;;) {
      if (length === buffer.length) {
        const bigger = Buffer.allocUnsafe(buffer.length * 2);
        buffer.copy(bigger, 0, 0, length);
        buffer = bigger;
      }
      const wanted = buffer.length - length;
      const read = fs.readSync(fd, buffer, length, wanted, length);
      length += read;
      const atEnd = read < wanted;
      const end = headerBlockEnd(buffer, length);
      // an end found in the last bytes read may not be the first one the whole file has: read on
      if (atEnd || end <= length - 4) return buffer.toString('latin1', 0, end);
    }
  } finally {
    fs.closeSync(fd);
  }
}

// A message's header block — up to and including the empty line that ends it (RFC 5322 §2.1) —
// found in its bytes, or read from its file without reading the body: ENVELOPE needs no more.
import fs from 'node:fs';

/** Bytes read first; a header longer than this is read on in doubling steps. */
const FIRST_READ = 16 * 1024;
const scratch = Buffer.allocUnsafe(FIRST_READ);

/** Where the header block ends: after the first CRLF CRLF (or LF LF); the whole input if none. */
export function headerBlockEnd(data: Buffer): number {
  // a message starting with an empty line has an empty header
  if (data[0] === 0x0a) return 1;
  if (data[0] === 0x0d && data[1] === 0x0a) return 2;
  const crlf = data.indexOf('\r\n\r\n');
  // an LF LF can only come first if it starts before the CRLF CRLF
  const lf = (crlf >= 0 ? data.subarray(0, crlf + 1) : data).indexOf('\n\n');
  if (crlf >= 0 && lf < 0) return crlf + 4;
  if (lf >= 0) return lf + 2;
  return data.length;
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
      const data = buffer.subarray(0, length);
      const end = headerBlockEnd(data);
      // an end found in the last bytes read may not be the first one the whole file has: read on
      if (atEnd || end <= length - 4) return data.toString('latin1', 0, end);
    }
  } finally {
    fs.closeSync(fd);
  }
}

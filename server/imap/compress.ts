// COMPRESS=DEFLATE (RFC 4978): once the tagged OK of COMPRESS DEFLATE is out, both directions are
// raw DEFLATE streams (RFC 1951) over the connection (over TLS, when TLS is on: compression
// inside). node:zlib does the work: the client's data goes socket → inflater → the session's
// Input (which pauses the inflater, and through the pipe the socket, while it has enough);
// responses go into the deflater, each batch ended with a sync flush (§4: the client must be able
// to read every response at once), and what comes out is written to the socket as it comes, never
// kept in the deflater: once a batch is flushed it is all in the socket's hands, so closing the
// connection loses none of it. A batch waits for the socket to drain before the next (back-pressure).
import type { Duplex } from 'node:stream';
import zlib from 'node:zlib';

/**
 * The deflater's window and memory level: a 4 KiB window with a 64 KiB internal state (zlib's
 * defaults take 256 KiB a session) still finds the repetition IMAP responses are made of; the
 * inflater needs a 32 KiB window, the largest a client may use.
 */
const DEFLATE_WINDOW_BITS = 12;
const DEFLATE_MEM_LEVEL = 6;

export class DeflateLayer {
  /** The client's data, decompressed: what the session reads from now on. */
  readonly input: Duplex;
  private readonly deflate: zlib.DeflateRaw;
  /** Settles when the socket is gone: no drain or flush to wait for then. */
  private readonly gone: Promise<void>;

  constructor(
    private readonly socket: Duplex,
    /** Bytes already read from the socket after the COMPRESS command (compressed already). */
    readAhead: Buffer,
    onError: (error: Error) => void,
  ) {
    const inflate = zlib.createInflateRaw();
    this.deflate = zlib.createDeflateRaw({ windowBits: DEFLATE_WINDOW_BITS, memLevel: DEFLATE_MEM_LEVEL });
    for (const stream of [inflate, this.deflate]) stream.on('error', onError);
    if (readAhead.length) inflate.write(readAhead);
    socket.pipe(inflate);
    this.deflate.on('data', (chunk: Buffer) => socket.write(chunk));
    this.input = inflate;
    this.gone = new Promise((resolve) => socket.once('close', () => resolve()));
  }

  /** Compresses `buffers` and hands them to the socket, flushed; resolves when the socket takes more. */
  async write(buffers: Buffer[]): Promise<void> {
    for (const data of buffers) this.deflate.write(data);
    await Promise.race([new Promise<void>((resolve) => this.deflate.flush(zlib.constants.Z_SYNC_FLUSH, () => resolve())), this.gone]);
    if (this.socket.writableNeedDrain) await Promise.race([new Promise((resolve) => this.socket.once('drain', resolve)), this.gone]);
  }

  /** Stops both streams (the connection is closing: what was written is in the socket already). */
  close(): void {
    this.socket.unpipe(this.input);
    this.input.destroy();
    this.deflate.destroy();
  }
}

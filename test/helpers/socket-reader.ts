// The reading side shared by the raw protocol clients of the tests (SMTP, IMAP, POP3): the bytes
// received and not consumed yet, whether the server closed, and a bounded wait for what a client
// needs. Each client decodes what it consumes (UTF-8 text or raw bytes).
import net from 'node:net';
import tls from 'node:tls';
import zlib from 'node:zlib';

const SHOWN_UNREAD = 500;

export interface ConnectOptions {
  host?: string;
  /** The loopback source address (127.0.0.2, 127.0.0.3 …) that plays a different client computer. */
  localAddress?: string;
  /** TLS from the first byte with these options (certificate checks); plain TCP when absent. */
  tls?: tls.ConnectionOptions;
  /** How unread bytes are shown in an error: 'utf8' for a text client, 'latin1' for bytes. */
  show?: BufferEncoding;
}

export class SocketReader {
  /** Received and not consumed yet. */
  buffer = Buffer.alloc(0);
  closed = false;
  private waiters: Array<() => void> = [];
  /** IMAP COMPRESS=DEFLATE (RFC 4978): what writes go through once it is on. */
  private deflate: zlib.DeflateRaw | null = null;

  private readonly onData = (chunk: Buffer): void => {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    this.wake();
  };

  private readonly onClose = (): void => {
    this.closed = true;
    this.wake();
  };

  constructor(
    public socket: net.Socket,
    private readonly show: BufferEncoding = 'latin1',
  ) {
    this.attach(socket);
  }

  /** Connects (to 127.0.0.1 unless told); resolves once connected, TLS handshake included. */
  static async connect(port: number, options: ConnectOptions = {}): Promise<SocketReader> {
    const host = options.host ?? '127.0.0.1';
    const source = { localAddress: options.localAddress }; // a socket.connect() option tls.connect passes on
    const socket = options.tls ? tls.connect({ ...options.tls, host, port, ...source }) : net.connect({ host, port, ...source });
    const reader = new SocketReader(socket, options.show);
    await new Promise<void>((resolve, reject) => {
      socket.once(options.tls ? 'secureConnect' : 'connect', () => resolve());
      socket.once('error', reject);
    });
    return reader;
  }

  private attach(socket: net.Socket): void {
    socket.on('data', this.onData);
    socket.on('close', this.onClose);
    socket.on('error', () => {});
  }

  private wake(): void {
    this.waiters.splice(0).forEach((w) => w());
  }

  /** STARTTLS/STLS: stops reading the plain socket and reads the TLS one wrapped around it from now on. */
  async startTls(options: tls.ConnectionOptions): Promise<void> {
    const plain = this.socket;
    plain.off('data', this.onData);
    plain.off('close', this.onClose);
    const secure = tls.connect({ ...options, socket: plain });
    this.socket = secure;
    this.attach(secure);
    await new Promise<void>((resolve, reject) => {
      secure.once('secureConnect', () => resolve());
      secure.once('error', reject);
    });
  }

  /** The inflater of COMPRESS=DEFLATE, once started. */
  private inflater: zlib.InflateRaw | null = null;

  /** COMPRESS=DEFLATE from now on: the socket's bytes are inflated before they reach the buffer, writes deflated (each flushed). */
  startDeflate(): void {
    this.socket.off('data', this.onData);
    this.socket.off('close', this.onClose);
    const inflate = zlib.createInflateRaw();
    this.inflater = inflate;
    inflate.on('data', this.onData);
    // closed once the inflater has given all it had, not when the socket closed before that
    inflate.on('close', this.onClose);
    inflate.on('error', () => {}); // a stream cut short: 'close' follows
    this.socket.on('close', () => inflate.end());
    this.socket.pipe(inflate);
    this.deflate = zlib.createDeflateRaw();
    this.deflate.pipe(this.socket);
  }

  /** Stops reading the socket (what the server writes backs up in the kernel, then in the server) until resumeReading. */
  holdReading(): void {
    if (this.inflater) this.socket.unpipe(this.inflater);
    else this.socket.off('data', this.onData);
    this.socket.pause();
  }

  resumeReading(): void {
    if (this.inflater) this.socket.pipe(this.inflater);
    else this.socket.on('data', this.onData);
    this.socket.resume();
  }

  write(data: string | Buffer): void {
    if (!this.deflate) {
      this.socket.write(data);
      return;
    }
    this.deflate.write(data);
    this.deflate.flush(zlib.constants.Z_SYNC_FLUSH);
  }

  /** Takes the first `length` bytes off the buffer. */
  consume(length: number): Buffer {
    const taken = this.buffer.subarray(0, length);
    this.buffer = this.buffer.subarray(length);
    return taken;
  }

  /**
   * Calls `take` now and after every arrival until it returns a value (not null or undefined);
   * fails when the connection closed first or after `timeoutMs`, showing what is unread.
   */
  async waitFor<T>(take: () => T | null | undefined, timeoutMs: number, what: string): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = take();
      if (value !== null && value !== undefined) return value;
      const left = deadline - Date.now();
      if (this.closed || left <= 0) {
        throw new Error(`${this.closed ? 'connection closed' : 'timed out'} waiting for ${what}; unread: ${this.unread()}`);
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  private unread(): string {
    const text = this.buffer.toString(this.show);
    if (text.length <= SHOWN_UNREAD) return JSON.stringify(text);
    return `${JSON.stringify(text.slice(0, SHOWN_UNREAD))}… (${this.buffer.length} bytes in all)`;
  }
}

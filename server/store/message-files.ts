// Reading a message's file, the one way every protocol does it: under the name the index gives;
// once more under its current name when a flag change renamed the file meanwhile (new/ → cur/, other
// letters); EXPUNGED when the message is gone. Small messages are read whole and synchronously (from
// the page cache that costs microseconds, far less than trips through libuv's thread pool, and the
// index is read synchronously anyway); big ones are opened and read a chunk at a time, so that what a
// reader holds stays bounded whatever their size.
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import type { MessageRow } from './rows.js';

/** Messages up to this size are read whole and synchronously; bigger ones are streamed from the file. */
export const SMALL_MESSAGE_BYTES = 256 * 1024;
/** Bytes read at a time from a streamed message. */
const CHUNK_BYTES = 64 * 1024;

/** What reading a message removed meanwhile (by another session) throws: code EXPUNGED. */
export function expungedError(): Error {
  return Object.assign(new Error('message was expunged'), { code: 'EXPUNGED' });
}

/** Did a read fail because the message was expunged (or its file removed) meanwhile? */
export function isGone(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'EXPUNGED' || code === 'ENOENT';
}

type Row = Pick<MessageRow, 'id' | 'filename' | 'size'>;

/** The message files of one mailbox folder. */
export class MessageFiles {
  private readonly prefix: string;

  constructor(
    folder: string,
    /** The message's row as the index has it now; undefined once expunged. */
    private readonly current: (id: number) => Pick<MessageRow, 'filename'> | undefined,
  ) {
    this.prefix = folder + path.sep;
  }

  /** The file by the name the index gave (a flag change may rename it: use `follow` to read it). */
  path(row: Pick<MessageRow, 'filename'>): string {
    return this.prefix + row.filename;
  }

  /** Runs `read` on the message's file; once more under its current name if it was renamed; throws EXPUNGED if gone. */
  follow<T>(row: Row, read: (file: string) => T): T {
    try {
      return read(this.prefix + row.filename);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      return read(this.prefix + this.fresh(row).filename);
    }
  }

  /** `follow` for an asynchronous read. */
  async followAsync<T>(row: Row, read: (file: string) => Promise<T>): Promise<T> {
    try {
      return await read(this.prefix + row.filename);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      return read(this.prefix + this.fresh(row).filename);
    }
  }

  isSmall(row: Pick<MessageRow, 'size'>): boolean {
    return row.size <= SMALL_MESSAGE_BYTES;
  }

  /**
   * The whole message, synchronously (meant for small ones): one read of the indexed size plus a
   * byte, to notice a longer file (changed behind the index's back: then read whole). `into`, a
   * buffer of at least size + 1 bytes, is read into (the result is a view of it); else a new one.
   */
  readSync(row: Row, into?: Buffer): Buffer {
    return this.follow(row, (file) => readOfSize(file, row.size, into ?? Buffer.allocUnsafe(row.size + 1)));
  }

  /** The whole message: a small one synchronously, a bigger one through the thread pool. */
  read(row: Row): Promise<Buffer> {
    if (this.isSmall(row)) {
      try {
        return Promise.resolve(this.readSync(row));
      } catch (error) {
        return Promise.reject(error);
      }
    }
    return this.followAsync(row, (file) => fsp.readFile(file));
  }

  /** Opens the message's file to read it a chunk at a time. Close it when done. */
  open(row: Row): Promise<OpenMessage> {
    return this.followAsync(row, OpenMessage.open);
  }

  private fresh(row: Row): Pick<MessageRow, 'filename'> {
    const fresh = this.current(row.id);
    if (!fresh) throw expungedError();
    return fresh;
  }
}

/** A message file open for streaming; `size` is the file's, as it was opened. */
export class OpenMessage {
  private constructor(
    private readonly handle: fsp.FileHandle,
    readonly size: number,
  ) {}

  static async open(file: string): Promise<OpenMessage> {
    const handle = await fsp.open(file, 'r');
    try {
      return new OpenMessage(handle, (await handle.stat()).size);
    } catch (error) {
      await handle.close();
      throw error;
    }
  }

  /** The bytes from `start` up to `end` (or the end of the file, if it is shorter), a new buffer per chunk. */
  async *chunks(start = 0, end = this.size): AsyncGenerator<Buffer> {
    for (let position = start; position < end; ) {
      const length = Math.min(CHUNK_BYTES, end - position);
      const buffer = Buffer.allocUnsafe(length);
      const { bytesRead } = await this.handle.read(buffer, 0, length, position);
      if (!bytesRead) return;
      position += bytesRead;
      yield bytesRead === length ? buffer : buffer.subarray(0, bytesRead);
    }
  }

  close(): Promise<void> {
    return this.handle.close();
  }
}

/** Every chunk of an open message, from the start (POP3 RETR and TOP). */
export function chunksOf(message: OpenMessage): AsyncGenerator<Buffer> {
  return message.chunks();
}

/** A file whose size the index knows: one read of that size and a byte more; the whole file when it is longer. */
function readOfSize(file: string, size: number, buffer: Buffer): Buffer {
  const fd = fs.openSync(file, 'r');
  try {
    const bytesRead = fs.readSync(fd, buffer, 0, size + 1, 0);
    return bytesRead <= size ? buffer.subarray(0, bytesRead) : fs.readFileSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

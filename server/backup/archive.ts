// The backup archive: a plain tar file (tar-stream; any tar reads it) whose last entry is the
// manifest. It is written under a temporary name, fsynced and only then renamed to its own name,
// so a crash, a kill or a full disk never leaves a half archive looking whole; and restore reads
// the manifest from the end, so a cut archive has none and is refused.
import crypto from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import tar from 'tar-stream';
import { MANIFEST_NAME, type Manifest } from './manifest.js';

/** The temporary name of an archive being written: never taken for an archive. */
export function partialName(file: string): string {
  return `${file}.partial`;
}

const CHUNK_BYTES = 256 * 1024;
/** Entries from memory handed to the packer before waiting for them to be written. */
const IN_FLIGHT = 64;
/** Written to the archive file in pieces of up to this much (many small entries go in one write). */
const WRITE_BYTES = 1024 * 1024;

export interface EntryOptions {
  mode?: number;
  mtime?: Date;
}

export class ArchiveWriter {
  /** sha256 of every entry's content, by name. */
  readonly checksums: Record<string, string> = {};
  bytes = 0;
  private readonly pack = tar.pack();
  /** Entries handed to the tar packer and not written yet: waited for IN_FLIGHT at a time. */
  private inFlight: Array<Promise<void>> = [];
  private readonly written: Promise<void>;

  private constructor(
    readonly file: string,
    private readonly partial: string,
  ) {
    this.written = pipeline(this.pack, fs.createWriteStream(partial, { mode: 0o600, highWaterMark: WRITE_BYTES }));
    // a failure is seen by the next add or by finish
    this.written.catch(() => {});
  }

  /** Starts writing `file` (under its partial name; folders must exist). */
  static create(file: string): ArchiveWriter {
    return new ArchiveWriter(file, partialName(file));
  }

  /** An entry from memory: handed to the packer, waited for only when IN_FLIGHT of them wait to be written. */
  async add(name: string, content: Buffer, options: EntryOptions = {}): Promise<void> {
    this.checksums[name] = sha256(content);
    this.bytes += content.length;
    const written = this.entry(name, content.length, options, (sink) => sink.end(content));
    written.catch(() => {}); // seen by settle
    this.inFlight.push(written);
    if (this.inFlight.length >= IN_FLIGHT) await this.settle();
  }

  /** Waits until the entries handed over are written (the first failure is thrown). */
  private async settle(): Promise<void> {
    await Promise.all(this.inFlight.splice(0));
  }

  /** An entry read from an open file a chunk at a time (the caller closes it). */
  async addFile(name: string, handle: fsp.FileHandle, options: EntryOptions = {}): Promise<void> {
    await this.settle();
    const stat = await handle.stat();
    const size = stat.size;
    const hash = crypto.createHash('sha256');
    await this.entry(name, size, { mode: options.mode ?? stat.mode & 0o777, mtime: options.mtime ?? stat.mtime }, async (sink) => {
      const buffer = Buffer.allocUnsafe(Math.min(CHUNK_BYTES, Math.max(size, 1)));
      for (let position = 0; position < size; ) {
        const { bytesRead } = await handle.read(buffer, 0, Math.min(buffer.length, size - position), position);
        if (!bytesRead) throw new Error(`${name} became shorter while it was read`);
        const chunk = Buffer.from(buffer.subarray(0, bytesRead));
        hash.update(chunk);
        position += bytesRead;
        if (!sink.write(chunk)) await new Promise((resolve) => sink.once('drain', resolve));
      }
      sink.end();
    });
    this.checksums[name] = hash.digest('hex');
    this.bytes += size;
  }

  /** Adds the manifest as the last entry, then makes the archive durable and gives it its name. */
  async finish(manifest: Manifest): Promise<void> {
    await this.settle();
    const text = Buffer.from(JSON.stringify(manifest) + '\n');
    await this.entry(MANIFEST_NAME, text.length, { mode: 0o600 }, (sink) => sink.end(text));
    this.pack.finalize();
    await this.written;
    const handle = await fsp.open(this.partial, 'r+');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fsp.rename(this.partial, this.file);
    await syncDirectory(path.dirname(this.file));
  }

  /** After a failure: the partial file goes. */
  async abandon(): Promise<void> {
    this.pack.destroy();
    await Promise.allSettled(this.inFlight.splice(0));
    await this.written.catch(() => {});
    await fsp.rm(this.partial, { force: true });
  }

  private entry(name: string, size: number, options: EntryOptions, fill: (sink: NodeJS.WritableStream) => unknown): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const sink = this.pack.entry({ name, size, mode: options.mode ?? 0o600, mtime: options.mtime ?? new Date(), type: 'file' }, (error) =>
        error ? reject(error) : resolve(),
      );
      // a failed write (a full disk) destroys the packer and with it this entry: its error is this
      // promise's, never an uncaught one
      sink.on('error', reject);
      Promise.resolve(fill(sink as unknown as NodeJS.WritableStream)).catch((error: unknown) => {
        sink.destroy(error as Error);
        reject(error as Error);
      });
    });
  }
}

export function sha256(content: Uint8Array): string {
  return crypto.createHash('sha256').update(content).digest('hex');
}

async function syncDirectory(dir: string): Promise<void> {
  if (process.platform === 'win32') return;
  const handle = await fsp.open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

// Coalesced fsyncs, off the main thread. Callers that arrive while one fsync of a target runs
// share the next one, so concurrent deliveries into one folder, or concurrent commits, do not
// each pay for their own trip to the disk.
import fs from 'node:fs';
import nodePath from 'node:path';
import { promisify } from 'node:util';

const open = promisify(fs.open);
const fsync = promisify(fs.fsync);

type Waiter = (error?: unknown) => void;

class CoalescedSync {
  private running = false;
  private waiting: Waiter[] = [];

  constructor(private readonly flush: () => Promise<void>) {}

  sync(): Promise<void> {
    const promise = new Promise<void>((resolve, reject) => this.waiting.push((e) => (e ? reject(e) : resolve())));
    if (!this.running) void this.run();
    return promise;
  }

  private async run(): Promise<void> {
    this.running = true;
    while (this.waiting.length) {
      const batch = this.waiting.splice(0);
      let failure: unknown;
      try {
        await this.flush();
      } catch (error) {
        failure = error;
      }
      for (const done of batch) done(failure);
    }
    this.running = false;
  }
}

/** A directory's descriptor stays open while its syncs keep coming: one trip to the disk per sync, not three. */
const DIRECTORY_IDLE_MS = 2000;

/** fsync of one directory, so that a rename into it survives a power cut. */
class DirectorySync {
  private fd: number | null = null;
  private flushing = false;
  private retired = false;
  private idleTimer: NodeJS.Timeout | null = null;
  private readonly coalesced = new CoalescedSync(() => this.flush());

  constructor(
    readonly dir: string,
    private readonly onIdle: (syncer: DirectorySync) => void,
  ) {}

  sync(): Promise<void> {
    return this.coalesced.sync();
  }

  /** Closes the descriptor now, or after the fsync under way: the directory is being removed or renamed. */
  retire(): void {
    this.retired = true;
    if (!this.flushing) this.close();
  }

  private async flush(): Promise<void> {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.flushing = true;
    try {
      this.fd ??= await open(this.dir, 'r');
      await fsync(this.fd);
    } finally {
      this.flushing = false;
      if (this.retired) this.close();
      else this.idleTimer = setTimeout(() => this.onIdle(this), DIRECTORY_IDLE_MS).unref();
    }
  }

  close(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    if (this.fd !== null) fs.close(this.fd, () => {});
    this.fd = null;
  }
}

class DirectorySyncs {
  private readonly byDirectory = new Map<string, DirectorySync>();
  private readonly closeIdle = (syncer: DirectorySync) => {
    syncer.close();
    if (this.byDirectory.get(syncer.dir) === syncer) this.byDirectory.delete(syncer.dir);
  };

  sync(dir: string): Promise<void> {
    // Windows cannot open a directory for fsync; NTFS journals the rename itself.
    if (process.platform === 'win32') return Promise.resolve();
    let syncer = this.byDirectory.get(dir);
    if (!syncer) this.byDirectory.set(dir, (syncer = new DirectorySync(dir, this.closeIdle)));
    return syncer.sync();
  }

  /** Lets go of the open directories at and under `dir`, before it is removed or renamed. */
  forget(dir: string): void {
    for (const [path, syncer] of this.byDirectory) {
      if (path !== dir && !path.startsWith(dir + nodePath.sep)) continue;
      syncer.retire();
      this.byDirectory.delete(path);
    }
  }
}

export const directorySync = new DirectorySyncs();

/**
 * fsync of a SQLite database's WAL file. With `PRAGMA synchronous = NORMAL` a commit is safe
 * against a crash of the process but reaches the disk only at the next checkpoint; an fsync of
 * the WAL after the commit makes it safe against a power cut too — what `synchronous = FULL` does,
 * but off the main thread and shared by every commit made meanwhile.
 */
export class WalSync {
  private fd: number | null = null;
  private readonly coalesced = new CoalescedSync(() => this.flush());

  constructor(private readonly walFile: string) {}

  sync(): Promise<void> {
    return this.coalesced.sync();
  }

  private async flush(): Promise<void> {
    if (this.fd === null) {
      try {
        this.fd = await open(this.walFile, 'r+');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return; // nothing committed through the WAL yet
        throw error;
      }
    }
    await fsync(this.fd);
  }

  close(): void {
    if (this.fd !== null) fs.closeSync(this.fd);
    this.fd = null;
  }
}

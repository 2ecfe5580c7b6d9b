// What POP3 remembers of each message's size on the wire. LIST and STAT give sizes as RETR sends
// them (RFC 1939 §5, §11: CRLF line ends), and a Maildir file written by another MTA may end its
// lines in a bare LF, one byte short each: so the size on the wire is the file's size (the S= of
// its name, the index's `size`) plus its bare LFs, which only reading the file tells. That count
// (strictly: the octets on the wire beyond the indexed size) is kept per INBOX folder, in memory
// and in the folder's `lanpost-pop3-sizes` file, so that neither the next session nor the first
// STAT after a restart reads every message again (Dovecot keeps the same in its index, or as W=
// in the file name).
//
// The file is a cache, never the truth: lines "guid count\n", appended as messages are measured,
// rewritten without the messages gone once it holds many of them. A message file never changes its
// content, so a line never goes stale. A line that is not whole and well-formed is ignored; losing
// the file only costs measuring again.
import fs from 'node:fs';
import path from 'node:path';
import type { MessageRow } from '../store/mailstore.js';

export const SIZES_FILE = 'lanpost-pop3-sizes';
/** Lines learned are appended after this delay, many at once. */
const APPEND_DELAY_MS = 1000;
/** Folders whose counts stay in memory (each as many entries as its INBOX has messages). */
const FOLDERS_KEPT = 1000;
const LINE = /^([\x21-\x7e]{1,200}) (\d{1,9})$/;

/** The memories of the INBOX folders POP3 sessions opened, made once by the engine (shared by pop3 and pop3s). */
export class WireSizes {
  private readonly byFolder = new Map<string, WireSizeMemory>();

  /** The memory of an INBOX folder, loaded from its file the first time; tidied against the messages it has now. */
  of(folder: string, rows: readonly MessageRow[]): WireSizeMemory {
    let memory = this.byFolder.get(folder);
    if (memory) {
      this.byFolder.delete(folder); // most recently used last
    } else {
      memory = new WireSizeMemory(folder);
      if (this.byFolder.size >= FOLDERS_KEPT) this.byFolder.delete(this.byFolder.keys().next().value!);
    }
    this.byFolder.set(folder, memory);
    memory.tidy(rows);
    return memory;
  }

  /** Writes down at once what waits to be appended (the service stopping). */
  flush(): void {
    for (const memory of this.byFolder.values()) memory.appendNow();
  }
}

export class WireSizeMemory {
  private readonly counts = new Map<string, number>();
  private readonly file: string;
  private pending = '';
  private appending = false;
  /** The file ends in the middle of a line (a write cut short): the next append starts a new line. */
  private brokenTail = false;

  constructor(folder: string) {
    this.file = path.join(folder, SIZES_FILE);
    this.load();
  }

  /** Octets on the wire beyond the indexed size (bare LFs) of the message with this guid, if measured. */
  get(guid: string): number | undefined {
    return this.counts.get(guid);
  }

  remember(guid: string, count: number): void {
    if (this.counts.get(guid) === count) return;
    this.counts.set(guid, count);
    if (!LINE.test(`${guid} ${count}`)) return; // a guid with spaces or control characters: memory only
    this.pending += `${guid} ${count}\n`;
    this.scheduleAppend();
  }

  private load(): void {
    let text: string;
    try {
      text = fs.readFileSync(this.file, 'latin1');
    } catch {
      return; // none yet (or unreadable): measure again
    }
    const lines = text.split('\n');
    this.brokenTail = lines.pop() !== ''; // what follows the last LF is not a whole line
    for (const line of lines) {
      const match = LINE.exec(line);
      if (match) this.counts.set(match[1]!, Number(match[2]));
    }
  }

  /** Forgets messages no longer in the folder once they are most of what is kept, and rewrites the file. */
  tidy(rows: readonly MessageRow[]): void {
    if (this.counts.size <= 2 * rows.length + 100) return;
    const kept = new Map<string, number>();
    for (const row of rows) {
      const count = this.counts.get(row.guid);
      if (count !== undefined) kept.set(row.guid, count);
    }
    this.counts.clear();
    let text = '';
    for (const [guid, count] of kept) {
      this.counts.set(guid, count);
      if (LINE.test(`${guid} ${count}`)) text += `${guid} ${count}\n`;
    }
    this.pending = '';
    try {
      fs.writeFileSync(`${this.file}.tmp`, text);
      fs.renameSync(`${this.file}.tmp`, this.file);
      this.brokenTail = false;
    } catch {
      // a cache: the old file stays, its extra lines do no harm
    }
  }

  appendNow(): void {
    if (!this.pending) return;
    try {
      fs.appendFileSync(this.file, this.takePending());
    } catch {
      this.brokenTail = true;
    }
  }

  private takePending(): string {
    const text = (this.brokenTail ? '\n' : '') + this.pending;
    this.pending = '';
    this.brokenTail = false;
    return text;
  }

  private scheduleAppend(): void {
    if (this.appending) return;
    this.appending = true;
    setTimeout(() => {
      if (!this.pending) {
        this.appending = false;
        return;
      }
      fs.appendFile(this.file, this.takePending(), (error) => {
        // An error (the folder renamed away with its user, a full disk) only costs measuring again;
        // part of the text may have been written, so the next append starts on a new line.
        if (error) this.brokenTail = true;
        this.appending = false;
        if (this.pending) this.scheduleAppend();
      });
    }, APPEND_DELAY_MS).unref();
  }
}

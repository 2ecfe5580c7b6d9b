// Maildir++ on disk: durable writes (tmp → fsync → new/ → fsync of the directory), file names
// with size and flags as Dovecot and mutt read them, and folder paths.
// Maildir: https://cr.yp.to/proto/maildir.html; Maildir++ folders are ".Name" sub-maildirs.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';

/** IMAP system flags ↔ Maildir info letters (kept in ASCII order in file names). */
const FLAG_LETTERS: ReadonlyArray<[string, string]> = [
  ['\\Draft', 'D'],
  ['\\Flagged', 'F'],
  ['$Forwarded', 'P'],
  ['\\Answered', 'R'],
  ['\\Seen', 'S'],
  ['\\Deleted', 'T'],
];

export function flagsToLetters(flags: readonly string[]): string {
  const lower = new Set(flags.map((f) => f.toLowerCase()));
  return FLAG_LETTERS.filter(([flag]) => lower.has(flag.toLowerCase()))
    .map(([, letter]) => letter)
    .join('');
}

export function lettersToFlags(letters: string): string[] {
  return FLAG_LETTERS.filter(([, letter]) => letters.includes(letter)).map(([flag]) => flag);
}

export interface ParsedFileName {
  base: string;
  size: number | null;
  flags: string[];
}

/** "1700000000.M1P2Q3.host,S=4096:2,RS" → base, size, flags. */
export function parseFileName(name: string): ParsedFileName {
  const colon = name.indexOf(':2,');
  const stem = colon >= 0 ? name.slice(0, colon) : name;
  const letters = colon >= 0 ? name.slice(colon + 3) : '';
  const parts = stem.split(',');
  const sizePart = parts.slice(1).find((p) => p.startsWith('S='));
  return { base: parts[0]!, size: sizePart ? Number(sizePart.slice(2)) : null, flags: lettersToFlags(letters) };
}

/** The name of a message file: new/ while unseen by any client, cur/ with its flags after. */
export function fileNameFor(base: string, size: number, flags: readonly string[], inNew: boolean): string {
  return inNew ? `new/${base},S=${size}` : `cur/${base},S=${size}:2,${flagsToLetters(flags)}`;
}

// O_DSYNC: every write is on the disk when it returns, with what is needed to read it back (the
// size, the blocks): what an fdatasync after it does, without a trip of its own. Windows has no
// such flag and gets the fdatasync.
const { O_WRONLY, O_CREAT, O_EXCL, O_DSYNC } = fs.constants;
const NEW_FILE = O_WRONLY | O_CREAT | O_EXCL | (O_DSYNC ?? 0);
const syncAfterWrite = O_DSYNC === undefined;

let sequence = 0;
const hostPart = os.hostname().replace(/[/:\\]/g, '_') || 'localhost';
/** Drawn once per process: with the pid and the counter it keeps names unique across restarts. */
const processToken = crypto.randomBytes(4).toString('hex');

/** A unique Maildir base name: time, microseconds, pid, a counter, a per-process token, host. */
export function newBaseName(now = Date.now()): string {
  const seconds = Math.floor(now / 1000);
  const micros = (now % 1000) * 1000 + Math.floor(Math.random() * 1000);
  sequence = (sequence + 1) % 1e9;
  return `${seconds}.M${micros}P${process.pid}Q${sequence}R${processToken}.${hostPart}`;
}

/** Maildir++: INBOX is the root; "Sent" is ".Sent"; "Work/2024" is ".Work.2024". */
export function folderDir(maildirRoot: string, folder: string): string {
  return folder ? path.join(maildirRoot, folder) : maildirRoot;
}

export function ensureMaildir(dir: string, isSubfolder: boolean): void {
  for (const sub of ['tmp', 'new', 'cur']) fs.mkdirSync(path.join(dir, sub), { recursive: true, mode: 0o700 });
  if (isSubfolder) {
    const marker = path.join(dir, 'maildirfolder');
    if (!fs.existsSync(marker)) fs.writeFileSync(marker, '');
  }
}

/**
 * Writes a message into tmp/`base`, durably (O_DSYNC, see NEW_FILE), and renames it to
 * `filename` (in a Maildir: new/ or cur/, see fileNameFor): a crash cannot leave half of it
 * visible. The steps that can wait for the disk run off the main thread (creating and renaming
 * files can wait for the file system's journal, or for a folder's fsync, while other deliveries
 * fsync), chained by callbacks: this runs for every delivered message, and a promise per step
 * costs more than the step. The rename is durable once the folder is synced too
 * (`directorySync`, which the caller runs: Messages.append alongside the index commit, the outbound
 * queue before its row).
 */
export function writeMessageFile(folderPath: string, content: Uint8Array, base: string, filename: string): Promise<void> {
  const temp = path.join(folderPath, 'tmp', base);
  return new Promise((resolve, reject) => {
    const abandon = (fd: number, error: Error) => fs.close(fd, () => fs.rm(temp, { force: true }, () => reject(error)));
    const closeAndRename = (fd: number) => {
      // Closing a local file whose data is already on the disk costs microseconds: done here, it
      // saves a trip through the thread pool, whose queue is longest exactly when mail flows fastest.
      try {
        fs.closeSync(fd);
      } catch (closeError) {
        return fs.rm(temp, { force: true }, () => reject(closeError as Error));
      }
      fs.rename(temp, path.join(folderPath, filename), (renameError) => (renameError ? reject(renameError) : resolve()));
    };
    fs.open(temp, NEW_FILE, 0o600, (openError, fd) => {
      if (openError) return reject(openError);
      const writeFrom = (offset: number): void =>
        fs.write(fd, content, offset, content.length - offset, null, (writeError, written) => {
          if (writeError) return abandon(fd, writeError);
          if (offset + written < content.length) return writeFrom(offset + written);
          if (!syncAfterWrite) return closeAndRename(fd);
          fs.fdatasync(fd, (syncError) => (syncError ? abandon(fd, syncError) : closeAndRename(fd)));
        });
      writeFrom(0);
    });
  });
}

/** Message files of a folder (new/ and cur/), as "new/name" or "cur/name". */
export function listMessageFiles(folderPath: string): string[] {
  const names: string[] = [];
  for (const sub of ['new', 'cur']) {
    let entries: string[] = [];
    try {
      entries = fs.readdirSync(path.join(folderPath, sub));
    } catch {
      continue;
    }
    for (const name of entries) if (!name.startsWith('.')) names.push(`${sub}/${name}`);
  }
  return names;
}

/** Removes leftovers in tmp/ older than 36 hours (the Maildir rule): a crash mid-write leaves one. */
export function cleanTmp(folderPath: string, now = Date.now()): number {
  let removed = 0;
  const tmp = path.join(folderPath, 'tmp');
  for (const name of safeReaddir(tmp)) {
    const file = path.join(tmp, name);
    try {
      if (now - fs.statSync(file).mtimeMs > 36 * 3600 * 1000) {
        fs.unlinkSync(file);
        removed++;
      }
    } catch {
      // vanished meanwhile
    }
  }
  return removed;
}

function safeReaddir(dir: string): string[] {
  try {
    return fs.readdirSync(dir);
  } catch {
    return [];
  }
}

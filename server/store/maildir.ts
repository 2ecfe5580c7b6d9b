// Maildir++ on disk: durable writes (tmp → fsync → new/ → fsync of the directory), file names
// with size and flags as Dovecot and mutt read them, and folder paths.
// Maildir: https://cr.yp.to/proto/maildir.html; Maildir++ folders are ".Name" sub-maildirs.
import fs from 'node:fs';
import fsp from 'node:fs/promises';
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

let sequence = 0;
const hostPart = os.hostname().replace(/[/:\\]/g, '_') || 'localhost';

/** A unique Maildir base name: time, microseconds, pid, a counter and randomness, host. */
export function newBaseName(now = Date.now()): string {
  const seconds = Math.floor(now / 1000);
  const micros = (now % 1000) * 1000 + Math.floor(Math.random() * 1000);
  sequence = (sequence + 1) % 1e9;
  return `${seconds}.M${micros}P${process.pid}Q${sequence}R${crypto.randomBytes(4).toString('hex')}.${hostPart}`;
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
 * Writes a message so that, once this resolves, it is on disk under its final name and a crash
 * cannot leave half of it visible: tmp/ → fsync → rename into new/ or cur/ → fsync of that directory.
 */
export async function writeMessageDurably(
  folderPath: string,
  content: Buffer,
  flags: readonly string[],
  options: { inNew: boolean; base?: string },
): Promise<{ base: string; filename: string }> {
  const base = options.base ?? newBaseName();
  const temp = path.join(folderPath, 'tmp', base);
  const filename = fileNameFor(base, content.length, flags, options.inNew);
  const handle = await fsp.open(temp, 'wx', 0o600);
  try {
    await handle.writeFile(content);
    await handle.datasync();
  } finally {
    await handle.close();
  }
  await fsp.rename(temp, path.join(folderPath, filename));
  await directorySync.sync(path.join(folderPath, options.inNew ? 'new' : 'cur'));
  return { base, filename };
}

/**
 * Coalesces fsyncs of a directory: renames that finish while one fsync runs share the next one,
 * so concurrent deliveries into one folder do not each pay for their own.
 */
class DirectorySync {
  private readonly states = new Map<string, { running: boolean; waiting: Array<(error?: unknown) => void> }>();

  sync(dir: string): Promise<void> {
    let state = this.states.get(dir);
    if (!state) {
      state = { running: false, waiting: [] };
      this.states.set(dir, state);
    }
    const promise = new Promise<void>((resolve, reject) => state!.waiting.push((e) => (e ? reject(e) : resolve())));
    if (!state.running) void this.run(dir, state);
    return promise;
  }

  private async run(dir: string, state: { running: boolean; waiting: Array<(error?: unknown) => void> }): Promise<void> {
    state.running = true;
    while (state.waiting.length) {
      const batch = state.waiting.splice(0);
      let failure: unknown;
      try {
        await fsyncDirectory(dir);
      } catch (error) {
        failure = error;
      }
      for (const done of batch) done(failure);
    }
    state.running = false;
    this.states.delete(dir);
  }
}

export const directorySync = new DirectorySync();

async function fsyncDirectory(dir: string): Promise<void> {
  if (process.platform === 'win32') return; // directories cannot be opened for fsync there; NTFS journals renames
  const handle = await fsp.open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
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

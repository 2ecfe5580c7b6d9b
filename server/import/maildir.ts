// lanpost import maildir PATH --user ADDRESS: a Dovecot or Courier Maildir++ (INBOX at the root,
// ".Work.2024" for "Work/2024", names in modified UTF-7 as both keep them). Flags come from the
// file names (":2,FRS"), Dovecot keywords from the letters a–z and the folder's dovecot-keywords
// file, the received date from the file's time (Dovecot's INTERNALDATE for Maildir). Files are taken
// in the order of their names (Maildir names begin with the delivery time); a second run takes the
// files that sort after the last one imported.
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { HIERARCHY_DELIMITER } from '../store/mailstore.js';
import { parseFileName } from '../store/maildir.js';
import { ImportError, type FolderSummary, type ImportTarget } from './target.js';

export interface SourceFolder {
  /** The mailbox name it becomes ("INBOX", "Work/2024"). */
  name: string;
  dir: string;
}

/** The folders of a Maildir++: the root as INBOX and every ".a.b" directory that is a Maildir. */
export function maildirFolders(root: string): SourceFolder[] {
  if (!isMaildir(root)) throw new ImportError(`${root} is not a Maildir (it has no cur/, new/ and tmp/)`);
  const folders: SourceFolder[] = [{ name: 'INBOX', dir: root }];
  for (const entry of fs.readdirSync(root, { withFileTypes: true })) {
    if (!entry.isDirectory() || !entry.name.startsWith('.') || entry.name === '.' || entry.name === '..') continue;
    const dir = path.join(root, entry.name);
    if (!isMaildir(dir)) continue;
    // Courier and some Dovecot setups name folders ".INBOX.Sent": the INBOX namespace prefix goes
    const levels = entry.name.slice(1).split('.');
    if (levels[0]?.toUpperCase() === 'INBOX' && levels.length > 1) levels.shift();
    folders.push({ name: levels.join(HIERARCHY_DELIMITER), dir });
  }
  return folders.sort((a, b) => (a.name === 'INBOX' ? -1 : b.name === 'INBOX' ? 1 : a.name.localeCompare(b.name)));
}

function isMaildir(dir: string): boolean {
  return ['cur', 'new', 'tmp'].every((sub) => fs.existsSync(path.join(dir, sub)));
}

/** Dovecot's dovecot-keywords: "0 $Label1" means letter a stands for $Label1. */
function keywordLetters(dir: string): Map<string, string> {
  const letters = new Map<string, string>();
  try {
    for (const line of fs.readFileSync(path.join(dir, 'dovecot-keywords'), 'utf8').split('\n')) {
      const match = /^(\d+) (.+)$/.exec(line.trim());
      if (match && Number(match[1]) < 26) letters.set(String.fromCharCode(97 + Number(match[1])), match[2]!);
    }
  } catch {
    // no keywords
  }
  return letters;
}

/** The flags of a file name: system flags from the capital letters, keywords from the small ones. */
function flagsOf(name: string, keywords: Map<string, string>): string[] {
  const flags = parseFileName(name).flags;
  const colon = name.indexOf(':2,');
  if (colon < 0) return flags;
  for (const letter of name.slice(colon + 3)) {
    const keyword = keywords.get(letter);
    if (keyword && !flags.includes(keyword)) flags.push(keyword);
  }
  return flags;
}

export async function importMaildirFolder(
  target: ImportTarget,
  folder: SourceFolder,
  onMessage: (done: number, total: number) => void,
): Promise<FolderSummary> {
  const source = `maildir:${path.resolve(folder.dir)}`;
  const after = target.checkpoint(source) ?? '';
  const keywords = keywordLetters(folder.dir);
  const files = (['cur', 'new'] as const)
    .flatMap((sub) => safeList(path.join(folder.dir, sub)).map((name) => ({ sub, name, base: parseFileName(name).base })))
    .sort((a, b) => (a.base < b.base ? -1 : a.base > b.base ? 1 : 0));
  const mailbox = target.mailbox(folder.name);
  const summary: FolderSummary = { source: folder.dir, mailbox: mailbox.name, imported: 0, skipped: 0, bytes: 0 };
  for (const [index, file] of files.entries()) {
    if (file.base <= after) {
      summary.skipped++;
      continue;
    }
    const full = path.join(folder.dir, file.sub, file.name);
    let content: Buffer;
    let stat: fs.Stats;
    try {
      [content, stat] = await Promise.all([fsp.readFile(full), fsp.stat(full)]);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue; // taken away meanwhile by the old server
      throw error;
    }
    // Dovecot leaves a file in new/ when it only changes its flags (":2,FR"): new only without any
    const flags = flagsOf(file.name, keywords);
    const isNew = file.sub === 'new' && !flags.length;
    await target.append(mailbox, { content, flags, internalDate: stat.mtime, isNew }, source, file.base);
    summary.imported++;
    summary.bytes += content.length;
    onMessage(index + 1, files.length);
  }
  await target.flush();
  return summary;
}

function safeList(dir: string): string[] {
  try {
    return fs.readdirSync(dir).filter((name) => !name.startsWith('.'));
  } catch {
    return [];
  }
}

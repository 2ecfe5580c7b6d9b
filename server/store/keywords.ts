// Keywords in Maildir file names, as Dovecot keeps them: letters a–z after the system flags, each
// standing for the keyword on that line of the folder's dovecot-keywords file ("0 $Label1").
// The index stays the source of truth; keywords past the 26th are kept in the index only.
import fs from 'node:fs';
import path from 'node:path';

const MAX_LETTERS = 26;
const FILE = 'dovecot-keywords';

/** The keywords among `flags` that letters stand for: all but $Forwarded, which has a system letter (P). */
export function letterKeywords(flags: readonly string[]): string[] {
  return flags.filter((f) => !f.startsWith('\\') && f !== '$Forwarded');
}

export class KeywordLetters {
  /** Per folder path: the keyword of each letter, as in its dovecot-keywords file. */
  private readonly maps = new Map<string, string[]>();

  /** `filename` (a cur/ name ending in its flag letters) followed by the letters of the keywords among `flags`. */
  apply(folder: string, filename: string, flags: readonly string[]): string {
    const keywords = letterKeywords(flags);
    if (!keywords.length || !filename.includes(':2,')) return filename;
    const map = this.mapOf(folder);
    let added = false;
    const letters = new Set<string>();
    for (const keyword of keywords) {
      let index = map.indexOf(keyword);
      if (index < 0 && map.length < MAX_LETTERS) {
        index = map.push(keyword) - 1;
        added = true;
      }
      if (index >= 0) letters.add(String.fromCharCode(97 + index));
    }
    if (added) save(folder, map);
    return filename + [...letters].sort().join('');
  }

  /** The folder (and those under it) was deleted or moved: maps are read from disk again when needed. */
  forget(folder: string): void {
    for (const key of this.maps.keys()) if (key === folder || key.startsWith(folder + path.sep)) this.maps.delete(key);
  }

  private mapOf(folder: string): string[] {
    let map = this.maps.get(folder);
    if (map) return map;
    map = [];
    try {
      for (const line of fs.readFileSync(path.join(folder, FILE), 'utf8').split('\n')) {
        const match = /^(\d+) (.+)$/.exec(line.trim());
        if (match && Number(match[1]) < MAX_LETTERS) map[Number(match[1])] = match[2]!;
      }
    } catch {
      // no keywords file yet
    }
    this.maps.set(folder, map);
    return map;
  }
}

function save(folder: string, map: readonly string[]): void {
  const temp = path.join(folder, `${FILE}.tmp`);
  fs.writeFileSync(temp, map.map((keyword, i) => `${i} ${keyword}\n`).join(''));
  fs.renameSync(temp, path.join(folder, FILE));
}

// Index ↔ files (`lanpost doctor --reindex`, and every start): indexes files nobody indexed (a
// crash between rename and commit, or mail dropped in by another program), forgets rows whose
// file is gone and follows files renamed by other Maildir readers.
import fs from 'node:fs';
import path from 'node:path';
import type { Db } from './db.js';
import { Flags } from './flags.js';
import { letterKeywords } from './keywords.js';
import { cleanTmp, ensureMaildir, listMessageFiles, parseFileName } from './maildir.js';
import type { Messages } from './messages.js';
import type { MailboxRow } from './rows.js';
import { HEADER_BYTES, threadingIds } from './threads.js';

export interface Reconciled {
  added: number;
  removed: number;
  renamed: number;
}

/** Brings the index of `mailbox`, whose folder is `folder`, in line with its files. Returns what changed. */
export function reconcile(db: Db, messages: Messages, folder: string, mailbox: MailboxRow): Reconciled {
  ensureMaildir(folder, mailbox.folder !== '');
  cleanTmp(folder);
  const files = new Map<string, string>();
  for (const file of listMessageFiles(folder)) files.set(parseFileName(path.basename(file)).base, file);
  const rows = messages.list(mailbox.id);
  const indexed = new Set(rows.map((r) => r.guid));
  const head = Buffer.allocUnsafe(HEADER_BYTES);
  let removed = 0;
  let renamed = 0;
  let added = 0;
  db.transaction(() => {
    for (const row of rows) {
      const file = files.get(row.guid);
      if (!file) {
        messages.forget(row.id);
        removed++;
      } else if (file !== row.filename) {
        const flags = file.startsWith('cur/') ? parseFileName(path.basename(file)).flags : [];
        const keywords = letterKeywords(Flags.of(row).list);
        messages.update(row, [...flags, ...keywords].join(' '), file);
        renamed++;
      }
    }
    const newcomers = [...files.entries()]
      .filter(([guid]) => !indexed.has(guid))
      .map(([guid, file]) => ({ guid, file, stat: fs.statSync(path.join(folder, file)) }))
      .sort((a, b) => a.stat.mtimeMs - b.stat.mtimeMs || a.guid.localeCompare(b.guid));
    const inserted = messages.insert(
      newcomers.map(({ guid, file, stat }) => {
        const flags = file.startsWith('cur/') ? parseFileName(path.basename(file)).flags : [];
        return { mailboxId: mailbox.id, guid, filename: file, size: stat.size, internalDate: Math.floor(stat.mtimeMs), flags: flags.join(' '), threading: threadingIds(readHead(path.join(folder, file), head)) };
      }),
    );
    added += inserted.length;
  })();
  return { added, removed, renamed };
}

/** The start of a message file, where its header block is, read into `buffer`. */
function readHead(file: string, buffer: Buffer): Buffer {
  const fd = fs.openSync(file, 'r');
  try {
    return buffer.subarray(0, fs.readSync(fd, buffer, 0, buffer.length, 0));
  } finally {
    fs.closeSync(fd);
  }
}

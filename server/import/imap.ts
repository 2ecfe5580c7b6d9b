// lanpost import imap --host H [--port P] --user U: every folder of an old IMAP server (imapflow as
// the client), each message with its flags and INTERNALDATE. The old server's UIDs make it
// resumable: the checkpoint of a folder is its UIDVALIDITY and the last UID imported, committed with
// each message, so a second run fetches only what came after and never brings a message in twice.
// Folders with a special use (RFC 6154) land in LanPost's folder of that use (\Sent → Sent, …).
import { ImapFlow, type ListResponse } from 'imapflow';
import { encodeModifiedUtf7 } from '../imap/mailbox-names.js';
import { HIERARCHY_DELIMITER } from '../store/mailstore.js';
import { SPECIAL_MAILBOXES } from '../store/mailboxes.js';
import { ImportError, type FolderSummary, type ImportTarget } from './target.js';

export interface ImapSource {
  host: string;
  port: number;
  /** implicit: TLS from the start (993); starttls: required upgrade (143); none: plaintext (trusted networks only). */
  tls: 'implicit' | 'starttls' | 'none';
  /** Accept a certificate that cannot be verified (the old server's self-signed one). */
  insecure: boolean;
  user: string;
  password: string;
}

export interface ImapProgress {
  folder(name: string, total: number): void;
  message(done: number): void;
}

/** Imports every selectable folder of the source; returns one summary per folder. */
export async function importImap(target: ImportTarget, source: ImapSource, progress: ImapProgress): Promise<FolderSummary[]> {
  const client = new ImapFlow({
    host: source.host,
    port: source.port,
    secure: source.tls === 'implicit',
    doSTARTTLS: source.tls === 'starttls' ? true : source.tls === 'none' ? false : undefined,
    auth: { user: source.user, pass: source.password },
    tls: { rejectUnauthorized: !source.insecure },
    logger: false,
  });
  try {
    await client.connect();
  } catch (error) {
    const detail = (error as { responseText?: string }).responseText ?? (error as Error).message;
    throw new ImportError(`cannot log in to ${source.host}:${source.port} as ${source.user}: ${detail}`);
  }
  const summaries: FolderSummary[] = [];
  try {
    const folders = (await client.list()).filter((folder) => !folder.flags.has('\\Noselect') && !folder.flags.has('\\NonExistent'));
    for (const folder of folders) summaries.push(await importFolder(client, target, source, folder, progress));
  } finally {
    await client.logout().catch(() => client.close());
  }
  return summaries;
}

async function importFolder(client: ImapFlow, target: ImportTarget, source: ImapSource, folder: ListResponse, progress: ImapProgress): Promise<FolderSummary> {
  const mailbox = target.mailbox(localName(folder));
  const lock = await client.getMailboxLock(folder.path, { readOnly: true });
  try {
    const opened = client.mailbox;
    if (!opened) throw new ImportError(`cannot open ${folder.path} on ${source.host}`);
    const uidValidity = String(opened.uidValidity);
    const key = `imap:${source.user}@${source.host}:${source.port}:${folder.path}`;
    const [checkpointValidity, lastText] = (target.checkpoint(key) ?? '').split(':');
    let lastUid = 0;
    if (checkpointValidity !== undefined && lastText !== undefined) {
      if (checkpointValidity !== uidValidity) {
        throw new ImportError(
          `${folder.path} on ${source.host} has a new UIDVALIDITY since the last run (its messages were renumbered): importing it again would bring in copies`,
        );
      }
      lastUid = Number(lastText);
    }
    const summary: FolderSummary = { source: folder.path, mailbox: mailbox.name, imported: 0, skipped: 0, bytes: 0 };
    const uids = opened.exists ? ((await client.search({ all: true }, { uid: true })) || []) : [];
    const wanted = uids.filter((uid) => uid > lastUid).sort((a, b) => a - b);
    summary.skipped = uids.length - wanted.length;
    progress.folder(folder.path, wanted.length);
    if (!wanted.length) return summary;
    for await (const message of client.fetch(wanted, { uid: true, flags: true, internalDate: true, source: true }, { uid: true })) {
      if (!message.source || message.uid <= lastUid) continue;
      const flags = [...(message.flags ?? [])].filter((flag) => flag.toLowerCase() !== '\\recent');
      const internalDate = message.internalDate instanceof Date ? message.internalDate : new Date(message.internalDate ?? Date.now());
      await target.append(mailbox, { content: message.source, flags, internalDate }, key, `${uidValidity}:${message.uid}`);
      lastUid = message.uid;
      summary.imported++;
      summary.bytes += message.source.length;
      progress.message(summary.imported);
    }
    await target.flush();
    return summary;
  } finally {
    lock.release();
  }
}

/** The local name of a remote folder: INBOX, a special use's folder, else its path with "/" between levels. */
function localName(folder: ListResponse): string {
  if (folder.path.toUpperCase() === 'INBOX') return 'INBOX';
  const special = SPECIAL_MAILBOXES.find(([, use]) => use === folder.specialUse);
  if (special) return special[0];
  const levels = folder.delimiter ? folder.path.split(folder.delimiter) : [folder.path];
  return encodeModifiedUtf7(levels.join(HIERARCHY_DELIMITER));
}

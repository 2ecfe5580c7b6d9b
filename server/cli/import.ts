// lanpost import maildir PATH --user ADDRESS | mbox FILE --user ADDRESS [--folder NAME] |
// imap --host H [--port P] --user U [--into ADDRESS] [--tls implicit|starttls|none] [--insecure]:
// old mail brought into a local user's mailboxes, with a progress bar and a summary at the end.
import fs from 'node:fs';
import { AccountError, Accounts } from '../accounts/accounts.js';
import { importImap, type ImapSource } from '../import/imap.js';
import { importMaildirFolder, maildirFolders } from '../import/maildir.js';
import { importMbox } from '../import/mbox.js';
import { ImportTarget, type FolderSummary } from '../import/target.js';
import { loadSettings } from '../settings/file.js';
import { openDatabase } from '../store/db.js';
import { MailStore } from '../store/mailstore.js';
import { terminalProgress } from './progress.js';
import { readSecret } from './secret.js';
import { UsageError } from './usage-error.js';

export interface ImportValues {
  user?: string;
  folder?: string;
  host?: string;
  port?: string;
  into?: string;
  tls?: string;
  insecure?: boolean;
}

const TLS_MODES = ['implicit', 'starttls', 'none'] as const;

export async function importCommand(dataDir: string, kind: string | undefined, args: string[], values: ImportValues): Promise<number> {
  if (kind !== 'maildir' && kind !== 'mbox' && kind !== 'imap') throw new UsageError('import takes maildir, mbox or imap');
  if (kind === 'imap' ? args.length : args.length !== 1) throw new UsageError(kind === 'imap' ? 'import imap takes --host H --user U' : `import ${kind} takes one PATH`);
  const source = args[0];
  if (source !== undefined && !fs.existsSync(source)) throw new UsageError(`${source} does not exist`);
  const local = kind === 'imap' ? (values.into ?? values.user) : values.user;
  if (!local) throw new UsageError(`import ${kind} needs --user ADDRESS`);
  const imap = kind === 'imap' ? await imapSource(values) : null;

  const { settings } = loadSettings(dataDir);
  const db = openDatabase(dataDir);
  const progress = terminalProgress(`import ${kind}`);
  const started = Date.now();
  try {
    const store = new MailStore(db, dataDir);
    const accounts = new Accounts(db, dataDir, store, () => settings);
    const user = accounts.findUser(local);
    if (!user) throw new AccountError(`no such user: ${accounts.normalize(local)} (add it first: lanpost user add ${accounts.normalize(local)})`, 'address');
    store.ensureUserMailboxes(user);
    const target = new ImportTarget(store, user);
    const leftovers = target.recover();
    if (leftovers) process.stdout.write(`removed ${leftovers} messages an earlier run stored but did not finish; they are imported again\n`);
    const summaries: FolderSummary[] = [];
    if (kind === 'maildir') {
      for (const folder of maildirFolders(source!)) {
        summaries.push(await importMaildirFolder(target, folder, (done, total) => progress.update(done, total, folder.name)));
      }
    } else if (kind === 'mbox') {
      const folder = values.folder ?? 'INBOX';
      summaries.push(await importMbox(target, source!, folder, (done, total) => progress.update(done, total, `bytes into ${folder}`)));
    } else {
      let current = '';
      let total = 0;
      summaries.push(
        ...(await importImap(target, imap!, {
          folder: (name, count) => ((current = name), (total = count), progress.update(0, count, name)),
          message: (done) => progress.update(done, total, current),
        })),
      );
    }
    progress.stop();
    printSummary(user.address, summaries, (Date.now() - started) / 1000);
    return 0;
  } finally {
    progress.stop();
    db.close();
  }
}

async function imapSource(values: ImportValues): Promise<ImapSource> {
  if (!values.host || !values.user) throw new UsageError('import imap needs --host H and --user U');
  const tls = (values.tls ?? 'implicit') as ImapSource['tls'];
  if (!TLS_MODES.includes(tls)) throw new UsageError(`--tls takes ${TLS_MODES.join(', ')}`);
  const port = values.port === undefined ? (tls === 'implicit' ? 993 : 143) : Number(values.port);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new UsageError('--port takes a number from 1 to 65535');
  const password = await readSecret(`Password of ${values.user} on ${values.host}: `);
  return { host: values.host, port, tls, insecure: !!values.insecure, user: values.user, password };
}

function printSummary(address: string, summaries: FolderSummary[], seconds: number): void {
  const out = (line: string) => process.stdout.write(line + '\n');
  for (const s of summaries) {
    out(`${s.source} → ${s.mailbox}: ${s.imported} imported${s.skipped ? `, ${s.skipped} already imported by an earlier run` : ''}`);
  }
  const imported = summaries.reduce((sum, s) => sum + s.imported, 0);
  const skipped = summaries.reduce((sum, s) => sum + s.skipped, 0);
  const bytes = summaries.reduce((sum, s) => sum + s.bytes, 0);
  const rate = imported / Math.max(seconds, 0.001);
  out(
    `imported ${imported} messages (${(bytes / 1048576).toFixed(1)} MB) into ${summaries.length} folders of ${address} in ${seconds.toFixed(1)} s (${rate.toFixed(0)} messages/s)` +
      (skipped ? `; ${skipped} were there from an earlier run` : ''),
  );
}

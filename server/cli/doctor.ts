// lanpost doctor [--reindex]: database integrity, and the index rebuilt from the Maildir files.
import { Accounts } from '../accounts/accounts.js';
import { loadSettings } from '../settings/file.js';
import { openDatabase } from '../store/db.js';
import { MailStore } from '../store/mailstore.js';

export async function doctor(dataDir: string, reindex: boolean): Promise<number> {
  const { settings } = loadSettings(dataDir);
  const db = openDatabase(dataDir, (line) => process.stdout.write(line + '\n'));
  try {
    const integrity = db.pragma('integrity_check', { simple: true });
    process.stdout.write(`database: ${integrity}\n`);
    const store = new MailStore(db, dataDir);
    const accounts = new Accounts(db, dataDir, store, () => settings);
    for (const user of accounts.listUsers()) {
      store.ensureUserMailboxes(user);
      for (const mailbox of store.listMailboxes(user.id)) {
        if (!reindex) {
          process.stdout.write(`${user.address} ${mailbox.name}: ${store.listMessages(mailbox.id).length} messages\n`);
          continue;
        }
        const result = store.reconcile(user, mailbox);
        process.stdout.write(`${user.address} ${mailbox.name}: ${result.added} indexed, ${result.removed} forgotten, ${result.renamed} renamed\n`);
      }
    }
    return integrity === 'ok' ? 0 : 1;
  } finally {
    db.close();
  }
}

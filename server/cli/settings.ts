// lanpost settings get [KEY] | set KEY VALUE
import { Accounts } from '../accounts/accounts.js';
import { getByKey, loadSettings, parseCliValue, saveSettings, setByKey } from '../settings/file.js';
import type { Settings } from '../settings/schema.js';
import { openDatabase } from '../store/db.js';
import { MailStore } from '../store/mailstore.js';
import { UsageError } from './usage-error.js';

export function settingsCommand(dataDir: string, sub: string | undefined, args: string[]): number {
  const { settings } = loadSettings(dataDir);
  if (sub === 'get') {
    if (args.length > 1) throw new UsageError('settings get takes at most one KEY');
    const value = args[0] ? getByKey(settings, args[0]) : settings;
    process.stdout.write((typeof value === 'string' ? value : JSON.stringify(value, null, 2)) + '\n');
    return 0;
  }
  if (sub === 'set') {
    if (args.length !== 2) throw new UsageError('settings set takes KEY and VALUE');
    const [key, text] = args as [string, string];
    const next = setByKey(settings, key, parseCliValue(text));
    saveSettings(dataDir, next);
    if (next.domain !== settings.domain) renameDomainOffline(dataDir, settings, next);
    process.stdout.write(`${key} = ${JSON.stringify(getByKey(next, key))}\n`);
    return 0;
  }
  throw new UsageError('settings takes get or set');
}

function renameDomainOffline(dataDir: string, before: Settings, after: Settings): void {
  const db = openDatabase(dataDir);
  try {
    const accounts = new Accounts(db, dataDir, new MailStore(db, dataDir), () => after);
    const moved = accounts.renameDomain(before.domain, after.domain);
    if (moved) process.stdout.write(`moved ${moved} account(s) from ${before.domain} to ${after.domain}\n`);
  } finally {
    db.close();
  }
}

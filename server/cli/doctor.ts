// lanpost doctor [--reindex]: database integrity, the index rebuilt from the Maildir files, and
// the live check of the onboarding URLs on the engine's own ports (the window's Client setup
// page shows the same).
import fs from 'node:fs';
import { Accounts } from '../accounts/accounts.js';
import { loadSettings } from '../settings/file.js';
import type { Settings } from '../settings/schema.js';
import { openDatabase } from '../store/db.js';
import { MailStore } from '../store/mailstore.js';
import { caCertificate, certificateFiles } from '../tls/certificates.js';
import { checkOnboarding, formatCheck, type Listener } from '../web/onboarding/check.js';

export async function doctor(dataDir: string, reindex: boolean): Promise<number> {
  const { settings } = loadSettings(dataDir);
  const db = openDatabase(dataDir, (line) => process.stdout.write(line + '\n'));
  let integrity: unknown;
  let firstUser: string | undefined;
  try {
    integrity = db.pragma('integrity_check', { simple: true });
    process.stdout.write(`database: ${integrity}\n`);
    const store = new MailStore(db, dataDir);
    const accounts = new Accounts(db, dataDir, store, () => settings);
    firstUser = accounts.listUsers()[0]?.address;
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
  } finally {
    db.close();
  }
  await printOnboardingCheck(dataDir, settings, firstUser ?? `postmaster@${settings.domain}`);
  return integrity === 'ok' ? 0 : 1;
}

/** Information, not a verdict on the data folder: the engine may simply not be running. */
async function printOnboardingCheck(dataDir: string, settings: Settings, address: string): Promise<void> {
  const out = (line: string) => void process.stdout.write(line + '\n');
  if (!fs.existsSync(certificateFiles(dataDir).caCert)) {
    out('onboarding: not checked, there is no certificate yet (start LanPost once)');
    return;
  }
  const listener = (name: 'http' | 'https'): Listener => {
    const { enabled, address: bound, port } = settings.services[name];
    if (!enabled) return { notListening: 'is disabled' };
    if (port === 0) return { notListening: 'has port 0 (a free port picked at each start, unknown here)' };
    return { address: bound, port };
  };
  out(`onboarding, asked on this machine's own ports as devices on the LAN ask (for ${address}):`);
  const checks = await checkOnboarding({ domain: settings.domain, hostname: settings.hostname, http: listener('http'), https: listener('https'), caPem: caCertificate(dataDir).pem, address });
  checks.map(formatCheck).forEach(out);
}

// What an export of the classic configuration is made from: the settings, the accounts with their
// bcrypt hashes, the aliases, where the mail lives, and whose files it is (the uid and gid that
// Postfix's virtual delivery and Dovecot use for it: the data folder's owner).
import fs from 'node:fs';
import path from 'node:path';
import { Accounts } from '../accounts/accounts.js';
import { loadSettings } from '../settings/file.js';
import type { Settings } from '../settings/schema.js';
import { openDatabase } from '../store/db.js';
import { MailStore } from '../store/mailstore.js';

export interface ExportFacts {
  /** Absolute: the exported files name the mail and keys where they are. */
  dataDir: string;
  settings: Settings;
  accounts: ReturnType<Accounts['exportedAccounts']>;
  aliases: Array<{ address: string; targets: string[] }>;
  uid: number;
  gid: number;
  store: MailStore;
  /** A file of the export, in the folder it goes to. */
  out(name: string): string;
}

/** Opens the data folder for an export into `outDir`; `run` gets the facts, the database is closed after. */
export async function withExportFacts<T>(dataDir: string, outDir: string, run: (facts: ExportFacts) => T | Promise<T>): Promise<T> {
  const { settings } = loadSettings(dataDir);
  const db = openDatabase(dataDir);
  try {
    const store = new MailStore(db, dataDir);
    return await run(exportFacts({ dataDir, settings, accounts: new Accounts(db, dataDir, store, () => settings), store }, outDir));
  } finally {
    db.close();
  }
}

/** The facts from open handles (a running engine's, for the window's classic-configuration panel). */
export function exportFacts(from: { dataDir: string; settings: Settings; accounts: Accounts; store: MailStore }, outDir: string): ExportFacts {
  const owner = fs.statSync(from.dataDir);
  return {
    dataDir: path.resolve(from.dataDir),
    settings: from.settings,
    accounts: from.accounts.exportedAccounts(),
    aliases: from.accounts.listAliases(),
    uid: owner.uid,
    gid: owner.gid,
    store: from.store,
    out: (name) => path.join(path.resolve(outDir), name),
  };
}

/** An IPv6 network in Postfix's notation: [::1]/128. */
export function postfixNetwork(cidr: string): string {
  const [address, prefix] = cidr.split('/');
  return address!.includes(':') ? `[${address}]/${prefix}` : cidr;
}

/** A bind address of LanPost (0.0.0.0: every address) as the classic servers name it. */
export function listenAddresses(address: string): string[] {
  return address === '0.0.0.0' || address === '::' ? ['*', '::'] : [address];
}

export function header(command: string): string {
  return `# Written by \`lanpost ${command}\` on ${new Date().toISOString()} from LanPost's settings:\n# the classic configuration of what LanPost runs now. Edit LanPost's settings and export again.\n`;
}

/** One file of an export. */
export interface ExportFile {
  /** Relative to the export folder; folders on the way are made. */
  name: string;
  content: string;
  mode?: number;
  /** Written by the mail servers later (Dovecot's control files): owned by the mail's uid and gid. */
  mailOwned?: boolean;
  /** Read by this group's processes: root's file, mode 0640, where the group exists. */
  group?: string;
}

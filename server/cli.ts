// lanpost: the command line contract (see DESIGN.md). Exit codes: 0 done, 1 failed, 2 bad usage or value.
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { parseArgs } from 'node:util';
import { AccountError, Accounts } from './accounts/accounts.js';
import { passwordProblem } from './accounts/password.js';
import { queueCommand } from './delivery/outbound/queue-command.js';
import { certificateIdentity, startEngine } from './engine.js';
import { exportZoneCommand } from './dns/export.js';
import { describeStatus } from './net/listener.js';
import { getByKey, loadSettings, parseCliValue, saveSettings, setByKey } from './settings/file.js';
import { SettingsError, type Settings } from './settings/schema.js';
import { openDatabase } from './store/db.js';
import { MailStore } from './store/mailstore.js';
import { CertificateError, currentCertificate, ensureCertificates, importCertificate, regenerateCertificate } from './tls/certificates.js';

const USAGE = `Usage: lanpost COMMAND [--data DIR]

  serve                              run every enabled service and the admin API
  settings get [KEY]                 print the settings (JSON) or one value
  settings set KEY VALUE             validate and save (VALUE is JSON if it parses, else text)
  user add ADDRESS [--name NAME] [--quota BYTES]
  user passwd ADDRESS                password from stdin when stdin is not a terminal
  user list | user del ADDRESS
  alias add ADDRESS TARGET...        several targets make a distribution list
  alias list | alias del ADDRESS [TARGET]
  cert show | cert regenerate | cert import CERT.pem KEY.pem | cert ca   (prints the CA to give to clients)
  doctor [--reindex]                 check the data folder; --reindex rebuilds the index from the Maildir files
  export zone [NAME]                 the DNS zones in BIND master-file format (NAME: just that zone)
  queue list                         mail waiting for other domains: recipients, attempts, next attempt, last answer
  queue retry ID | queue delete ID   try an entry again now | remove it without telling the sender

The data folder is --data DIR, else $LANPOST_DATA, else ./lanpost-data.`;

class UsageError extends Error {}

export async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        data: { type: 'string' },
        name: { type: 'string' },
        quota: { type: 'string' },
        reindex: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean' },
      },
    });
  } catch (error) {
    process.stderr.write(`lanpost: ${(error as Error).message}\n\n${USAGE}\n`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.version) {
    // ../package.json from the sources, ../../package.json from the compiled dist/server/.
    const file = ['../package.json', '../../package.json'].map((p) => new URL(p, import.meta.url)).find((u) => fs.existsSync(u))!;
    const pkg = JSON.parse(fs.readFileSync(file, 'utf8')) as { version: string };
    process.stdout.write(`lanpost ${pkg.version}\n`);
    return 0;
  }
  if (values.help || !positionals.length) {
    process.stdout.write(USAGE + '\n');
    return values.help ? 0 : 2;
  }
  const dataDir = path.resolve(values.data ?? process.env.LANPOST_DATA ?? 'lanpost-data');
  const [command, sub, ...rest] = positionals;
  try {
    switch (command) {
      case 'serve':
        return await serve(dataDir);
      case 'settings':
        return settingsCommand(dataDir, sub, rest);
      case 'user':
        return await withAccounts(dataDir, (accounts) => userCommand(accounts, sub, rest, values));
      case 'alias':
        return await withAccounts(dataDir, (accounts) => aliasCommand(accounts, sub, rest));
      case 'cert':
        return certCommand(dataDir, sub, rest);
      case 'doctor':
        return await doctor(dataDir, !!values.reindex);
      case 'export':
        if (sub === 'zone') return exportZoneCommand(dataDir, rest);
        throw new UsageError('export takes zone');
      case 'queue':
        return queueCommand(dataDir, sub, rest);
      default:
        throw new UsageError(`unknown command '${command}'`);
    }
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`lanpost: ${error.message}\n\n${USAGE}\n`);
      return 2;
    }
    if (error instanceof SettingsError) {
      for (const problem of error.problems) process.stderr.write(`lanpost: ${problem.field}: ${problem.reason}\n`);
      return 2;
    }
    if (error instanceof AccountError || error instanceof CertificateError) {
      process.stderr.write(`lanpost: ${error.message}\n`);
      return 2;
    }
    process.stderr.write(`lanpost: ${(error as Error).stack ?? error}\n`);
    return 1;
  }
}

// ── serve ────────────────────────────────────────────────────────────────────

async function serve(dataDir: string): Promise<number> {
  const print = (line: string) => process.stdout.write(line + '\n');
  // Listen for a stop from the very start: one that arrives while starting is obeyed once started.
  let requested: string | null = null;
  let stop = (reason: string) => void (requested ??= reason);
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('message', (message: { type?: string }) => message?.type === 'stop' && stop('stop requested'));

  const engine = await startEngine({ dataDir, print });
  print(`data ${dataDir}`);
  for (const status of engine.statuses()) print(describeStatus(status));
  if (engine.firstStart) {
    print(`first start: created the mailbox ${engine.firstStart.address} with the password ${engine.firstStart.password}`);
    print(`  (shown only this once; change it with: lanpost user passwd ${engine.firstStart.address})`);
  }
  print(`admin ${engine.adminUrl}`);
  process.send?.({ type: 'ready', adminUrl: engine.adminUrl, services: engine.statuses() });
  return new Promise((resolve) => {
    let stopping = false;
    stop = (reason: string) => {
      if (stopping) return;
      stopping = true;
      print(`${reason}: stopping`);
      engine.stop().then(
        () => resolve(0),
        (error: Error) => {
          process.stderr.write(`lanpost: stop failed: ${error.message}\n`);
          resolve(1);
        },
      );
    };
    if (requested) stop(requested);
  });
}

// ── settings ─────────────────────────────────────────────────────────────────

function settingsCommand(dataDir: string, sub: string | undefined, args: string[]): number {
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

// ── users and aliases ────────────────────────────────────────────────────────

async function withAccounts(dataDir: string, run: (accounts: Accounts) => Promise<number> | number): Promise<number> {
  const { settings } = loadSettings(dataDir);
  const db = openDatabase(dataDir);
  try {
    return await run(new Accounts(db, dataDir, new MailStore(db, dataDir), () => settings));
  } finally {
    db.close();
  }
}

async function userCommand(accounts: Accounts, sub: string | undefined, args: string[], values: { name?: string; quota?: string }): Promise<number> {
  const out = (line: string) => process.stdout.write(line + '\n');
  switch (sub) {
    case 'add': {
      const address = one(args, 'user add takes ADDRESS');
      const quotaBytes = values.quota === undefined ? undefined : Number(values.quota);
      if (quotaBytes !== undefined && (!Number.isInteger(quotaBytes) || quotaBytes < 0)) throw new AccountError('--quota must be a whole number of bytes');
      const password = await readPassword(`Password for ${accounts.normalize(address)}: `);
      const user = await accounts.addUser(address, password, { displayName: values.name, quotaBytes });
      out(`added ${user.address}`);
      return 0;
    }
    case 'passwd': {
      const address = one(args, 'user passwd takes ADDRESS');
      if (!accounts.findUser(address)) throw new AccountError(`no such user: ${accounts.normalize(address)}`);
      await accounts.setPassword(address, await readPassword(`New password for ${accounts.normalize(address)}: `));
      out(`password changed for ${accounts.normalize(address)}`);
      return 0;
    }
    case 'del': {
      const address = one(args, 'user del takes ADDRESS');
      const { keptMailIn } = accounts.deleteUser(address);
      out(`deleted ${accounts.normalize(address)}; its mail is kept in ${keptMailIn}`);
      return 0;
    }
    case 'list':
      for (const user of accounts.listUsers()) {
        const flags = [user.disabled ? 'disabled' : '', user.quota_bytes ? `quota ${user.quota_bytes}` : ''].filter(Boolean);
        out([user.address, user.display_name, ...flags].filter(Boolean).join('\t'));
      }
      return 0;
    default:
      throw new UsageError('user takes add, passwd, list or del');
  }
}

function aliasCommand(accounts: Accounts, sub: string | undefined, args: string[]): number {
  const out = (line: string) => process.stdout.write(line + '\n');
  switch (sub) {
    case 'add': {
      const [address, ...targets] = args;
      if (!address || !targets.length) throw new UsageError('alias add takes ADDRESS and at least one TARGET');
      accounts.addAlias(address, targets);
      out(`${accounts.normalize(address)} → ${targets.map((t) => accounts.normalize(t)).join(', ')}`);
      return 0;
    }
    case 'del': {
      const [address, target, ...extra] = args;
      if (!address || extra.length) throw new UsageError('alias del takes ADDRESS [TARGET]');
      accounts.removeAlias(address, target);
      out(`removed ${accounts.normalize(address)}${target ? ` → ${accounts.normalize(target)}` : ''}`);
      return 0;
    }
    case 'list':
      for (const alias of accounts.listAliases()) out(`${alias.address}\t${alias.targets.join(', ')}`);
      return 0;
    default:
      throw new UsageError('alias takes add, list or del');
  }
}

function one(args: string[], message: string): string {
  if (args.length !== 1) throw new UsageError(message);
  return args[0]!;
}

/** From stdin when it is not a terminal (first line); else asked twice without echo. */
async function readPassword(prompt: string): Promise<string> {
  if (!process.stdin.isTTY) {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    const password = Buffer.concat(chunks).toString('utf8').split(/\r?\n/)[0] ?? '';
    const problem = passwordProblem(password);
    if (problem) throw new AccountError(`password ${problem}`);
    return password;
  }
  const first = await askHidden(prompt);
  const problem = passwordProblem(first);
  if (problem) throw new AccountError(`password ${problem}`);
  if ((await askHidden('Again: ')) !== first) throw new AccountError('the two passwords differ');
  return first;
}

function askHidden(prompt: string): Promise<string> {
  return new Promise((resolve) => {
    const rl = readline.createInterface({ input: process.stdin, output: process.stdout, terminal: true });
    const output = rl as unknown as { _writeToOutput: (s: string) => void };
    process.stdout.write(prompt);
    output._writeToOutput = () => {};
    rl.question('', (answer) => {
      rl.close();
      process.stdout.write('\n');
      resolve(answer);
    });
  });
}

// ── certificates ─────────────────────────────────────────────────────────────

function certCommand(dataDir: string, sub: string | undefined, args: string[]): number {
  const { settings } = loadSettings(dataDir);
  const out = (line: string) => process.stdout.write(line + '\n');
  switch (sub) {
    case 'show':
    case undefined:
      ensureCertificates(dataDir, certificateIdentity(settings)).forEach(out);
      out(JSON.stringify(currentCertificate(dataDir), null, 2));
      return 0;
    case 'regenerate':
      regenerateCertificate(dataDir, certificateIdentity(settings)).forEach(out);
      return 0;
    case 'import': {
      const [certFile, keyFile] = args;
      if (!certFile || !keyFile || args.length !== 2) throw new UsageError('cert import takes CERT.pem and KEY.pem');
      const summary = importCertificate(dataDir, fs.readFileSync(certFile, 'utf8'), fs.readFileSync(keyFile, 'utf8'));
      out(`imported the certificate for ${summary.dnsNames.join(', ')} (valid until ${summary.notAfter})`);
      return 0;
    }
    case 'ca':
      ensureCertificates(dataDir, certificateIdentity(settings));
      process.stdout.write(fs.readFileSync(path.join(dataDir, 'tls', 'ca.crt'), 'utf8'));
      return 0;
    default:
      throw new UsageError('cert takes show, regenerate, import or ca');
  }
}

// ── doctor ───────────────────────────────────────────────────────────────────

async function doctor(dataDir: string, reindex: boolean): Promise<number> {
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

if (process.argv[1] && /cli\.(ts|js)$/.test(process.argv[1])) {
  main(process.argv.slice(2)).then((code) => process.exit(code));
}

// lanpost: the command line contract (see DESIGN.md). Exit codes: 0 done, 1 failed, 2 bad usage or value.
import path from 'node:path';
import { parseArgs } from 'node:util';
import { AccountError } from './accounts/accounts.js';
import { RestoreError } from './backup/restore.js';
import { aliasCommand, userCommand, withAccounts } from './cli/accounts.js';
import { backupCommand, restoreCommand } from './cli/backup.js';
import { classCommand } from './cli/class.js';
import { doctor } from './cli/doctor.js';
import { settingsCommand } from './cli/settings.js';
import { UsageError } from './cli/usage-error.js';
import { queueCommand } from './delivery/outbound/queue-command.js';
import { exportZoneCommand } from './dns/export.js';
import { exportClassicCommand } from './export/command.js';
import { ImportError } from './import/target.js';
import { SettingsError } from './settings/schema.js';
import { CertificateError } from './tls/certificates.js';
import { lanpostVersion } from './version.js';

const USAGE = `Usage: lanpost COMMAND [--data DIR]

  serve                              run every enabled service and the admin API
  settings get [KEY]                 print the settings (JSON) or one value
  settings set KEY VALUE             validate and save (VALUE is JSON if it parses, else text)
  user add ADDRESS [--name NAME] [--quota BYTES]
  user passwd ADDRESS                password from stdin when stdin is not a terminal
  user list | user del ADDRESS
  alias add ADDRESS TARGET...        several targets make a distribution list
  alias list | alias del ADDRESS [TARGET]
  class list                         the classes of student accounts
  class create NAME --prefix PREFIX --count N [--quota BYTES] [--slips FILE]
                                     N accounts PREFIX01@domain…, each with a new password
  class import NAME FILE.csv [--quota BYTES] [--slips FILE]
                                     one account per row: name,address
  class slips NAME [--slips FILE]    new passwords for every account of the class, to print
  class reset NAME --yes [--slips FILE]
                                     the end of term: every account's mail removed, new passwords
  class delete NAME                  the class and its accounts (their mail is kept aside)
  cert show | cert regenerate | cert import CERT.pem KEY.pem | cert ca   (prints the CA to give to clients)
  doctor [--reindex]                 check the data folder; --reindex rebuilds the index from the Maildir files
  export zone [NAME]                 the DNS zones in BIND master-file format (NAME: just that zone)
  export postfix|dovecot|bind DIR    the classic configuration of what LanPost runs now, written into DIR
  queue list                         mail waiting for other domains: recipients, attempts, next attempt, last answer
  queue retry ID | queue delete ID   try an entry again now | remove it without telling the sender
  backup [--out FILE]                a consistent archive of the data folder, also while serving (--out may name a folder)
  restore FILE --data NEWDIR [--force]
                                     into an empty folder (--force: replace what a non-empty one holds)
  import maildir PATH --user ADDRESS a Dovecot or Courier Maildir: folders, flags, keywords, dates
  import mbox FILE --user ADDRESS [--folder NAME]
                                     an mbox file (into INBOX unless --folder)
  import imap --host H [--port P] --user U [--into ADDRESS] [--tls implicit|starttls|none] [--insecure]
                                     every folder of an old server (password from stdin); a second run
                                     brings only what is new

The data folder is --data DIR, else $LANPOST_DATA, else ./lanpost-data.`;

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
        prefix: { type: 'string' },
        count: { type: 'string' },
        slips: { type: 'string' },
        yes: { type: 'boolean' },
        reindex: { type: 'boolean' },
        out: { type: 'string' },
        force: { type: 'boolean' },
        user: { type: 'string' },
        folder: { type: 'string' },
        host: { type: 'string' },
        port: { type: 'string' },
        into: { type: 'string' },
        tls: { type: 'string' },
        insecure: { type: 'boolean' },
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
    process.stdout.write(`lanpost ${lanpostVersion()}\n`);
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
      // serve and cert load the engine; the other commands start faster without it.
      case 'serve':
        return await (await import('./engine-process.js')).runEngineProcess(dataDir, { parent: false });
      case 'settings':
        return settingsCommand(dataDir, sub, rest);
      case 'user':
        return await withAccounts(dataDir, (accounts) => userCommand(accounts, sub, rest, values));
      case 'alias':
        return await withAccounts(dataDir, (accounts) => aliasCommand(accounts, sub, rest));
      case 'class':
        return await classCommand(dataDir, sub, rest, values);
      case 'cert':
        return (await import('./cli/cert.js')).certCommand(dataDir, sub, rest);
      case 'doctor':
        return await doctor(dataDir, !!values.reindex);
      case 'export':
        if (sub === 'zone') return exportZoneCommand(dataDir, rest);
        return await exportClassicCommand(dataDir, sub, rest);
      case 'queue':
        return queueCommand(dataDir, sub, rest);
      case 'backup':
        return await backupCommand(dataDir, positionals.slice(1), values.out);
      case 'import':
        // the IMAP client loads only for import
        return await (await import('./cli/import.js')).importCommand(dataDir, sub, rest, values);
      case 'restore':
        return await restoreCommand(dataDir, positionals.slice(1), !!values.force, values.data !== undefined);
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
    if (error instanceof ImportError) {
      process.stderr.write(`lanpost: import stopped: ${error.message}\n`);
      return 1;
    }
    if (error instanceof RestoreError) {
      process.stderr.write(`lanpost: restore refused: ${error.message}\n`);
      return 1;
    }
    process.stderr.write(`lanpost: ${(error as Error).stack ?? error}\n`);
    return 1;
  }
}

if (process.argv[1] && /cli\.(ts|js)$/.test(process.argv[1])) {
  main(process.argv.slice(2)).then((code) => process.exit(code));
}

// lanpost: the command line contract (see DESIGN.md). Exit codes: 0 done, 1 failed, 2 bad usage or value.
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { AccountError } from './accounts/accounts.js';
import { aliasCommand, userCommand, withAccounts } from './cli/accounts.js';
import { classCommand } from './cli/class.js';
import { doctor } from './cli/doctor.js';
import { settingsCommand } from './cli/settings.js';
import { UsageError } from './cli/usage-error.js';
import { queueCommand } from './delivery/outbound/queue-command.js';
import { exportZoneCommand } from './dns/export.js';
import { SettingsError } from './settings/schema.js';
import { CertificateError } from './tls/certificates.js';

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
  queue list                         mail waiting for other domains: recipients, attempts, next attempt, last answer
  queue retry ID | queue delete ID   try an entry again now | remove it without telling the sender

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

if (process.argv[1] && /cli\.(ts|js)$/.test(process.argv[1])) {
  main(process.argv.slice(2)).then((code) => process.exit(code));
}

// lanpost class list | create | import | slips | reset | delete: a class of student accounts in
// one step, on the database (also while the engine runs). Passwords are printed once (address,
// password, name per line) and, with --slips FILE, written as a page of slips to print.
import fs from 'node:fs';
import { Classes, type IssuedAccount } from '../accounts/classes.js';
import { loadSettings } from '../settings/file.js';
import { withAccounts } from './accounts.js';
import { one, quotaOption } from './arguments.js';
import { slipsPage } from './slips.js';
import { UsageError } from './usage-error.js';

export interface ClassOptions {
  prefix?: string;
  count?: string;
  quota?: string;
  slips?: string;
  yes?: boolean;
}

export function classCommand(dataDir: string, sub: string | undefined, args: string[], options: ClassOptions): Promise<number> {
  const { settings } = loadSettings(dataDir);
  return withAccounts(dataDir, async (accounts, { db, mailStore }) => {
    const classes = new Classes(db, accounts, mailStore, () => settings);
    const out = (line: string) => process.stdout.write(line + '\n');
    const issued = (name: string, list: IssuedAccount[], what: string) => {
      for (const account of list) out([account.address, account.password, account.displayName].filter(Boolean).join('\t'));
      if (options.slips) {
        fs.writeFileSync(options.slips, slipsPage(name, list, settings), { mode: 0o600 });
        process.stderr.write(`${what}; the slips to print are in ${options.slips}\n`);
      } else process.stderr.write(`${what}; the passwords above are shown only now (--slips FILE writes them as slips to print)\n`);
      return 0;
    };
    switch (sub) {
      case 'list':
        for (const entry of classes.list()) out(`${entry.name}\t${entry.members.length} accounts\tmade ${new Date(entry.createdAt).toISOString()}`);
        return 0;
      case 'create': {
        const name = one(args, 'class create takes NAME (with --prefix PREFIX --count N)');
        if (!options.prefix || !options.count) throw new UsageError('class create needs --prefix PREFIX and --count N');
        const count = Number(options.count);
        const made = await classes.create(name, { prefix: options.prefix, count, quotaBytes: quotaOption(options.quota) });
        return issued(name, made, `made class ${name}: ${made.length} accounts`);
      }
      case 'import': {
        const [name, file, ...extra] = args;
        if (!name || !file || extra.length) throw new UsageError('class import takes NAME FILE.csv');
        const made = await classes.importCsv(name, fs.readFileSync(file, 'utf8'), { quotaBytes: quotaOption(options.quota) });
        return issued(name, made, `made class ${name}: ${made.length} accounts from ${file}`);
      }
      case 'slips': {
        const name = one(args, 'class slips takes NAME');
        return issued(name, await classes.newPasswords(name), `new passwords for class ${name} (the old ones no longer work)`);
      }
      case 'reset': {
        const name = one(args, 'class reset takes NAME');
        if (!options.yes) throw new UsageError(`class reset removes the mail of every account of ${name} and gives them new passwords: add --yes`);
        const { accounts: list, messagesRemoved } = await classes.reset(name);
        return issued(name, list, `reset class ${name}: ${messagesRemoved} messages removed, new passwords`);
      }
      case 'delete': {
        const name = one(args, 'class delete takes NAME');
        const { deleted } = classes.delete(name);
        out(`deleted class ${name} and its ${deleted.length} accounts; their mail is kept in mail/<domain>/<name>.deleted-<time>/`);
        return 0;
      }
      default:
        throw new UsageError('class takes list, create, import, slips, reset or delete');
    }
  });
}

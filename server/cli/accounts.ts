// lanpost user add|passwd|list|del and alias add|list|del, on the database (also while the engine runs).
import { AccountError, Accounts } from '../accounts/accounts.js';
import { passwordProblem } from '../accounts/password.js';
import { loadSettings } from '../settings/file.js';
import { openDatabase, type Db } from '../store/db.js';
import { MailStore } from '../store/mailstore.js';
import { readSecret } from './secret.js';
import { one, quotaOption } from './arguments.js';
import { UsageError } from './usage-error.js';

export async function withAccounts(dataDir: string, run: (accounts: Accounts, store: { db: Db; mailStore: MailStore }) => Promise<number> | number): Promise<number> {
  const { settings } = loadSettings(dataDir);
  const db = openDatabase(dataDir);
  try {
    const mailStore = new MailStore(db, dataDir);
    return await run(new Accounts(db, dataDir, mailStore, () => settings), { db, mailStore });
  } finally {
    db.close();
  }
}

export async function userCommand(accounts: Accounts, sub: string | undefined, args: string[], values: { name?: string; quota?: string }): Promise<number> {
  const out = (line: string) => process.stdout.write(line + '\n');
  switch (sub) {
    case 'add': {
      const address = one(args, 'user add takes ADDRESS');
      const quotaBytes = quotaOption(values.quota);
      const password = await readPassword(`Password for ${accounts.normalize(address)}: `);
      const user = await accounts.addUser(address, password, { displayName: values.name, quotaBytes });
      out(`added ${user.address}`);
      return 0;
    }
    case 'passwd': {
      const address = one(args, 'user passwd takes ADDRESS');
      if (!accounts.findUser(address)) throw new AccountError(`no such user: ${accounts.normalize(address)}`, 'address');
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

export function aliasCommand(accounts: Accounts, sub: string | undefined, args: string[]): number {
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

/** From stdin when it is not a terminal (first line); else asked twice without echo. */
async function readPassword(prompt: string): Promise<string> {
  const first = await readSecret(prompt);
  const problem = passwordProblem(first);
  if (problem) throw new AccountError(`password ${problem}`, 'password');
  if (process.stdin.isTTY && (await readSecret('Again: ')) !== first) throw new AccountError('the two passwords differ', 'password');
  return first;
}

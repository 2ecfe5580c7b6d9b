// A class in one step: a teacher's student accounts made together (N accounts from a prefix, or
// one per row of a CSV of names and addresses), given new passwords for printed slips, reset at
// the end of term (mail removed, new passwords) and deleted together. Passwords are never kept:
// they are shown once, when made; printing slips again means new passwords.
import { parse } from 'csv-parse/sync';
import type { Db } from '../store/db.js';
import type { MailStore } from '../store/mailstore.js';
import type { Settings } from '../settings/schema.js';
import { AccountError, type Accounts, type NewUser, type User } from './accounts.js';
import { generatePassword } from './password.js';

export interface ClassInfo {
  name: string;
  createdAt: number;
  members: Array<{ address: string; displayName: string }>;
}

/** An account with the password it was just given: what a slip shows. */
export interface IssuedAccount {
  address: string;
  displayName: string;
  password: string;
}

/** Letters (any script), digits, spaces, dots, hyphens and underscores; not starting with a hyphen (a command-line option). */
const CLASS_NAME = /^[\p{L}\p{N}_][\p{L}\p{N} ._-]{0,39}$/u;
/** The start of the addresses of a generated class: student → student01@… */
const PREFIX = /^[a-z0-9][a-z0-9._-]{0,39}$/;
/** A CSV header's name for the address column (then the columns are found by name). */
const ADDRESS_HEADERS = new Set(['address', 'email', 'e-mail', 'mail', '地址', '邮箱', '邮件地址', '电子邮件']);
const NAME_HEADERS = new Set(['name', 'full name', 'student', '姓名', '名字', '学生']);

export class Classes {
  private readonly q;

  constructor(
    db: Db,
    private readonly accounts: Accounts,
    private readonly mailStore: MailStore,
    private readonly settings: () => Settings,
  ) {
    this.q = {
      classes: db.prepare('SELECT id, name, created_at FROM classes ORDER BY name'),
      byName: db.prepare<[string]>('SELECT id, name, created_at FROM classes WHERE name = ?'),
      insert: db.prepare<[string, number]>('INSERT INTO classes (name, created_at) VALUES (?, ?) RETURNING id'),
      addMember: db.prepare<[number, number]>('INSERT INTO class_members (class_id, user_id) VALUES (?, ?)'),
      members: db.prepare<[number]>('SELECT users.* FROM class_members JOIN users ON users.id = class_members.user_id WHERE class_id = ? ORDER BY users.id'),
      delete: db.prepare<[number]>('DELETE FROM classes WHERE id = ?'),
    };
  }

  list(): ClassInfo[] {
    return (this.q.classes.all() as ClassRow[]).map((row) => ({
      name: row.name,
      createdAt: row.created_at,
      members: this.membersOf(row).map((user) => ({ address: user.address, displayName: user.display_name })),
    }));
  }

  has(name: string): boolean {
    return this.q.byName.get(name.trim()) !== undefined;
  }

  /** `count` accounts prefix01@domain … (numbered with at least two digits), each with a new password. */
  async create(name: string, options: { prefix: string; count: number; quotaBytes?: number }): Promise<IssuedAccount[]> {
    const prefix = options.prefix.trim().toLowerCase();
    if (!PREFIX.test(prefix)) throw new AccountError('the prefix must be letters, digits, dots, hyphens or underscores (up to 40), such as student', 'prefix');
    this.checkCount(options.count);
    const digits = Math.max(2, String(options.count).length);
    const domain = this.settings().domain;
    const list = Array.from({ length: options.count }, (_, i) => ({ address: `${prefix}${String(i + 1).padStart(digits, '0')}@${domain}`, displayName: '' }));
    return this.make(name, list, options.quotaBytes);
  }

  /**
   * One account per row of `csv`: name, address (a bare name gets the origin domain). A first row
   * naming its columns (name/姓名, address/email/邮箱) is a header, and then the columns may come in
   * any order. Every row is checked before any account is made.
   */
  async importCsv(name: string, csv: string, options: { quotaBytes?: number } = {}): Promise<IssuedAccount[]> {
    let rows: Array<{ record: string[]; info: { lines: number } }>;
    try {
      rows = parse(csv, { bom: true, trim: true, skip_empty_lines: true, relax_column_count: true, info: true }) as unknown as typeof rows;
    } catch (error) {
      throw new AccountError(`the CSV cannot be read: ${(error as Error).message}`, 'csv');
    }
    let columns = { name: 0, address: 1 };
    const header = rows[0]?.record.map((cell) => cell.toLowerCase());
    if (header?.some((cell) => ADDRESS_HEADERS.has(cell))) {
      columns = { name: header.findIndex((cell) => NAME_HEADERS.has(cell)), address: header.findIndex((cell) => ADDRESS_HEADERS.has(cell)) };
      rows = rows.slice(1);
    }
    if (!rows.length) throw new AccountError('the CSV has no rows: one per student, name,address', 'csv');
    this.checkCount(rows.length);
    const list = rows.map(({ record, info }) => {
      // one column alone is the address
      const address = record.length === 1 ? record[0]! : (record[columns.address] ?? '');
      if (!address) throw new AccountError(`line ${info.lines}: no address (each row is name,address)`, 'csv');
      try {
        this.accounts.checkNewAddress(address);
      } catch (error) {
        throw new AccountError(`line ${info.lines}: ${(error as Error).message}`, 'csv');
      }
      return { address, displayName: record.length === 1 || columns.name < 0 ? '' : (record[columns.name] ?? '') };
    });
    return this.make(name, list, options.quotaBytes);
  }

  /** New passwords for every account of the class (for new slips): the old ones stop working. */
  async newPasswords(name: string): Promise<IssuedAccount[]> {
    const issued = this.membersOf(this.require(name)).map(issue);
    await this.accounts.setPasswords(issued);
    return issued;
  }

  /**
   * The end of term: every account's mail is removed (INBOX and the standard folders emptied, the
   * folders a student made deleted) and every account gets a new password; the accounts stay.
   */
  async reset(name: string): Promise<{ accounts: IssuedAccount[]; messagesRemoved: number }> {
    const members = this.membersOf(this.require(name));
    let messagesRemoved = 0;
    for (const user of members) messagesRemoved += this.emptyMailboxes(user);
    const issued = members.map(issue);
    await this.accounts.setPasswords(issued);
    return { accounts: issued, messagesRemoved };
  }

  /** Deletes the class and its accounts; their mail is kept aside as for any deleted user. */
  delete(name: string): { deleted: string[]; keptMailIn: string[] } {
    const row = this.require(name);
    const members = this.membersOf(row);
    const keptMailIn = members.map((user) => this.accounts.deleteUser(user.address).keptMailIn);
    this.q.delete.run(row.id);
    return { deleted: members.map((user) => user.address), keptMailIn };
  }

  private async make(name: string, list: Array<{ address: string; displayName: string }>, quotaBytes?: number): Promise<IssuedAccount[]> {
    const className = this.checkNewName(name);
    if (quotaBytes !== undefined && (!Number.isInteger(quotaBytes) || quotaBytes < 0)) throw new AccountError('quota must be a whole number of bytes, 0 for none', 'quotaBytes');
    const issued = list.map((entry) => ({ ...entry, password: generatePassword() }));
    const users = await this.accounts.addUsers(
      issued.map((entry): NewUser => ({ ...entry, quotaBytes })),
      (made) => {
        // a class of the same name made meanwhile fails the whole transaction (UNIQUE)
        const { id } = this.q.insert.get(className, Date.now()) as { id: number };
        for (const user of made) this.q.addMember.run(id, user.id);
      },
    );
    return users.map((user, i) => ({ address: user.address, displayName: user.display_name, password: issued[i]!.password }));
  }

  /** Removes a student's messages and own folders; returns how many messages went. */
  private emptyMailboxes(user: User): number {
    let removed = 0;
    // children before their parents
    const mailboxes = this.mailStore.listMailboxes(user.id).sort((a, b) => b.name.length - a.name.length);
    for (const mailbox of mailboxes) {
      if (mailbox.name === 'INBOX' || mailbox.special_use) {
        removed += this.mailStore.expunge(user, mailbox, this.mailStore.listMessages(mailbox.id)).length;
      } else {
        removed += mailbox.message_count;
        this.mailStore.deleteMailbox(user, mailbox);
        this.mailStore.unsubscribe(user.id, mailbox.name);
      }
    }
    this.mailStore.ensureUserMailboxes(user);
    return removed;
  }

  private checkNewName(input: string): string {
    const name = input.trim();
    if (!CLASS_NAME.test(name)) throw new AccountError('the class name must be 1 to 40 letters, digits, spaces, dots, hyphens or underscores, such as 7a or Class 2026', 'name');
    if (this.has(name)) throw new AccountError(`there is already a class ${name}`, 'name');
    return name;
  }

  private checkCount(count: number): void {
    const limit = this.settings().limits.accountsPerClass;
    if (!Number.isInteger(count) || count < 1 || count > limit) throw new AccountError(`a class has 1 to ${limit} accounts (limits.accountsPerClass)`, 'count');
  }

  private require(name: string): ClassRow {
    const row = this.q.byName.get(name.trim()) as ClassRow | undefined;
    if (!row) throw new AccountError(`no such class: ${name}`, 'name');
    return row;
  }

  private membersOf(row: ClassRow): User[] {
    return this.q.members.all(row.id) as User[];
  }
}

interface ClassRow {
  id: number;
  name: string;
  created_at: number;
}

function issue(user: User): IssuedAccount {
  return { address: user.address, displayName: user.display_name, password: generatePassword() };
}

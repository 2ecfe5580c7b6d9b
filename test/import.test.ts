// lanpost import maildir | mbox | imap: a Maildir made by a real Dovecot (doveadm: subfolders,
// flags, keywords), an mbox with "From " lines in its bodies, and every folder of a running Dovecot
// over IMAP; each a second time, which must bring in nothing twice.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Flags, MailStore } from '../server/store/mailstore.js';
import { openDatabase } from '../server/store/db.js';
import { startEngine } from '../server/engine.js';
import { LANPOST_BIN, runCli } from './helpers/cli.js';
import { startDovecot, type Dovecot } from './helpers/dovecot.js';
import { prepareDataDir, tempDataDir } from './helpers/engine.js';

const USER = 'alice@lanpost.lan';
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

async function freshDataDir(): Promise<string> {
  const dir = tempDataDir('lanpost-import-');
  dirs.push(dir);
  prepareDataDir(dir);
  const add = await runCli(['user', 'add', USER, '--data', dir], { input: 'alice password 1\n' });
  expect(add.code).toBe(0);
  return dir;
}

interface StoredMessage {
  flags: string[];
  content: string;
  internalDate: number;
  uid: number;
}

/** What the store holds for the user: mailbox name → messages in UID order. */
function storedMail(dataDir: string): Map<string, StoredMessage[]> {
  const db = openDatabase(dataDir);
  try {
    const store = new MailStore(db, dataDir);
    const user = db.prepare('SELECT id, maildir FROM users WHERE address = ?').get(USER) as { id: number; maildir: string };
    const result = new Map<string, StoredMessage[]>();
    for (const mailbox of store.listMailboxes(user.id)) {
      const files = store.files(user, mailbox);
      result.set(
        mailbox.name,
        store.listMessages(mailbox.id).map((row) => ({
          flags: [...Flags.of(row).list].sort(),
          content: files.readSync(row).toString('utf8'),
          internalDate: row.internal_date,
          uid: row.uid,
        })),
      );
    }
    return result;
  } finally {
    db.close();
  }
}

/** Dovecot's view of a user's mail: mailbox, flags, received date, body (doveadm fetch). */
async function dovecotMail(dovecot: Dovecot, user: string): Promise<Array<{ mailbox: string; flags: string[]; received: number; text: string }>> {
  const out = await dovecot.doveadm(['-f', 'json', 'fetch', '-u', user, 'mailbox flags date.received text', 'all']);
  return (JSON.parse(out) as Array<{ mailbox: string; flags: string; 'date.received': string; text: string }>).map((m) => ({
    mailbox: m.mailbox,
    flags: m.flags.split(' ').filter((f) => f && f !== '\\Recent').sort(),
    received: Date.parse(m['date.received'].replace(' ', 'T') + 'Z'),
    text: m.text,
  }));
}

function subjectOf(text: string): string {
  return /^Subject: .*$/m.exec(text)![0];
}

async function fillDovecot(dovecot: Dovecot, user: string): Promise<void> {
  await dovecot.doveadm(['mailbox', 'create', '-u', user, 'Work', 'Work/2024']);
  const save = (mailbox: string, subject: string, body: string) =>
    dovecot.doveadm(['save', '-u', user, '-m', mailbox], `From: old@example.org\nSubject: ${subject}\n\n${body}\n`);
  await save('INBOX', 'inbox one', 'the first');
  await save('INBOX', 'inbox two', 'the second\nFrom a line in the body');
  await save('Work/2024', 'work', 'the report');
  await save('Sent', 'sent one', 'what I sent');
  await dovecot.doveadm(['flags', 'add', '-u', user, '\\Seen $Label1 Important', 'mailbox', 'INBOX', 'header', 'Subject', 'inbox one']);
  await dovecot.doveadm(['flags', 'add', '-u', user, '\\Flagged \\Answered', 'mailbox', 'Work/2024', 'all']);
}

describe('import', () => {
  let dovecot: Dovecot;
  beforeAll(async () => {
    dovecot = await startDovecot({ carol: 'carol password 1' });
    await fillDovecot(dovecot, 'carol');
  });
  afterAll(() => dovecot?.stop());

  it('brings in a Maildir made by Dovecot: subfolders, flags, keywords, received dates; a second run brings nothing twice', async () => {
    const dataDir = await freshDataDir();
    const first = await runCli(['import', 'maildir', dovecot.maildir('carol'), '--user', USER, '--data', dataDir]);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/imported 4 messages .* into 4 folders of alice@lanpost\.lan/);
    const expected = await dovecotMail(dovecot, 'carol');
    const stored = storedMail(dataDir);
    expect(stored.get('Work')).toEqual([]);
    for (const message of expected) {
      const match = stored.get(message.mailbox)?.find((m) => m.content.includes(subjectOf(message.text)));
      expect(match, `${message.mailbox}: ${message.text}`).toBeDefined();
      expect(match!.flags).toEqual(message.flags);
      expect(Math.floor(match!.internalDate / 1000)).toBe(Math.floor(message.received / 1000));
      expect(match!.content).not.toMatch(/[^\r]\n/); // served with CRLF
    }
    expect(stored.get('INBOX')!.find((m) => m.content.includes('inbox one'))!.flags).toEqual(['$Label1', 'Important', '\\Seen']);

    const again = await runCli(['import', 'maildir', dovecot.maildir('carol'), '--user', USER, '--data', dataDir]);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/imported 0 messages .*; 4 were there from an earlier run/);
    expect([...storedMail(dataDir).values()].flat()).toHaveLength(4);
  }, 60_000);

  it('pulls every folder from a Dovecot over IMAP, resumes after the last message on a second run, and refuses a wrong password', async () => {
    const dataDir = await freshDataDir();
    const args = ['import', 'imap', '--host', '127.0.0.1', '--port', String(dovecot.port), '--tls', 'none', '--user', 'carol', '--into', USER, '--data', dataDir];
    const wrong = await runCli(args, { input: 'not the password\n' });
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/cannot log in to 127\.0\.0\.1:\d+ as carol/);

    const first = await runCli(args, { input: 'carol password 1\n' });
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/imported 4 messages/);
    const stored = storedMail(dataDir);
    expect(stored.get('Sent')!.map((m) => m.content)).toEqual([expect.stringContaining('what I sent')]);
    expect(stored.get('Work/2024')!.map((m) => m.flags)).toEqual([['\\Answered', '\\Flagged']]);
    expect(stored.get('INBOX')!.map((m) => m.flags)).toEqual([['$Label1', 'Important', '\\Seen'], []]);
    for (const message of await dovecotMail(dovecot, 'carol')) {
      const match = stored.get(message.mailbox)!.find((m) => m.content.includes(subjectOf(message.text)));
      expect(Math.floor(match!.internalDate / 1000)).toBe(Math.floor(message.received / 1000));
    }

    await dovecot.doveadm(['save', '-u', 'carol', '-m', 'Work/2024'], 'Subject: later\n\narrived after the first run\n');
    const second = await runCli(args, { input: 'carol password 1\n' });
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(/imported 1 messages .*; 4 were there from an earlier run/);
    const after = storedMail(dataDir);
    expect([...after.values()].flat()).toHaveLength(5);
    expect(after.get('Work/2024')!.map((m) => m.uid)).toEqual([1, 2]);
  }, 60_000);

  it('brings in an mbox with "From " lines in its bodies (quoted and not), flags from Status/X-Status/X-Keywords, dates from the From_ lines', async () => {
    const dataDir = await freshDataDir();
    const mbox = path.join(dataDir, '..', `${path.basename(dataDir)}.mbox`);
    dirs.push(mbox);
    fs.writeFileSync(
      mbox,
      [
        'From sender@example.org Mon Jan  8 10:00:00 2024',
        'From: sender@example.org',
        'Subject: one',
        'Status: RO',
        'X-Keywords: $Label2',
        '',
        'Hello',
        '>From the desk of the boss',
        '>>From quoted twice',
        '',
        'From here on, a line that starts with From but is no envelope',
        '',
        'From MAILER-DAEMON Tue Jan  9 11:30:05 2024',
        'Subject: two',
        'X-Status: AF',
        '',
        'second body',
        '',
      ].join('\n'),
    );
    const first = await runCli(['import', 'mbox', mbox, '--user', USER, '--folder', 'Archive/2024', '--data', dataDir]);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/imported 2 messages/);
    const messages = storedMail(dataDir).get('Archive/2024')!;
    expect(messages).toHaveLength(2);
    expect(messages[0]!.content).toBe(
      'From: sender@example.org\r\nSubject: one\r\nStatus: RO\r\nX-Keywords: $Label2\r\n\r\nHello\r\nFrom the desk of the boss\r\n>From quoted twice\r\n\r\nFrom here on, a line that starts with From but is no envelope\r\n',
    );
    expect(messages[0]!.flags).toEqual(['$Label2', '\\Seen']);
    expect(messages[0]!.internalDate).toBe(Date.UTC(2024, 0, 8, 10, 0, 0));
    expect(messages[1]!.content).toBe('Subject: two\r\nX-Status: AF\r\n\r\nsecond body\r\n');
    expect(messages[1]!.flags).toEqual(['\\Answered', '\\Flagged']);
    expect(messages[1]!.internalDate).toBe(Date.UTC(2024, 0, 9, 11, 30, 5));

    const again = await runCli(['import', 'mbox', mbox, '--user', USER, '--folder', 'Archive/2024', '--data', dataDir]);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/imported 0 messages/);
    expect(storedMail(dataDir).get('Archive/2024')).toHaveLength(2);
  }, 60_000);

  it('resumes an import killed with SIGKILL: every message once, also after the engine started in between', async () => {
    const dataDir = await freshDataDir();
    const mbox = path.join(dataDir, '..', `${path.basename(dataDir)}-big.mbox`);
    dirs.push(mbox);
    const count = 6000;
    const body = 'x'.repeat(2000);
    fs.writeFileSync(mbox, Array.from({ length: count }, (_, i) => `From a@example.org Mon Jan  8 10:00:00 2024\nSubject: big ${i}\n\n${body}\n`).join('\n'));
    const args = ['import', 'mbox', mbox, '--user', USER, '--data', dataDir];
    const child = spawn(process.execPath, [LANPOST_BIN, ...args], { stdio: 'ignore' });
    const exited = new Promise((resolve) => child.on('exit', resolve));
    const inbox = path.join(dataDir, 'mail', 'lanpost.lan', 'alice', 'Maildir', 'cur');
    for (let i = 0; i < 4000 && !(fs.existsSync(inbox) && fs.readdirSync(inbox).length > 500); i++) await new Promise((resolve) => setTimeout(resolve, 5));
    child.kill('SIGKILL');
    await exited;
    // an engine started now indexes the files of the batch cut short (as after any crash)
    const engine = await startEngine({ dataDir, print: null });
    await engine.stop();
    const again = await runCli(args, { timeoutMs: 120_000 });
    expect(again.stderr).toBe('');
    expect(again.code).toBe(0);
    const subjects = storedMail(dataDir).get('INBOX')!.map((m) => /Subject: (big \d+)/.exec(m.content)![1]);
    expect(subjects).toHaveLength(count);
    expect(new Set(subjects).size).toBe(count);
  }, 180_000);
});

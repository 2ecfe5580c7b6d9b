// lanpost backup while the engine delivers, lanpost restore into a new folder, and a backup killed
// with SIGKILL: real engines, the real CLI as a child process, imapflow and nodemailer as clients.
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { ImapFlow } from 'imapflow';
import nodemailer from 'nodemailer';
import { afterAll, describe, expect, it } from 'vitest';
import { createBackup } from '../server/backup/backup.js';
import { startEngine } from '../server/engine.js';
import { Flags } from '../server/store/mailstore.js';
import { LANPOST_BIN, runCli } from './helpers/cli.js';
import { startTestEngine, tempDataDir } from './helpers/engine.js';

const dirs: string[] = [];
function freshDir(prefix: string): string {
  const dir = tempDataDir(prefix);
  dirs.push(dir);
  return dir;
}
afterAll(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

const USER = 'alice@lanpost.lan';
const PASSWORD = 'alice password 1';

function imap(port: number): ImapFlow {
  return new ImapFlow({ host: '127.0.0.1', port, secure: false, auth: { user: USER, pass: PASSWORD }, logger: false, tls: { rejectUnauthorized: false } });
}

interface Seen {
  uidValidity: bigint;
  byUid: Map<number, { flags: string[]; source: Buffer; subject: string }>;
}

async function readInbox(port: number): Promise<Seen> {
  const client = imap(port);
  await client.connect();
  try {
    const mailbox = await client.mailboxOpen('INBOX');
    const byUid = new Map<number, { flags: string[]; source: Buffer; subject: string }>();
    if (mailbox.exists) {
      for await (const message of client.fetch('1:*', { uid: true, flags: true, source: true, envelope: true })) {
        byUid.set(message.uid, { flags: [...(message.flags ?? [])].sort(), source: message.source!, subject: message.envelope?.subject ?? '' });
      }
    }
    return { uidValidity: mailbox.uidValidity, byUid };
  } finally {
    await client.logout();
  }
}

describe('backup and restore', () => {
  it('backs up while 10 senders deliver; the restored folder serves every message acknowledged before, byte-equal, with its flags, UIDs and UIDVALIDITY', async () => {
    const test = await startTestEngine({ users: { [USER]: PASSWORD } });
    try {
      const smtpPort = test.port('smtp');
      const imapPort = test.port('imap');
      // flags and a keyword on a few messages first (file names change: new/ → cur/ with letters)
      const client = imap(imapPort);
      await client.connect();
      for (let i = 0; i < 6; i++) {
        await client.append('INBOX', `From: seed@example.org\r\nSubject: seed ${i}\r\n\r\nseed body ${i}\r\n`, i % 2 ? ['\\Seen', '$Label1'] : []);
      }
      await client.mailboxOpen('INBOX');
      await client.messageFlagsAdd('1:3', ['\\Flagged', '\\Answered']);

      const acknowledged: Array<{ subject: string; beforeBackup: boolean }> = [];
      let backupRunning = false;
      let backupDone = false;
      const senders = Array.from({ length: 10 }, async (_, sender) => {
        const transport = nodemailer.createTransport({ host: '127.0.0.1', port: smtpPort, secure: false, ignoreTLS: true });
        try {
          for (let n = 0; n < 200 && !backupDone; n++) {
            const subject = `load ${sender}-${n}`;
            const startedBeforeBackup = !backupRunning;
            await transport.sendMail({ from: 'load@example.org', to: USER, subject, text: `${subject}\n${crypto.randomBytes(2000).toString('base64')}\n` });
            acknowledged.push({ subject, beforeBackup: startedBeforeBackup && !backupRunning });
          }
        } finally {
          transport.close();
        }
      });
      // some load first, then the backup while the senders go on
      for (let i = 0; i < 2000 && acknowledged.length < 100; i++) await new Promise((resolve) => setTimeout(resolve, 10));
      const out = path.join(freshDir('lanpost-backup-out-'), 'office.tar');
      backupRunning = true;
      const backup = runCli(['backup', '--data', test.dataDir, '--out', out], { timeoutMs: 120_000 });
      // a flag change during the backup renames a file the snapshot may know by its old name
      await client.messageFlagsAdd('4:6', ['\\Deleted']);
      const result = await backup;
      backupDone = true;
      await Promise.all(senders);
      await client.logout();
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(/backup written to .*office\.tar: 2 users, 12 mailboxes, \d+ messages/);
      expect(fs.existsSync(`${out}.partial`)).toBe(false);
      const before = acknowledged.filter((a) => a.beforeBackup).map((a) => a.subject);
      expect(before.length).toBeGreaterThanOrEqual(100);
      expect(acknowledged.some((a) => !a.beforeBackup)).toBe(true); // deliveries went on

      const original = await readInbox(imapPort);
      const target = freshDir('lanpost-restored-');
      fs.rmSync(target, { recursive: true });
      const restore = await runCli(['restore', out, '--data', target], { timeoutMs: 120_000 });
      expect(restore.stderr).toBe('');
      expect(restore.code).toBe(0);
      expect(restore.stdout).toContain('every checksum matches');

      const restoredEngine = await startEngine({ dataDir: target, print: null });
      try {
        const imapStatus = restoredEngine.status('imap');
        const restored = await readInbox(imapStatus.port);
        expect(restored.uidValidity).toBe(original.uidValidity);
        const restoredBySubject = new Map([...restored.byUid].map(([uid, m]) => [m.subject, { uid, ...m }]));
        const originalBySubject = new Map([...original.byUid].map(([uid, m]) => [m.subject, { uid, ...m }]));
        for (const subject of [...before, 'seed 0', 'seed 1', 'seed 2']) {
          const was = originalBySubject.get(subject)!;
          const now = restoredBySubject.get(subject);
          expect(now, subject).toBeDefined();
          expect(now!.uid).toBe(was.uid);
          expect(now!.source.equals(was.source), subject).toBe(true);
          expect(now!.flags).toEqual(was.flags);
        }
        expect(restoredBySubject.get('seed 0')!.flags).toEqual(['\\Answered', '\\Flagged']);
        expect(restoredBySubject.get('seed 1')!.flags).toEqual(['$Label1', '\\Answered', '\\Flagged', '\\Seen']);
        // the file renamed during the backup is there, with the flags of one moment or the other
        for (const subject of ['seed 3', 'seed 4', 'seed 5']) expect(restoredBySubject.get(subject), subject).toBeDefined();
        // no message appears that the original never had
        for (const [subject, message] of restoredBySubject) expect(originalBySubject.get(subject)?.uid, subject).toBe(message.uid);
      } finally {
        await restoredEngine.stop();
      }
    } finally {
      await test.stop();
    }
  }, 240_000);

  it('takes each file the snapshot knows: renamed by a flag change or MOVEd meanwhile under its old name, expunged ones forgotten', async () => {
    const test = await startTestEngine({ users: { [USER]: PASSWORD } });
    const target = path.join(freshDir('lanpost-r-'), 'restored');
    const out = path.join(freshDir('lanpost-backup-out-'), 'moving.tar');
    try {
      const { mailStore, accounts } = test.engine.context;
      const user = accounts.findUser(USER)!;
      const inbox = mailStore.getMailbox(user.id, 'INBOX')!;
      const archive = mailStore.getMailbox(user.id, 'Archive')!;
      for (let i = 0; i < 5; i++) await mailStore.appendMessage(user, inbox, Buffer.from(`Subject: m${i}\r\n\r\nbody ${i}\r\n`), { inNew: true });
      const [, , flagged, moved, expunged] = mailStore.listMessages(inbox.id);
      // after the snapshot and the first message: a rename (new/ → cur/), a MOVE and an EXPUNGE
      const result = await createBackup(test.dataDir, test.engine.context.db, out, {
        onProgress: async (done) => {
          if (done !== 0) return;
          mailStore.setFlags(user, inbox, [{ message: flagged!, flags: Flags.from(['\\Seen']) }]);
          await mailStore.moveMessages(user, inbox, archive, [moved!]);
          mailStore.expunge(user, inbox, [expunged!]);
        },
      });
      expect(result.goneMeanwhile).toBe(1);
      expect(result.counts.messages).toBe(4);
    } finally {
      await test.stop();
    }
    expect((await runCli(['restore', out, '--data', target])).code).toBe(0);
    const restored = await startEngine({ dataDir: target, print: null });
    try {
      const seen = await readInbox(restored.status('imap').port);
      expect([...seen.byUid.values()].map((m) => m.subject)).toEqual(['m0', 'm1', 'm2', 'm3']);
      for (const message of seen.byUid.values()) expect(message.source.toString()).toContain(`body ${message.subject.slice(1)}`);
      expect(seen.byUid.get(3)!.flags.filter((f) => f !== '\\Recent')).toEqual([]); // the flags of the snapshot's moment
    } finally {
      await restored.stop();
    }
  }, 60_000);

  it('refuses a folder that is not empty unless --force, and an archive whose content does not match its manifest', async () => {
    const test = await startTestEngine({ users: { [USER]: PASSWORD } });
    const out = path.join(freshDir('lanpost-backup-out-'), 'small.tar');
    try {
      const client = imap(test.port('imap'));
      await client.connect();
      await client.append('INBOX', 'Subject: one\r\n\r\nthe original body\r\n');
      await client.logout();
      expect((await runCli(['backup', '--data', test.dataDir, '--out', out])).code).toBe(0);
    } finally {
      await test.stop();
    }
    const busy = freshDir('lanpost-busy-');
    fs.writeFileSync(path.join(busy, 'keep.txt'), 'mine');
    const refused = await runCli(['restore', out, '--data', busy]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('is not empty');
    expect(fs.readdirSync(busy)).toEqual(['keep.txt']);
    const forced = await runCli(['restore', out, '--data', busy, '--force']);
    expect(forced.code).toBe(0);
    expect(fs.readdirSync(busy).sort()).toEqual(expect.arrayContaining(['keep.txt', 'lanpost.db', 'mail', 'settings.json', 'tls', 'dkim']));

    // one byte of the message changed in the archive (same length, so tar still reads it)
    const archive = fs.readFileSync(out);
    const at = archive.indexOf('the original body');
    archive[at] = 'T'.charCodeAt(0);
    const tampered = `${out}.tampered.tar`;
    fs.writeFileSync(tampered, archive);
    const damaged = await runCli(['restore', tampered, '--data', path.join(freshDir('lanpost-t-'), 'new')]);
    expect(damaged.code).toBe(1);
    expect(damaged.stderr).toMatch(/differ from their checksum/);
  }, 60_000);

  it('a backup killed with SIGKILL leaves the data folder as it was and no archive that restore accepts', async () => {
    const test = await startTestEngine({ users: { [USER]: PASSWORD } });
    const { mailStore, accounts } = test.engine.context;
    const user = accounts.findUser(USER)!;
    const inbox = mailStore.getMailbox(user.id, 'INBOX')!;
    const body = crypto.randomBytes(48 * 1024).toString('base64');
    for (let batch = 0; batch < 20; batch++) {
      await Promise.all(
        Array.from({ length: 100 }, (_, i) => mailStore.appendMessage(user, inbox, Buffer.from(`Subject: bulk ${batch}-${i}\r\n\r\n${body}\r\n`))),
      );
    }
    const dataDir = test.dataDir;
    await test.engine.stop();
    const fingerprint = () => folderFingerprint(dataDir);
    const before = fingerprint();
    const out = path.join(freshDir('lanpost-backup-out-'), 'killed.tar');
    const child = spawn(process.execPath, [LANPOST_BIN, 'backup', '--data', dataDir, '--out', out], { stdio: 'ignore' });
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
    // kill it once the archive is well under way (bounded wait)
    for (let i = 0; i < 3000; i++) {
      if (fs.existsSync(`${out}.partial`) && fs.statSync(`${out}.partial`).size > 8 * 1024 * 1024) break;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');
    try {
      expect(fs.existsSync(out)).toBe(false);
      expect(fs.existsSync(`${out}.partial`)).toBe(true);
      expect(fingerprint()).toEqual(before);
      for (const candidate of [out, `${out}.partial`]) {
        const restore = await runCli(['restore', candidate, '--data', path.join(freshDir('lanpost-k-'), 'new')]);
        expect(restore.code, candidate).toBe(1);
      }
      const cut = await runCli(['restore', `${out}.partial`, '--data', path.join(freshDir('lanpost-k-'), 'new')]);
      expect(cut.stderr).toMatch(/cut short|cannot be read/);
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  }, 120_000);
});

/** sha256 of every file of a data folder by path; SQLite's -wal/-shm side files only when they hold something. */
function folderFingerprint(root: string): Record<string, string> {
  const result: Record<string, string> = {};
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const file = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(file);
      else if (!/lanpost\.db-(wal|shm)$/.test(entry.name) || (entry.name.endsWith('-wal') && fs.statSync(file).size > 0)) {
        result[path.relative(root, file)] = crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');
      }
    }
  };
  walk(root);
  return result;
}

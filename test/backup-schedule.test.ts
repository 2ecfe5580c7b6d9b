// The engine's own backups: the admin API's GET/POST /api/backup (answers checked against the
// contract), a scheduled backup started by the engine at its time of day (the clock handed to the
// schedule is set just before it), the oldest archives beyond settings.backup.keep removed, and a
// failure with its reason: a folder that is not there, and a disk too full for the archive (a real
// 1 MB tmpfs, where mounting is allowed).
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { api } from './helpers/admin.js';
import { startTestEngine, tempDataDir } from './helpers/engine.js';
import { mountTmpfs, unmount } from './helpers/tmpfs.js';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

async function until<T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  for (let i = 0; i < 400; i++) {
    const value = await read();
    if (done(value)) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('gave up waiting');
}

describe('scheduled backups', () => {
  it('backs up now from the API, one at a time, and reports a missing folder', async () => {
    const test = await startTestEngine();
    try {
      const before = await api(test, '/api/backup');
      expect(before.body).toMatchObject({ running: false, last: null, nextAt: null, folder: path.join(test.dataDir, 'backups') });
      const started = await api(test, '/api/backup', { method: 'POST' });
      expect(started.body).toEqual({ running: true });
      const done = await until(() => api(test, '/api/backup'), (a) => !a.body.running);
      expect(done.body.last).toMatchObject({ ok: true, messages: 0 });
      expect(fs.existsSync(done.body.last.file)).toBe(true);
      // one at a time (asked in the same turn, so the first cannot be done yet)
      const first = test.engine.context.backups.runNow();
      expect(() => test.engine.context.backups.runNow()).toThrow('a backup is running already');
      await first;

      const missing = path.join(test.dataDir, 'unplugged-disk');
      const patched = await api(test, '/api/settings', { method: 'PATCH', body: { changes: [{ key: 'backup.folder', value: missing }] } });
      expect(patched.status).toBe(200);
      await api(test, '/api/backup', { method: 'POST' });
      const failed = await until(() => api(test, '/api/backup'), (a) => !a.body.running);
      expect(failed.body.last).toMatchObject({ ok: false, error: `the folder ${missing} does not exist` });
      expect(fs.existsSync(missing)).toBe(false);

      const bad = await api(test, '/api/settings', { method: 'PATCH', body: { changes: [{ key: 'backup.timeOfDay', value: '25:00' }] } });
      expect(bad.status).toBe(400);
      expect(bad.body.problems).toEqual([{ field: 'backup.timeOfDay', reason: 'must be a time of day such as 03:00' }]);
    } finally {
      await test.stop();
    }
  }, 60_000);

  // 1 MB: too small for the archive; 2 MB: room for the database's snapshot and what the check
  // before expects, not for the archive of many small messages
  const tinyDisk = tempDataDir('lanpost-backup-full-');
  const smallDisk = tempDataDir('lanpost-backup-full-');
  const cannotMount = mountTmpfs(tinyDisk, '1m') ?? mountTmpfs(smallDisk, '2m');
  afterAll(() => {
    for (const disk of [tinyDisk, smallDisk]) {
      if (fs.statSync(disk).dev !== fs.statSync(path.dirname(disk)).dev) unmount(disk);
      fs.rmSync(disk, { recursive: true, force: true });
    }
  });

  it.skipIf(cannotMount)(`says "disk full" when the archive cannot fit, in the API and the log, and leaves no archive there${cannotMount ? ` (skipped: ${cannotMount})` : ''}`, async () => {
    const test = await startTestEngine({ users: { 'ann@lanpost.lan': 'ann-password-1' } });
    try {
      const ann = test.engine.context.accounts.findUser('ann@lanpost.lan')!;
      const inbox = test.engine.context.mailStore.getMailbox(ann.id, 'INBOX')!;
      const body = 'x'.repeat(76) + '\r\n';
      for (let i = 0; i < 4; i++) await test.engine.context.mailStore.appendMessage(ann, inbox, Buffer.from(`Subject: big ${i}\r\n\r\n${body.repeat(6000)}`));
      await api(test, '/api/settings', { method: 'PATCH', body: { changes: [{ key: 'backup.folder', value: tinyDisk }] } });
      await api(test, '/api/backup', { method: 'POST' });
      const failed = await until(() => api(test, '/api/backup'), (a) => !a.body.running);
      expect(failed.body.last).toMatchObject({ ok: false, error: expect.stringMatching(/^disk full/) });
      expect(fs.readdirSync(tinyDisk)).toEqual([]);
      expect(test.engine.context.log.recent().some((e) => e.source === 'backup' && e.message.includes('disk full'))).toBe(true);
    } finally {
      await test.stop();
    }
  }, 60_000);

  it.skipIf(cannotMount)(`says "disk full" when the disk fills while the archive is written, and removes the half archive${cannotMount ? ` (skipped: ${cannotMount})` : ''}`, async () => {
    const test = await startTestEngine({ users: { 'ann@lanpost.lan': 'ann-password-1' } });
    try {
      const ann = test.engine.context.accounts.findUser('ann@lanpost.lan')!;
      const inbox = test.engine.context.mailStore.getMailbox(ann.id, 'INBOX')!;
      // many small messages: the check before (their sizes and the database's) passes, but each takes
      // a 512-byte header and a padded block in the archive, and the disk fills while writing
      const small = Array.from({ length: 1500 }, (_, i) => ({ content: Buffer.from(`Subject: ${i}\r\n\r\nhi\r\n`) }));
      await test.engine.context.mailStore.appendMessages(ann, inbox, small);
      await api(test, '/api/settings', { method: 'PATCH', body: { changes: [{ key: 'backup.folder', value: smallDisk }] } });
      await api(test, '/api/backup', { method: 'POST' });
      const failed = await until(() => api(test, '/api/backup'), (a) => !a.body.running);
      expect(failed.body.last).toMatchObject({ ok: false, error: expect.stringMatching(/^disk full while writing into /) });
      expect(fs.readdirSync(smallDisk)).toEqual([]);
    } finally {
      await test.stop();
    }
  }, 120_000);

  it('starts a backup at its time of day and keeps the newest settings.backup.keep archives', async () => {
    const folder = tempDataDir('lanpost-backups-');
    dirs.push(folder);
    const old = ['lanpost-backup-20200101-030000.tar', 'lanpost-backup-20200102-030000.tar', 'lanpost-backup-20200103-030000.tar'];
    for (const name of old) fs.writeFileSync(path.join(folder, name), 'an older backup');
    fs.writeFileSync(path.join(folder, 'notes.txt'), 'not a backup: left alone');
    const test = await startTestEngine({
      change: (settings) => void (settings.backup = { enabled: true, timeOfDay: '03:00', folder, keep: 2 }),
    });
    try {
      const { backups } = test.engine.context;
      const status = backups.status();
      expect(status.nextAt).not.toBeNull();
      expect(new Date(status.nextAt!).getHours()).toBe(3);
      // the schedule is told it is a moment before 03:00
      backups.schedule(new Date(status.nextAt! - 20));
      const done = await until(async () => backups.status(), (s) => s.last?.ok === true);
      expect(path.dirname(done.last!.file)).toBe(folder);
      expect(fs.readdirSync(folder).sort()).toEqual([old[2], path.basename(done.last!.file), 'notes.txt'].sort());
      expect(backups.status().nextAt).toBeGreaterThan(status.nextAt!);
      expect(test.engine.context.log.recent().some((e) => e.source === 'backup' && e.message.includes('removed the older'))).toBe(true);
    } finally {
      await test.stop();
    }
  }, 60_000);
});

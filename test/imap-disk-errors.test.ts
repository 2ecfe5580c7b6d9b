// IMAP when the disk fails: a full file system answers NO [OVERQUOTA] (ENOSPC, with a real small
// tmpfs, which needs root: skipped with the reason otherwise), any other I/O error NO [SERVERBUG]
// with a time stamp and no server path or errno (provoked by a file where a folder should be,
// which works for any user); the detail goes to the server log; a failed CREATE leaves nothing.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { directorySync } from '../server/store/fsync.js';
import { startTestEngine, tempDataDir, type TestEngine } from './helpers/engine.js';
import { RawImap } from './imap-helpers.js';

const USER = 'bob@lanpost.lan';
const PASSWORD = 'correct horse battery';
const SERVERBUG = /^\[SERVERBUG\] Internal error occurred\. Refer to server log for more information\. \[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC\]$/;

function message(subject: string, bodyBytes = 100): string {
  return `From: a@example.org\r\nSubject: ${subject}\r\n\r\n${'x'.repeat(bodyBytes)}\r\n`;
}

async function append(client: RawImap, mailbox: string, content: string) {
  client.write(`ap APPEND ${mailbox} {${content.length}+}\r\n${content}\r\n`);
  return client.until('ap');
}

function userMaildir(test: TestEngine): string {
  return path.join(test.dataDir, test.engine.context.accounts.findUser(USER)!.maildir);
}

/** What the server log says about the last failures (where the detail belongs). */
function logText(test: TestEngine): string {
  return test.engine.context.log
    .recent()
    .map((e) => e.message)
    .join('\n');
}

/** Whether this machine lets the tests mount a tmpfs (root on Linux, not in every container). */
function tmpfsMountable(): string | null {
  if (process.platform !== 'linux') return 'tmpfs needs Linux';
  if (process.getuid?.() !== 0) return 'mounting a tmpfs needs root';
  const probe = tempDataDir('lanpost-mount-probe-');
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', probe], { stdio: 'pipe' });
    execFileSync('umount', [probe], { stdio: 'pipe' });
    return null;
  } catch (error) {
    return `mount -t tmpfs is not permitted here (${String((error as { stderr?: Buffer }).stderr ?? error).trim()})`;
  } finally {
    fs.rmSync(probe, { recursive: true, force: true });
  }
}

describe('IMAP on an I/O error', () => {
  let test: TestEngine;
  let c: RawImap;
  beforeAll(async () => {
    test = await startTestEngine({ users: { [USER]: PASSWORD } });
    c = await RawImap.loggedIn(test.port('imap'), USER, PASSWORD);
  });
  afterAll(async () => {
    c.close();
    await test.stop();
  });

  it('APPEND, COPY and MOVE answer NO [SERVERBUG] with a time stamp and no path or errno; the log has the detail', async () => {
    expect((await c.command('CREATE Broken')).status).toBe('OK');
    expect((await append(c, 'INBOX', message('to copy'))).status).toBe('OK');
    // the folder's tmp/ and cur/ are files: every write into it fails with ENOTDIR
    const folder = path.join(userMaildir(test), '.Broken');
    for (const sub of ['tmp', 'cur']) {
      fs.rmSync(path.join(folder, sub), { recursive: true });
      fs.writeFileSync(path.join(folder, sub), '');
    }
    const replies = [await append(c, 'Broken', message('never stored'))];
    await c.command('SELECT INBOX');
    replies.push(await c.command('COPY 1 Broken'), await c.command('MOVE 1 Broken'));
    for (const reply of replies) {
      expect(reply.status).toBe('NO');
      expect(reply.text).toMatch(SERVERBUG);
      expect(reply.raw).not.toContain(test.dataDir);
      expect(reply.raw).not.toContain(folder);
      expect(reply.raw).not.toMatch(/ENOTDIR|EEXIST/);
    }
    expect((await c.command('STATUS INBOX (MESSAGES)')).lines[0]).toBe('* STATUS INBOX (MESSAGES 1)');
    const log = logText(test);
    expect(log).toMatch(/APPEND failed: .*ENOTDIR/);
    expect(log).toMatch(/COPY failed: .*ENOTDIR/);
    expect(log).toContain(folder);
    await c.command('UNSELECT');
  });

  it('a CREATE that fails half-way leaves no parent behind', async () => {
    // where Half/Way would go there is a file: Half is made, Half/Way fails
    fs.writeFileSync(path.join(userMaildir(test), '.Half.Way'), '');
    const reply = await c.command('CREATE Half/Way/Down');
    expect(reply.status).toBe('NO');
    expect(reply.text).toMatch(SERVERBUG);
    expect((await c.command('LIST "" "Half*"')).lines).toEqual([]);
    expect(fs.existsSync(path.join(userMaildir(test), '.Half'))).toBe(false);
    expect(logText(test)).toMatch(/CREATE failed: .*(ENOTDIR|EEXIST)/);
  });
});

const cannotMount = tmpfsMountable();

describe.skipIf(cannotMount !== null)(`IMAP on a full file system (a small tmpfs)${cannotMount ? ` — skipped: ${cannotMount}` : ''}`, () => {
  const dataDir = tempDataDir();
  const mailDir = path.join(dataDir, 'mail');
  let test: TestEngine;
  let c: RawImap;
  beforeAll(async () => {
    // every Maildir of the engine on a 1 MB tmpfs with 200 inodes
    fs.mkdirSync(mailDir);
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m,nr_inodes=200', 'tmpfs', mailDir]);
    test = await startTestEngine({ dataDir });
    await test.addUser(USER, PASSWORD);
    c = await RawImap.loggedIn(test.port('imap'), USER, PASSWORD);
  });
  afterAll(async () => {
    c?.close();
    await test?.engine.stop();
    // the folders' fsync descriptors stay open a moment after use: let go of them first
    directorySync.forget(mailDir);
    for (let attempt = 0; ; attempt++) {
      try {
        execFileSync('umount', [mailDir], { stdio: 'pipe' });
        break;
      } catch (error) {
        if (attempt === 20) throw error;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  const FULL = '[OVERQUOTA] Not enough disk space';

  it('APPEND of more than the free space answers NO [OVERQUOTA] and leaves no temporary file', async () => {
    expect((await append(c, 'INBOX', message('fits', 100 * 1024))).status).toBe('OK');
    const reply = await append(c, 'INBOX', message('too big', 2 * 1024 * 1024));
    expect(reply.status).toBe('NO');
    expect(reply.text).toBe(FULL);
    expect(fs.readdirSync(path.join(userMaildir(test), 'tmp'))).toEqual([]);
    expect(logText(test)).toMatch(/APPEND failed: .*ENOSPC/);
  });

  it('with no inode left, CREATE, COPY, MOVE, APPEND and RENAME INBOX answer NO [OVERQUOTA] and change nothing', async () => {
    const filler = path.join(mailDir, 'filler');
    fs.mkdirSync(filler);
    try {
      for (let i = 0; ; i++) fs.writeFileSync(path.join(filler, String(i)), '');
    } catch (error) {
      expect((error as NodeJS.ErrnoException).code).toBe('ENOSPC');
    }
    const before = fs.readdirSync(userMaildir(test)).sort();
    const create = await c.command('CREATE Fresh/Child');
    expect(create.text).toBe(FULL);
    expect((await c.command('LIST "" "Fresh*"')).lines).toEqual([]);
    await c.command('SELECT INBOX');
    expect((await c.command('COPY 1 Archive')).text).toBe(FULL);
    expect((await c.command('MOVE 1 Archive')).text).toBe(FULL);
    expect((await append(c, 'INBOX', message('small'))).text).toBe(FULL);
    await c.command('UNSELECT');
    expect((await c.command('RENAME INBOX Old')).text).toBe(FULL);
    expect((await c.command('LIST "" "Old"')).lines).toEqual([]);
    expect((await c.command('STATUS INBOX (MESSAGES)')).lines[0]).toBe('* STATUS INBOX (MESSAGES 1)');
    expect((await c.command('STATUS Archive (MESSAGES)')).lines[0]).toBe('* STATUS Archive (MESSAGES 0)');
    expect(fs.readdirSync(userMaildir(test)).sort()).toEqual(before);
    // space again: the same commands work
    fs.rmSync(filler, { recursive: true });
    expect((await c.command('CREATE Fresh/Child')).status).toBe('OK');
    expect((await append(c, 'INBOX', message('small'))).status).toBe('OK');
  });
});

// Directory fsyncs keep the directory open while syncs keep coming; a folder that is removed or
// renamed must not stay synced through the descriptor of the old one. Open descriptors are read
// from /proc (Linux), where a removed directory shows as "path (deleted)".
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { directorySync } from '../server/store/fsync.js';
import { startTestEngine, tempDataDir } from './helpers/engine.js';
import { waitFor } from './helpers/smtp-sink.js';

const root = tempDataDir('lanpost-fsync-');
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

/** The targets of this process's open descriptors that are `dir` or `dir (deleted)`. */
function openDescriptorsOf(dir: string): string[] {
  const targets: string[] = [];
  for (const fd of fs.readdirSync('/proc/self/fd')) {
    try {
      const target = fs.readlinkSync(`/proc/self/fd/${fd}`);
      if (target === dir || target === `${dir} (deleted)`) targets.push(target);
    } catch {
      // closed meanwhile (the readdir's own descriptor)
    }
  }
  return targets;
}

describe.runIf(process.platform === 'linux')('directory fsync', () => {
  it('keeps one descriptor for many syncs, and closes it once the syncs stop', async () => {
    const dir = path.join(root, 'busy');
    fs.mkdirSync(dir);
    await Promise.all(Array.from({ length: 20 }, () => directorySync.sync(dir)));
    await directorySync.sync(dir);
    expect(openDescriptorsOf(dir)).toEqual([dir]);
    await waitFor(() => openDescriptorsOf(dir).length === 0, 'the idle directory to be closed', 10_000);
  });

  it('lets go of a folder that is removed, so that the next one made under that name is the one synced', async () => {
    const dir = path.join(root, 'folder');
    fs.mkdirSync(dir);
    await directorySync.sync(path.join(dir));
    directorySync.forget(dir);
    fs.rmSync(dir, { recursive: true });
    fs.mkdirSync(dir);
    await directorySync.sync(dir);
    expect(openDescriptorsOf(dir)).toEqual([dir]);
  });

  it('through the mail store: after IMAP DELETE or RENAME, mail into a new folder of the old name syncs that folder', async () => {
    const test = await startTestEngine();
    try {
      const store = test.engine.context.mailStore;
      const user = test.engine.context.accounts.findUser((await test.addUser('fsync@lanpost.lan')).address)!;
      store.ensureUserMailboxes(user);
      const append = async () => {
        const mailbox = store.getMailbox(user.id, 'Projects') ?? store.createMailbox(user, 'Projects');
        await store.appendMessage(user, mailbox, Buffer.from('Subject: x\r\n\r\nbody\r\n'));
        return path.join(store.folderPath(user, mailbox), 'cur');
      };
      const cur = await append();
      expect(openDescriptorsOf(cur)).toEqual([cur]);
      store.deleteMailbox(user, store.getMailbox(user.id, 'Projects')!);
      expect(await append()).toBe(cur);
      expect(openDescriptorsOf(cur)).toEqual([cur]);
      // RENAME: the old descriptor follows the folder to its new name; the next Projects is new
      await store.renameMailbox(user, store.getMailbox(user.id, 'Projects')!, 'Archive/Projects');
      expect(await append()).toBe(cur);
      expect(openDescriptorsOf(cur)).toEqual([cur]);
    } finally {
      await test.stop();
    }
  });
});

// Quotas and STATUS without reading every message (migration 5): each mailbox keeps its message
// count, bytes and unseen count, moved by triggers on the index. Whatever changes the index —
// delivery, APPEND, COPY, MOVE, EXPUNGE, flag changes, DELETE of a mailbox, files removed by
// hand — the counters match the rows, and a database from before the migration gets them filled in.
import fs from 'node:fs';
import path from 'node:path';
import { ImapFlow } from 'imapflow';
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEngine, type Engine } from '../server/engine.js';
import { openDatabase, type Db } from '../server/store/db.js';
import { startTestEngine, type TestEngine } from './helpers/engine.js';
import { undoMigrationsAfter6 } from './helpers/old-database.js';

const USER = 'uma@lanpost.lan';
const PASSWORD = 'uma password 1';
let test: TestEngine;

beforeAll(async () => {
  test = await startTestEngine({ users: { [USER]: PASSWORD } });
});

afterAll(async () => {
  await test?.stop();
});

/** Messages without \Seen, counted from the rows of a mailbox `b` joined with its messages `m`. */
const UNSEEN = "COALESCE(SUM(m.id IS NOT NULL AND instr(' ' || lower(m.flags) || ' ', ' \\seen ') = 0), 0)";

/** Every mailbox whose counters differ from its rows, and the user's bytes summed from the rows. */
function drift(db: Db): { mismatched: unknown[]; summed: number; userId: number } {
  const mismatched = db
    .prepare(
      `SELECT b.name, b.message_count, b.message_bytes, b.unseen_count, COUNT(m.id) AS rows, COALESCE(SUM(m.size), 0) AS bytes, ${UNSEEN} AS unseen
       FROM mailboxes b LEFT JOIN messages m ON m.mailbox_id = b.id GROUP BY b.id
       HAVING b.message_count != COUNT(m.id) OR b.message_bytes != COALESCE(SUM(m.size), 0) OR b.unseen_count != ${UNSEEN}`,
    )
    .all();
  const userId = (db.prepare('SELECT id FROM users WHERE address = ?').get(USER) as { id: number }).id;
  const summed = (
    db.prepare('SELECT COALESCE(SUM(m.size), 0) AS bytes FROM messages m JOIN mailboxes b ON b.id = m.mailbox_id WHERE b.user_id = ?').get(userId) as { bytes: number }
  ).bytes;
  return { mismatched, summed, userId };
}

function expectInLine(engine: Engine): number {
  const found = drift(engine.context.db);
  expect(found.mismatched).toEqual([]);
  const usage = engine.context.mailStore.usageBytes(found.userId);
  expect(usage).toBe(found.summed);
  return usage;
}

describe('mailbox counters', () => {
  it('follow delivery, APPEND, COPY, MOVE, EXPUNGE, flag changes and DELETE', async () => {
    const transport = nodemailer.createTransport({ host: '127.0.0.1', port: test.port('smtp'), ignoreTLS: true });
    for (let i = 0; i < 3; i++) await transport.sendMail({ envelope: { from: 'x@example.org', to: [USER] }, raw: `Subject: delivered ${i}\r\n\r\n${'body '.repeat(50 * (i + 1))}\r\n` });
    const delivered = expectInLine(test.engine);
    expect(delivered).toBeGreaterThan(750);

    const client = new ImapFlow({ host: '127.0.0.1', port: test.port('imap'), secure: false, auth: { user: USER, pass: PASSWORD }, logger: false, tls: { rejectUnauthorized: false } });
    await client.connect();
    await client.mailboxCreate('Project');
    await client.append('Project', 'Subject: appended\r\n\r\nan appended message\r\n');
    expectInLine(test.engine);
    const lock = await client.getMailboxLock('INBOX');
    try {
      await client.messageCopy('1:2', 'Project');
      expectInLine(test.engine);
      await client.messageMove('3', 'Archive');
      expectInLine(test.engine);
      await client.messageDelete('1');
      expectInLine(test.engine);
      await client.messageFlagsAdd('1', ['\\Seen']);
      await client.messageFlagsAdd('2', ['\\Flagged']);
      expectInLine(test.engine);
      await client.messageFlagsRemove('1', ['\\Seen']);
      await client.messageFlagsSet('2', ['\\Seen', '$Work']);
      expectInLine(test.engine);
      // STATUS answers what the rows say, counted here without the counters.
      const status = await client.status('INBOX', { messages: true, unseen: true });
      const userId = test.engine.context.accounts.findUser(USER)!.id;
      const fromRows = test.engine.context.db
        .prepare(`SELECT COUNT(m.id) AS messages, ${UNSEEN} AS unseen FROM mailboxes b JOIN messages m ON m.mailbox_id = b.id WHERE b.user_id = ? AND b.name = 'INBOX'`)
        .get(userId) as { messages: number; unseen: number };
      expect(fromRows.unseen).toBeGreaterThan(0);
      expect(status).toMatchObject(fromRows);
    } finally {
      lock.release();
    }
    const before = expectInLine(test.engine);
    await client.mailboxDelete('Project');
    expect(expectInLine(test.engine)).toBeLessThan(before);
    await client.logout();
  });

  it('follow files removed by hand once the index is reconciled at the next start, and are filled in by the migration', async () => {
    const dataDir = test.dataDir;
    const user = test.engine.context.accounts.findUser(USER)!;
    const archive = path.join(dataDir, user.maildir, '.Archive', 'cur');
    const files = fs.readdirSync(archive);
    expect(files.length).toBeGreaterThan(0);
    await test.engine.stop();
    fs.unlinkSync(path.join(archive, files[0]!));
    // Back to a database from before migration 5: no counters, no triggers.
    const old = openDatabase(dataDir);
    undoMigrationsAfter6(old);
    old.exec(`DROP TRIGGER messages_counted_in; DROP TRIGGER messages_counted_out; DROP TRIGGER messages_counted_changed;
      ALTER TABLE mailboxes DROP COLUMN message_count; ALTER TABLE mailboxes DROP COLUMN message_bytes;
      ALTER TABLE mailboxes DROP COLUMN unseen_count; PRAGMA user_version = 4;`);
    old.close();
    const engine = await startEngine({ dataDir, print: null });
    test.engine = engine; // stopped by afterAll
    expectInLine(engine);
    expect(engine.context.mailStore.getMailbox(user.id, 'Archive')!.message_count).toBe(files.length - 1);
  });
});

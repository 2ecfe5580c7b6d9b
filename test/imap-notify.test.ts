// NOTIFY (RFC 5465): changes pushed to a session that is not in IDLE — STATUS for other
// mailboxes, EXISTS / EXPUNGE / FETCH for the selected one, LIST for renamed and subscribed ones.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startTestEngine, type TestEngine } from './helpers/engine.js';
import { RawImap } from './imap-helpers.js';

let test: TestEngine;
let watcher: RawImap;
let other: RawImap;
const USER = 'nora@lanpost.lan';
const PASSWORD = 'notify me please';
const MESSAGE = 'From: a@example.org\r\nSubject: hello\r\n\r\nhello\r\n';

beforeAll(async () => {
  test = await startTestEngine({ users: { [USER]: PASSWORD } });
});
afterAll(async () => {
  await test.stop();
});
beforeEach(async () => {
  watcher = await RawImap.loggedIn(test.port('imap'), USER, PASSWORD);
  other = await RawImap.loggedIn(test.port('imap'), USER, PASSWORD);
});
afterEach(() => {
  watcher.close();
  other.close();
});

async function ok(client: RawImap, command: string) {
  const reply = await client.command(command);
  if (reply.status !== 'OK') throw new Error(`${command}: ${reply.raw}`);
  return reply;
}

describe('NOTIFY (RFC 5465)', () => {
  it('is advertised', async () => {
    expect((await ok(watcher, 'CAPABILITY')).lines[0]!.split(' ')).toContain('NOTIFY');
  });

  it('SET STATUS reports the watched mailboxes now, with the items of their events', async () => {
    await ok(other, 'CREATE Lists');
    await other.append('Lists', MESSAGE);
    const expungeOnly = await ok(watcher, 'NOTIFY SET STATUS (MAILBOXES Lists (MessageExpunge))');
    expect(expungeOnly.lines).toEqual(['* STATUS Lists (MESSAGES 1)']);
    const newMessages = await ok(watcher, 'NOTIFY SET STATUS (MAILBOXES Lists (MessageNew MessageExpunge))');
    expect(newMessages.lines).toEqual([expect.stringMatching(/^\* STATUS Lists \(MESSAGES 1 UIDNEXT 2 UIDVALIDITY \d+\)$/)]);
    const flags = await ok(watcher, 'NOTIFY SET STATUS (MAILBOXES Lists (FlagChange))');
    expect(flags.lines).toEqual([expect.stringMatching(/^\* STATUS Lists \(UIDVALIDITY \d+ HIGHESTMODSEQ \d+\)$/)]);
    // without STATUS: nothing now
    expect((await ok(watcher, 'NOTIFY SET (MAILBOXES Lists (MessageNew MessageExpunge FlagChange))')).lines).toEqual([]);
  });

  it('tells of a message delivered to another mailbox at once, with no command in flight', async () => {
    await ok(other, 'CREATE News');
    await ok(watcher, 'SELECT INBOX');
    await ok(watcher, 'NOTIFY SET (SELECTED (MessageNew MessageExpunge)) (PERSONAL (MessageNew MessageExpunge))');
    await other.append('News', MESSAGE);
    expect(await watcher.readLine()).toMatch(/^\* STATUS News \(MESSAGES 1 UIDNEXT 2 UIDVALIDITY \d+\)$/);
    // the selected mailbox gets EXISTS, not STATUS
    await other.append('INBOX', MESSAGE);
    expect(await watcher.readLine()).toBe('* 1 EXISTS');
    expect(await watcher.readLine()).toBe('* 1 RECENT');
    await ok(other, 'SELECT INBOX');
    await ok(other, 'STORE 1 +FLAGS (\\Deleted)');
    expect(await watcher.readLine()).toBe('* 1 FETCH (FLAGS (\\Deleted \\Recent) UID 1)');
    await ok(other, 'EXPUNGE');
    expect(await watcher.readLine()).toBe('* 1 EXPUNGE');
    const noop = await ok(watcher, 'NOOP');
    expect(noop.lines).toEqual([]);
  });

  it('MessageNew with fetch attributes: the new message of the selected mailbox is fetched', async () => {
    await ok(other, 'CREATE Fetched');
    await ok(watcher, 'SELECT Fetched');
    await ok(watcher, 'NOTIFY SET (SELECTED (MessageNew (UID BODY.PEEK[HEADER.FIELDS (SUBJECT)]) MessageExpunge))');
    await other.append('Fetched', MESSAGE);
    expect(await watcher.readLine()).toBe('* 1 EXISTS');
    expect(await watcher.readLine()).toBe('* 1 RECENT');
    expect(await watcher.readLine()).toBe('* 1 FETCH (UID 1 BODY[HEADER.FIELDS (SUBJECT)] {18}\r\nSubject: hello\r\n\r\n)');
  });

  it('SELECTED-DELAYED keeps EXPUNGE for a command that allows it', async () => {
    await ok(other, 'CREATE Delayed');
    await other.append('Delayed', MESSAGE);
    await other.append('Delayed', MESSAGE);
    await ok(watcher, 'SELECT Delayed');
    await ok(watcher, 'NOTIFY SET (SELECTED-DELAYED (MessageNew MessageExpunge FlagChange))');
    await ok(other, 'SELECT Delayed');
    await ok(other, 'STORE 1 +FLAGS (\\Deleted)');
    expect(await watcher.readLine()).toBe('* 1 FETCH (FLAGS (\\Deleted \\Recent) UID 1)');
    await ok(other, 'EXPUNGE');
    // FETCH defers EXPUNGE (RFC 3501 §7.4.1); NOOP lets it out
    expect((await ok(watcher, 'FETCH 2 UID')).lines).toEqual(['* 2 FETCH (UID 2)']);
    expect((await ok(watcher, 'NOOP')).lines).toEqual(['* 1 EXPUNGE']);
  });

  it('MailboxName and SubscriptionChange: LIST responses for what another session did', async () => {
    await ok(watcher, 'NOTIFY SET (PERSONAL (MailboxName SubscriptionChange))');
    await ok(other, 'CREATE Projects');
    expect(await watcher.readLine()).toBe('* LIST () "/" Projects');
    await ok(other, 'RENAME Projects Done');
    expect(await watcher.readLine()).toBe('* LIST () "/" Done ("OLDNAME" (Projects))');
    await ok(other, 'SUBSCRIBE Done');
    expect(await watcher.readLine()).toBe('* LIST (\\Subscribed) "/" Done');
    await ok(other, 'UNSUBSCRIBE Done');
    expect(await watcher.readLine()).toBe('* LIST () "/" Done');
    await ok(other, 'DELETE Done');
    expect(await watcher.readLine()).toBe('* LIST (\\NonExistent) "/" Done');
  });

  it('only the mailboxes its filters name: SUBTREE, INBOXES, SUBSCRIBED', async () => {
    await ok(other, 'CREATE Work/Reports');
    await ok(other, 'CREATE Private');
    await ok(other, 'CREATE Watched');
    await ok(other, 'SUBSCRIBE Watched');
    await ok(watcher, 'NOTIFY SET (SUBTREE Work (MessageNew MessageExpunge)) (INBOXES (MessageNew MessageExpunge)) (SUBSCRIBED (MessageNew MessageExpunge))');
    await other.append('Private', MESSAGE);
    await other.append('Work/Reports', MESSAGE);
    expect(await watcher.readLine()).toMatch(/^\* STATUS Work\/Reports \(MESSAGES 1 /);
    await other.append('Watched', MESSAGE);
    expect(await watcher.readLine()).toMatch(/^\* STATUS Watched \(MESSAGES 1 /);
    await other.append('INBOX', MESSAGE);
    expect(await watcher.readLine()).toMatch(/^\* STATUS INBOX \(MESSAGES \d+ /);
    expect((await ok(watcher, 'NOOP')).lines).toEqual([]); // nothing of Private
  });

  it('NOTIFY NONE stops it; another user\'s mailboxes are never reported', async () => {
    await ok(other, 'CREATE Quiet');
    await ok(watcher, 'NOTIFY SET (PERSONAL (MessageNew MessageExpunge MailboxName))');
    await ok(watcher, 'NOTIFY NONE');
    await other.append('Quiet', MESSAGE);
    await ok(other, 'CREATE Quieter');
    expect((await ok(watcher, 'NOOP')).lines).toEqual([]);
  });

  it('an event it cannot report is NO [BADEVENT], bad syntax BAD; the session goes on', async () => {
    const badEvent = await watcher.command('NOTIFY SET (SELECTED (MessageNew MessageExpunge AnnotationChange))');
    expect(badEvent.status).toBe('NO');
    expect(badEvent.text).toMatch(/^\[BADEVENT \(MessageNew MessageExpunge FlagChange MailboxName SubscriptionChange\)\]/);
    for (const command of ['NOTIFY', 'NOTIFY SET', 'NOTIFY SET (NOWHERE (MessageNew))', 'NOTIFY SET (PERSONAL (Tuesday))', 'NOTIFY SET (PERSONAL (MessageNew (FLAGS) MessageExpunge))']) {
      expect((await watcher.command(command)).status, command).toBe('BAD');
    }
    expect((await watcher.command('NOOP')).status).toBe('OK');
  });
});

// QRESYNC (RFC 7162 §3.2): a client that saw a mailbox before learns, in its SELECT, which UIDs
// were expunged since its MODSEQ (VANISHED (EARLIER)) and which messages changed (FETCH); expunges
// come as VANISHED once it is enabled; UID FETCH (CHANGEDSINCE m VANISHED); [CLOSED] on reselect.
// Raw exchanges shaped as the RFC's examples, then imapflow with its qresync option.
import { ImapFlow } from 'imapflow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestEngine, type TestEngine } from './helpers/engine.js';
import { RawImap } from './imap-helpers.js';

let test: TestEngine;
const USER = 'quinn@lanpost.lan';
const PASSWORD = 'correct horse battery';

beforeAll(async () => {
  test = await startTestEngine({ users: { [USER]: PASSWORD } });
});
afterAll(() => test.stop());

async function session(enable = true): Promise<RawImap> {
  const c = await RawImap.loggedIn(test.port('imap'), USER, PASSWORD);
  if (enable) expect((await c.command('ENABLE QRESYNC')).lines).toEqual(['* ENABLED QRESYNC']);
  return c;
}

/** A mailbox of `count` messages (UIDs 1…count); its UIDVALIDITY and HIGHESTMODSEQ once filled. */
async function mailbox(name: string, count: number): Promise<{ uidvalidity: number; modseq: number }> {
  const c = await session(false);
  await c.command(`CREATE ${name}`);
  for (let i = 1; i <= count; i++) {
    const text = `Subject: m${i}\r\n\r\nbody ${i}\r\n`;
    expect((await c.command(`APPEND ${name} {${text.length}+}\r\n${text}`)).status).toBe('OK');
  }
  const status = (await c.command(`STATUS ${name} (UIDVALIDITY HIGHESTMODSEQ)`)).lines[0]!;
  c.close();
  return { uidvalidity: Number(/UIDVALIDITY (\d+)/.exec(status)![1]), modseq: Number(/HIGHESTMODSEQ (\d+)/.exec(status)![1]) };
}

/** Expunges UIDs of a mailbox, sets \Flagged on others, appends one: what the client missed. */
async function changeWhileAway(name: string, expunge: string, flag: string): Promise<void> {
  const c = await session(false);
  await c.command(`SELECT ${name}`);
  await c.command(`UID STORE ${expunge} +FLAGS.SILENT (\\Deleted)`);
  await c.command(`UID EXPUNGE ${expunge}`);
  await c.command(`UID STORE ${flag} +FLAGS.SILENT (\\Flagged)`);
  const text = 'Subject: new\r\n\r\nnew\r\n';
  await c.command(`APPEND ${name} {${text.length}+}\r\n${text}`);
  c.close();
}

describe('QRESYNC on the wire', () => {
  it('SELECT (QRESYNC (uidvalidity modseq)) answers VANISHED (EARLIER) for the expunged UIDs, then a FETCH for each message changed', async () => {
    const { uidvalidity, modseq } = await mailbox('Resync', 10);
    await changeWhileAway('Resync', '3,5', '7');
    const c = await session();
    const reply = await c.command(`SELECT Resync (QRESYNC (${uidvalidity} ${modseq}))`);
    expect(reply.status).toBe('OK');
    const vanishedAt = reply.lines.indexOf('* VANISHED (EARLIER) 3,5');
    expect(vanishedAt).toBeGreaterThan(reply.lines.findIndex((l) => l.startsWith('* OK [HIGHESTMODSEQ ')));
    const fetches = reply.lines.filter((l) => l.includes(' FETCH '));
    // UID 7 is now the 5th message, the new UID 11 the 9th; FETCH comes after VANISHED
    expect(fetches).toEqual([expect.stringMatching(/^\* 5 FETCH \(UID 7 FLAGS \(\\Flagged\) MODSEQ \(\d+\)\)$/), expect.stringMatching(/^\* 9 FETCH \(UID 11 FLAGS \(\) MODSEQ \(\d+\)\)$/)]);
    expect(reply.lines.indexOf(fetches[0]!)).toBeGreaterThan(vanishedAt);
    c.close();
  });

  it('limits VANISHED (EARLIER) to the known UIDs, and says nothing of changes when UIDVALIDITY differs', async () => {
    const { uidvalidity, modseq } = await mailbox('Known', 6);
    await changeWhileAway('Known', '2,5', '1');
    const c = await session();
    const known = await c.command(`EXAMINE Known (QRESYNC (${uidvalidity} ${modseq} 1:4))`);
    expect(known.lines.filter((l) => l.startsWith('* VANISHED'))).toEqual(['* VANISHED (EARLIER) 2']);
    const stale = await c.command(`EXAMINE Known (QRESYNC (${uidvalidity + 1} ${modseq}))`);
    expect(stale.status).toBe('OK');
    expect(stale.lines.filter((l) => l.startsWith('* VANISHED') || l.includes(' FETCH '))).toEqual([]);
    c.close();
  });

  it('refuses QRESYNC parameters without ENABLE QRESYNC (BAD) and malformed ones', async () => {
    const c = await session(false);
    await c.command('CREATE Refused');
    expect((await c.command('SELECT Refused (QRESYNC (1 1))')).status).toBe('BAD');
    expect((await c.command('ENABLE QRESYNC')).lines).toEqual(['* ENABLED QRESYNC']);
    for (const bad of ['(QRESYNC)', '(QRESYNC (0 1))', '(QRESYNC (1 x))', '(QRESYNC (1 1 1:* ))', '(QRESYNC (1 1 1:3 (1:2 1:3)))', '(QRESYNC (1 1) FOO)']) {
      expect((await c.command(`SELECT Refused ${bad}`)).status, bad).toBe('BAD');
    }
    c.close();
  });

  it('reports expunges as VANISHED once QRESYNC is enabled, and every FETCH with its UID', async () => {
    await mailbox('Live', 4);
    const watcher = await session();
    await watcher.command('SELECT Live');
    expect((await watcher.command('FETCH 2 FLAGS')).lines).toEqual(['* 2 FETCH (UID 2 FLAGS (\\Recent))']);
    const other = await session(false);
    await other.command('SELECT Live');
    await other.command('STORE 2:3 +FLAGS.SILENT (\\Deleted)');
    await other.command('EXPUNGE');
    const noop = await watcher.command('NOOP');
    expect(noop.lines).toEqual(['* VANISHED 2:3']);
    expect((await watcher.command('FETCH 2 UID')).lines).toEqual(['* 2 FETCH (UID 4)']);
    watcher.close();
    other.close();
  });

  it('UID FETCH (CHANGEDSINCE m VANISHED) reports the expunged UIDs of its set first; VANISHED alone, or in FETCH, is BAD', async () => {
    const { modseq } = await mailbox('Fetched', 8);
    await changeWhileAway('Fetched', '2,6', '4');
    const c = await session();
    await c.command('SELECT Fetched');
    const reply = await c.command(`UID FETCH 1:5 (FLAGS) (CHANGEDSINCE ${modseq} VANISHED)`);
    expect(reply.lines[0]).toBe('* VANISHED (EARLIER) 2');
    expect(reply.lines.slice(1)).toEqual([expect.stringMatching(/^\* 3 FETCH \(UID 4 FLAGS \(\\Flagged\) MODSEQ \(\d+\)\)$/)]);
    expect((await c.command('UID FETCH 1:* (FLAGS) (VANISHED)')).status).toBe('BAD');
    expect((await c.command(`FETCH 1:* (FLAGS) (CHANGEDSINCE ${modseq} VANISHED)`)).status).toBe('BAD');
    const plain = await session(false);
    await plain.command('SELECT Fetched');
    expect((await plain.command(`UID FETCH 1:* (FLAGS) (CHANGEDSINCE ${modseq} VANISHED)`)).status).toBe('BAD');
    c.close();
    plain.close();
  });

  it('says [CLOSED] when a SELECT leaves the mailbox selected before', async () => {
    await mailbox('Closed', 1);
    const c = await session(false);
    expect((await c.command('SELECT Closed')).lines.some((l) => l.includes('[CLOSED]'))).toBe(false);
    const again = await c.command('EXAMINE Closed');
    expect(again.lines[0]).toBe('* OK [CLOSED] Previous mailbox closed');
    c.close();
  });

  it('where expunges are not remembered that far back, reports every UID the client may know and the mailbox lacks, narrowed by its sequence match data', async () => {
    const { uidvalidity, modseq } = await mailbox('Older', 9);
    // UID 3 goes while the client is looking (it saw 1:9, then 3 expunged: seq 3 is UID 4 now) …
    const c = await session(false);
    await c.command('SELECT Older');
    await c.command('UID STORE 3 +FLAGS.SILENT (\\Deleted)');
    await c.command('UID EXPUNGE 3');
    const known = Number(/HIGHESTMODSEQ (\d+)/.exec((await c.command('STATUS Older (HIGHESTMODSEQ)')).lines[0]!)![1]);
    c.close();
    // … then UID 8 while it is away; and the store remembers expunges only from later on, as after migration 7
    await changeWhileAway('Older', '8', '1');
    test.engine.context.db.prepare("UPDATE mailboxes SET expunges_known_from = highest_modseq WHERE name = 'Older'").run();
    const q = await session();
    const vanished = async (params: string) => (await q.command(`EXAMINE Older (QRESYNC (${uidvalidity} ${params}))`)).lines.filter((l) => l.startsWith('* VANISHED'));
    expect(await vanished(`${known}`)).toEqual(['* VANISHED (EARLIER) 3,8']);
    expect(await vanished(`${known} 1:9`)).toEqual(['* VANISHED (EARLIER) 3,8']);
    // its messages 1:3 are still UIDs 1,2,4: nothing below UID 5 went since
    expect(await vanished(`${known} 1:9 (1:3 1,2,4)`)).toEqual(['* VANISHED (EARLIER) 8']);
    expect(modseq).toBeLessThan(known);
    q.close();
  });
});

describe('QRESYNC with imapflow', () => {
  it('resynchronizes a mailbox from its UIDVALIDITY and MODSEQ: expunges as vanished UIDs, changed flags as FETCH', async () => {
    const { uidvalidity, modseq } = await mailbox('Phone', 5);
    await changeWhileAway('Phone', '1,4', '2');
    const client = new ImapFlow({ host: '127.0.0.1', port: test.port('imap'), secure: false, auth: { user: USER, pass: PASSWORD }, logger: false, tls: { rejectUnauthorized: false }, qresync: true });
    const vanished: number[] = [];
    const flags: Array<{ uid?: number; flags?: Set<string> }> = [];
    client.on('expunge', (event: { uid?: number; vanished: boolean }) => vanished.push(event.uid!));
    client.on('flags', (event: { uid?: number; flags?: Set<string> }) => flags.push(event));
    await client.connect();
    expect(client.enabled.has('QRESYNC')).toBe(true);
    const opened = await client.mailboxOpen('Phone', { uidValidity: BigInt(uidvalidity), changedSince: BigInt(modseq) });
    expect(opened.exists).toBe(4);
    expect(vanished).toEqual([1, 4]);
    expect(flags.find((f) => f.uid === 2)?.flags?.has('\\Flagged')).toBe(true);
    const changed = [];
    for await (const message of client.fetch('1:*', { flags: true }, { uid: true, changedSince: BigInt(modseq) })) changed.push(message.uid);
    expect(changed).toEqual([2, 6]);
    await client.logout();
  });
});

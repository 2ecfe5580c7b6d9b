// OBJECTID (RFC 8474): MAILBOXID (CREATE, SELECT, STATUS; kept through RENAME, new for a new
// mailbox of an old name), EMAILID (kept through COPY and MOVE) and THREADID (shared by a message
// and the replies naming it, whichever came first), FETCH and SEARCH by them; the exchanges of the
// RFC's examples.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestEngine, type TestEngine } from './helpers/engine.js';
import { RawImap } from './imap-helpers.js';

let test: TestEngine;
const USER = 'olga@lanpost.lan';
const PASSWORD = 'correct horse battery';
const OBJECT_ID = /^[A-Za-z0-9_-]{1,255}$/;

beforeAll(async () => {
  test = await startTestEngine({ users: { [USER]: PASSWORD } });
});
afterAll(() => test.stop());

async function session(): Promise<RawImap> {
  return RawImap.loggedIn(test.port('imap'), USER, PASSWORD);
}

async function append(c: RawImap, mailbox: string, text: string): Promise<number> {
  const reply = await c.command(`APPEND ${mailbox} {${text.length}+}\r\n${text}`);
  expect(reply.status).toBe('OK');
  return Number(/APPENDUID \d+ (\d+)/.exec(reply.text)![1]);
}

const mailboxIdOf = (line: string) => /MAILBOXID \(([^)]+)\)/.exec(line)?.[1];

describe('MAILBOXID', () => {
  it('is given by CREATE, SELECT and STATUS, stays through RENAME and is new for a mailbox made again under an old name', async () => {
    const c = await session();
    const created = await c.command('CREATE foo');
    const id = mailboxIdOf(created.text)!;
    expect(id).toMatch(OBJECT_ID);
    expect(created.text).toMatch(/^\[MAILBOXID \([^)]+\)\] /);
    expect((await c.command('STATUS foo (MAILBOXID)')).lines).toEqual([`* STATUS foo (MAILBOXID (${id}))`]);
    expect((await c.command('SELECT foo')).lines).toContain(`* OK [MAILBOXID (${id})] Ok`);
    await c.command('UNSELECT');
    expect((await c.command('RENAME foo bar')).status).toBe('OK');
    expect((await c.command('STATUS bar (MAILBOXID)')).lines).toEqual([`* STATUS bar (MAILBOXID (${id}))`]);
    const listed = await c.command('LIST "" bar RETURN (STATUS (MAILBOXID MESSAGES))');
    expect(listed.lines[1]).toBe(`* STATUS bar (MAILBOXID (${id}) MESSAGES 0)`);
    await c.command('DELETE bar');
    const again = mailboxIdOf((await c.command('CREATE bar')).text);
    expect(again).toMatch(OBJECT_ID);
    expect(again).not.toBe(id);
    // INBOX's id stays when INBOX is renamed; the new mailbox gets a new one (RFC 8474 §4.2)
    const inbox = mailboxIdOf((await c.command('STATUS INBOX (MAILBOXID)')).lines[0]!);
    await c.command('RENAME INBOX Moved');
    expect(mailboxIdOf((await c.command('STATUS INBOX (MAILBOXID)')).lines[0]!)).toBe(inbox);
    expect(mailboxIdOf((await c.command('STATUS Moved (MAILBOXID)')).lines[0]!)).not.toBe(inbox);
    c.close();
  });
});

describe('EMAILID and THREADID', () => {
  it('keeps a message’s EMAILID and THREADID through COPY and MOVE, and finds it by them with SEARCH', async () => {
    const c = await session();
    await c.command('CREATE Src');
    await c.command('CREATE Dst');
    await append(c, 'Src', 'Message-ID: <one@example.org>\r\nSubject: one\r\n\r\none\r\n');
    await append(c, 'Src', 'Message-ID: <two@example.org>\r\nSubject: two\r\n\r\ntwo\r\n');
    await c.command('SELECT Src');
    const fetched = (await c.command('FETCH 1:2 (EMAILID THREADID)')).lines;
    const ids = fetched.map((line) => /EMAILID \(([^)]+)\) THREADID \(([^)]+)\)/.exec(line)!.slice(1, 3));
    expect(ids.flat().every((id) => OBJECT_ID.test(id!))).toBe(true);
    expect(ids[0]![0]).not.toBe(ids[1]![0]);
    expect(ids[0]![1]).not.toBe(ids[1]![1]);
    await c.command('COPY 1 Dst');
    await c.command('MOVE 2 Dst');
    await c.command('SELECT Dst');
    expect((await c.command('FETCH 1:2 (EMAILID THREADID)')).lines).toEqual([
      `* 1 FETCH (EMAILID (${ids[0]![0]}) THREADID (${ids[0]![1]}))`,
      `* 2 FETCH (EMAILID (${ids[1]![0]}) THREADID (${ids[1]![1]}))`,
    ]);
    expect((await c.command(`SEARCH EMAILID ${ids[1]![0]}`)).lines).toEqual(['* SEARCH 2']);
    expect((await c.command(`UID SEARCH THREADID ${ids[0]![1]}`)).lines).toEqual(['* SEARCH 1']);
    expect((await c.command('SEARCH EMAILID Mnothere')).lines).toEqual(['* SEARCH']);
    expect((await c.command('SEARCH EMAILID (x)')).status).toBe('BAD');
    expect((await c.command('SEARCH THREADID a.b')).status).toBe('BAD');
    c.close();
  });

  it('puts a reply in the thread of the message it names (In-Reply-To or References), whichever arrives first', async () => {
    const c = await session();
    await c.command('CREATE Threads');
    await append(c, 'Threads', 'Message-ID: <root@example.org>\r\nSubject: plans\r\n\r\nroot\r\n');
    await append(c, 'Threads', 'Message-ID: <reply@example.org>\r\nIn-Reply-To: <root@example.org>\r\nSubject: Re: plans\r\n\r\nreply\r\n');
    // a reply to a message not here yet, then that message, then an unrelated one
    await append(c, 'Threads', 'Message-ID: <late-reply@example.org>\r\nReferences: <x@example.org>\r\n <late@example.org>\r\nSubject: Re: late\r\n\r\nr\r\n');
    await append(c, 'Threads', 'Message-ID: <late@example.org>\r\nSubject: late\r\n\r\nl\r\n');
    await append(c, 'Threads', 'Message-ID: <other@example.org>\r\nSubject: plans\r\n\r\nsame subject, no reference\r\n');
    await c.command('SELECT Threads');
    const threads = (await c.command('FETCH 1:5 THREADID')).lines.map((line) => /THREADID \(([^)]+)\)/.exec(line)![1]);
    expect(threads[1]).toBe(threads[0]);
    expect(threads[3]).toBe(threads[2]);
    expect(new Set(threads).size).toBe(3);
    expect((await c.command(`SEARCH THREADID ${threads[2]}`)).lines).toEqual(['* SEARCH 3 4']);
    c.close();
  });
});

// THREAD=REFERENCES and THREAD=ORDEREDSUBJECT (RFC 5256): threads from References / In-Reply-To /
// Message-ID with the algorithm's hard cases (missing parents, duplicate Message-IDs, reference
// loops, replies gathered by subject), expunges that turn parents into dummies, UID THREAD, and
// Python imaplib's thread().
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestEngine, type TestEngine } from './helpers/engine.js';
import { RawImap } from './imap-helpers.js';

const run = promisify(execFile);
let test: TestEngine;
let c: RawImap;
const USER = 'tom@lanpost.lan';
const PASSWORD = 'correct horse battery';

interface Mail {
  id?: string;
  refs?: string;
  inReplyTo?: string;
  subject?: string;
  /** Day of March 2026 it was sent (the Date: field); none: the internal date counts. */
  day?: number;
}

async function mailbox(name: string, mails: Mail[]): Promise<void> {
  await c.command(`CREATE ${name}`);
  for (const [i, mail] of mails.entries()) {
    const headers = [
      'From: someone@example.org',
      mail.id && `Message-ID: <${mail.id}>`,
      mail.refs && `References: ${mail.refs}`,
      mail.inReplyTo && `In-Reply-To: ${mail.inReplyTo}`,
      mail.subject !== undefined && `Subject: ${mail.subject}`,
      mail.day !== undefined && `Date: ${mail.day} Mar 2026 10:00:00 +0000`,
    ].filter(Boolean);
    const reply = await c.append(name, `${headers.join('\r\n')}\r\n\r\nmessage ${i + 1}\r\n`, { date: `0${(i % 9) + 1}-Apr-2026 10:00:00 +0000` });
    if (reply.status !== 'OK') throw new Error(reply.raw);
  }
  await c.command(`SELECT ${name}`);
}

async function threads(command = 'THREAD REFERENCES UTF-8 ALL'): Promise<string> {
  const reply = await c.command(command);
  if (reply.status !== 'OK') throw new Error(`${command}: ${reply.raw}`);
  return reply.lines.find((l) => l.startsWith('* THREAD'))!.slice('* THREAD'.length).trim();
}

beforeAll(async () => {
  test = await startTestEngine({ users: { [USER]: PASSWORD } });
  c = await RawImap.loggedIn(test.port('imap'), USER, PASSWORD);
});
afterAll(async () => {
  c.close();
  await test.stop();
});

describe('THREAD=REFERENCES (RFC 5256)', () => {
  it('advertises both algorithms', async () => {
    const caps = (await c.command('CAPABILITY')).lines[0]!.split(' ');
    expect(caps).toContain('THREAD=REFERENCES');
    expect(caps).toContain('THREAD=ORDEREDSUBJECT');
  });

  it('builds a tree from References and In-Reply-To, siblings by sent date', async () => {
    await mailbox('Tree', [
      { id: 'root@x', subject: 'plans', day: 1 },
      { id: 'b@x', refs: '<root@x>', subject: 'Re: plans', day: 3 },
      { id: 'c@x', inReplyTo: '<root@x>', subject: 'Re: plans', day: 2 },
      { id: 'd@x', refs: '<root@x> <b@x>', subject: 'Re: plans', day: 4 },
      { id: 'other@x', subject: 'lunch', day: 1 },
    ]);
    // 1 has 3 (day 2) and 2 (day 3, with its child 4); 5 on day 1 after 1 by number
    expect(await threads()).toBe('(1 (3)(2 4))(5)');
    expect(await threads('THREAD REFERENCES US-ASCII NOT SUBJECT lunch')).toBe('(1 (3)(2 4))');
  });

  it('keeps a missing parent as a dummy only where it joins several threads at the top', async () => {
    await mailbox('Dummies', [
      { id: 'x1@x', refs: '<gone@x>', day: 1 },
      { id: 'x2@x', refs: '<gone@x>', day: 2 },
      { id: 'y1@x', refs: '<alone@x>', day: 3 },
      { id: 'z1@x', refs: '<z0@x> <missing-middle@x>', day: 4 },
      { id: 'z2@x', refs: '<z0@x>', day: 5 },
    ]);
    // gone@x holds 1 and 2; alone@x's single child is promoted; z0@x holds 5 and (via a dummy, promoted) 4
    expect(await threads()).toBe('((1)(2))(3)((4)(5))');
  });

  it('gives a second message with the same Message-ID, and one without, a place of its own', async () => {
    await mailbox('Duplicates', [
      { id: 'a@x', day: 1 },
      { id: 'b@x', refs: '<a@x>', day: 1 },
      { id: 'c@x', refs: '<b@x>', day: 1 },
      { id: 'b@x', refs: '<a@x>', day: 1 },
      { refs: '<c@x>', day: 2 },
    ]);
    expect(await threads()).toBe('(1 (2 3 5)(4))');
    // without message 2, the duplicate takes its Message-ID and its child
    await c.command('STORE 2 +FLAGS (\\Deleted)');
    await c.command('EXPUNGE');
    expect(await threads()).toBe('(1 3 2 4)');
  });

  it('never makes a loop of references', async () => {
    await mailbox('Loops', [
      { id: 'a@x', day: 3 },
      { id: 'b@x', refs: '<a@x> <c@x>', day: 1 },
      { id: 'c@x', refs: '<b@x>', day: 2 },
      { id: 'self@x', refs: '<self@x>', day: 4 },
    ]);
    // c's own References would make it its child's child: it stays above b, a alone
    expect(await threads()).toBe('(3 2)(1)(4)');
  });

  it('gathers threads of the same base subject: a reply under the original, others under a dummy', async () => {
    await mailbox('Subjects', [
      { id: 's1@x', subject: 'Budget', day: 1 },
      { id: 's2@x', subject: 'Re: budget', day: 2 },
      { id: 's3@x', subject: 'Re: [team] Budget', day: 3 },
      { id: 't1@x', subject: 'Trip', day: 4 },
      { id: 't2@x', subject: 'trip', day: 5 },
      { id: 'u1@x', subject: 'Fwd: news', day: 6 },
      { id: 'u2@x', subject: 'news', day: 7 },
      { id: 'e1@x', subject: '', day: 8 },
      { id: 'e2@x', day: 9 },
    ]);
    // replies under the original; two originals side by side under a dummy; the reply met first
    // goes under the original met later; empty subjects are never gathered
    expect(await threads()).toBe('(1 (2)(3))((4)(5))(7 6)(8)(9)');
  });

  it('UID THREAD answers UIDs; a search limits what is threaded', async () => {
    await c.command('SELECT Tree');
    const uids = (await c.command('UID SEARCH ALL')).lines[0]!.split(' ').slice(2);
    expect(await threads('UID THREAD REFERENCES UTF-8 ALL')).toBe(`(${uids[0]} (${uids[2]})(${uids[1]} ${uids[3]}))(${uids[4]})`);
    // without message 2, its child hangs from a dummy below 1: the dummy goes, 4 moves up
    expect(await threads('THREAD REFERENCES UTF-8 NOT 2')).toBe('(1 (3)(4))(5)');
    expect(await threads('THREAD REFERENCES UTF-8 SUBJECT nothing-like-this')).toBe('');
  });

  it('answers bad arguments with BAD and an unknown charset with NO [BADCHARSET]', async () => {
    expect((await c.command('THREAD FROB UTF-8 ALL')).status).toBe('BAD');
    expect((await c.command('THREAD REFERENCES UTF-8')).status).toBe('BAD');
    const charset = await c.command('THREAD REFERENCES KOI8-R ALL');
    expect(charset.status).toBe('NO');
    expect(charset.text).toMatch(/^\[BADCHARSET/);
  });
});

describe('THREAD=ORDEREDSUBJECT (RFC 5256)', () => {
  it('groups by base subject, the first by date the parent of the rest; threads by the date of their first', async () => {
    await mailbox('Ordered', [
      { subject: 'beta', day: 5 },
      { subject: 'Re: alpha', day: 4 },
      { subject: 'alpha', day: 2 },
      { subject: 'Re: beta', day: 6 },
      { subject: 'gamma', day: 1 },
      { subject: 'alpha (fwd)', day: 3 },
      { subject: 'Re: gamma', day: 7 },
    ]);
    expect(await threads('THREAD ORDEREDSUBJECT UTF-8 ALL')).toBe('(5 7)(3 (6)(2))(1 4)');
  });
});

describe('a real client', () => {
  it('Python imaplib threads with thread() and uid("THREAD")', async () => {
    const script = `
import imaplib, json, sys
M = imaplib.IMAP4('127.0.0.1', int(sys.argv[1]))
M.login(${JSON.stringify(USER)}, ${JSON.stringify(PASSWORD)})
M.select('Tree')
out = {'thread': M.thread('REFERENCES', 'UTF-8', 'ALL')[1][0].decode(), 'ordered': M.thread('ORDEREDSUBJECT', 'UTF-8', 'ALL')[1][0].decode()}
out['uid'] = M.uid('THREAD', 'REFERENCES', 'UTF-8', '2:4')[1][0].decode()
M.logout()
print(json.dumps(out))
`;
    const { stdout } = await run('python3', ['-c', script, String(test.port('imap'))], { timeout: 20_000 });
    const out = JSON.parse(stdout);
    expect(out.thread).toBe('(1 (3)(2 4))(5)');
    expect(out.ordered).toBe('(1 (3)(2)(4))(5)');
    // UIDs 2:4: their parent (UID 1) is not threaded, so it stands as a dummy holding them
    expect(out.uid).toBe('((3)(2 4))');
  });
});

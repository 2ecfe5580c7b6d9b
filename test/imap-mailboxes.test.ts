// Mailbox commands: special-use LIST, LIST-EXTENDED/LIST-STATUS, CREATE/DELETE/RENAME (INBOX
// too), SUBSCRIBE/LSUB, STATUS, APPEND/COPY/MOVE with UIDPLUS, EXPUNGE, NAMESPACE, ID, ENABLE,
// and UIDs that survive an engine restart.
import fs from 'node:fs';
import path from 'node:path';
import { ImapFlow } from 'imapflow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEngine } from '../server/engine.js';
import { startTestEngine, type TestEngine } from './helpers/engine.js';
import { RawImap } from './imap-helpers.js';

let test: TestEngine;
const USER = 'bob@lanpost.lan';
const PASSWORD = 'correct horse battery';

function flow(port: number): ImapFlow {
  return new ImapFlow({ host: '127.0.0.1', port, secure: false, auth: { user: USER, pass: PASSWORD }, logger: false, tls: { rejectUnauthorized: false } });
}

async function appendRaw(client: RawImap, mailbox: string, subject: string, flags = ''): Promise<number> {
  const message = `From: a@example.org\r\nSubject: ${subject}\r\n\r\nbody of ${subject}\r\n`;
  client.write(`ap APPEND ${mailbox} ${flags ? `(${flags}) ` : ''}{${message.length}+}\r\n${message}\r\n`);
  const reply = await client.until('ap');
  const uid = /APPENDUID \d+ (\d+)/.exec(reply.text)?.[1];
  if (!uid) throw new Error(reply.raw);
  return Number(uid);
}

beforeAll(async () => {
  test = await startTestEngine({ users: { [USER]: PASSWORD } });
});
afterAll(() => test.stop());

describe('IMAP mailboxes', () => {
  it('lists INBOX and the special-use folders (RFC 6154) and NAMESPACE', async () => {
    const client = flow(test.port('imap'));
    await client.connect();
    const list = await client.list();
    const byPath = Object.fromEntries(list.map((m) => [m.path, m]));
    expect(Object.keys(byPath).sort()).toEqual(['Archive', 'Drafts', 'INBOX', 'Junk', 'Sent', 'Trash']);
    expect(byPath.Sent!.specialUse).toBe('\\Sent');
    expect(byPath.Drafts!.specialUse).toBe('\\Drafts');
    expect(byPath.Trash!.specialUse).toBe('\\Trash');
    expect(byPath.Junk!.specialUse).toBe('\\Junk');
    expect(byPath.Archive!.specialUse).toBe('\\Archive');
    expect(byPath.INBOX!.delimiter).toBe('/');
    await client.logout();
    const raw = await RawImap.loggedIn(test.port('imap'), USER, PASSWORD);
    const special = await raw.command('LIST (SPECIAL-USE) "" "*"');
    expect(special.lines).toHaveLength(5);
    expect((await raw.command('NAMESPACE')).lines[0]).toBe('* NAMESPACE (("" "/")) NIL NIL');
    expect((await raw.command('LIST "" ""')).lines[0]).toBe('* LIST (\\Noselect) "/" ""');
    expect((await raw.command('ID ("name" "test")')).lines[0]).toMatch(/^\* ID \("name" "LanPost"/);
    expect((await raw.command('ENABLE CONDSTORE X-UNKNOWN')).lines[0]).toBe('* ENABLED CONDSTORE');
    raw.close();
  });

  it('CREATE with parents, LIST with % and *, CHILDREN, DELETE, and a \\Noselect parent', async () => {
    const c = await RawImap.loggedIn(test.port('imap'), USER, PASSWORD);
    expect((await c.command('CREATE Work/2026/Q4')).status).toBe('OK');
    expect((await c.command('CREATE Work')).text).toMatch(/ALREADYEXISTS/);
    expect((await c.command('CREATE INBOX')).status).toBe('NO');
    const top = await c.command('LIST "" %');
    expect(top.lines).toContain('* LIST (\\HasChildren) "/" Work');
    expect(top.lines).toContain('* LIST (\\HasNoChildren) "/" INBOX');
    const deep = await c.command('LIST Work/ *');
    expect(deep.lines).toEqual(['* LIST (\\HasChildren) "/" Work/2026', '* LIST (\\HasNoChildren) "/" Work/2026/Q4']);
    expect((await c.command('DELETE Work/2026')).status).toBe('OK');
    const after = await c.command('LIST "" "Work/*"');
    expect(after.lines).toEqual(['* LIST (\\Noselect \\HasChildren) "/" Work/2026', '* LIST (\\HasNoChildren) "/" Work/2026/Q4']);
    expect((await c.command('DELETE INBOX')).status).toBe('NO');
    expect((await c.command('DELETE Nope')).text).toMatch(/NONEXISTENT/);
    expect((await c.command('SELECT Nope')).text).toMatch(/NONEXISTENT/);
    const utf = await c.command('CREATE "R&AOk-sum&AOk-"');
    expect(utf.status).toBe('OK');
    expect((await c.command('LIST "" R*')).lines).toEqual(['* LIST (\\HasNoChildren) "/" R&AOk-sum&AOk-']);
    c.close();
  });

  it('RENAME moves children; RENAME INBOX moves its messages and leaves INBOX empty', async () => {
    const c = await RawImap.loggedIn(test.port('imap'), USER, PASSWORD);
    await c.command('CREATE Projects/Alpha');
    const uid = await appendRaw(c, 'Projects/Alpha', 'alpha note');
    const status = await c.command('STATUS Projects/Alpha (UIDVALIDITY)');
    const validity = /UIDVALIDITY (\d+)/.exec(status.lines[0]!)![1];
    expect((await c.command('RENAME Projects Done')).status).toBe('OK');
    const list = await c.command('LIST "" "Done*"');
    expect(list.lines).toEqual(['* LIST (\\HasChildren) "/" Done', '* LIST (\\HasNoChildren) "/" Done/Alpha']);
    expect((await c.command('STATUS Done/Alpha (MESSAGES UIDVALIDITY)')).lines[0]).toBe(`* STATUS Done/Alpha (MESSAGES 1 UIDVALIDITY ${validity})`);
    await c.command('SELECT Done/Alpha');
    expect((await c.command(`UID FETCH ${uid} (BODY.PEEK[TEXT])`)).lines[0]).toContain('body of alpha note');
    await c.command('UNSELECT');
    expect((await c.command('RENAME Nope Other')).text).toMatch(/NONEXISTENT/);
    expect((await c.command('RENAME Done Sent')).text).toMatch(/ALREADYEXISTS/);

    await appendRaw(c, 'INBOX', 'inbox one');
    await appendRaw(c, 'INBOX', 'inbox two');
    expect((await c.command('RENAME INBOX "Old Inbox"')).status).toBe('OK');
    expect((await c.command('STATUS INBOX (MESSAGES)')).lines[0]).toBe('* STATUS INBOX (MESSAGES 0)');
    expect((await c.command('STATUS "Old Inbox" (MESSAGES)')).lines[0]).toBe('* STATUS "Old Inbox" (MESSAGES 2)');
    c.close();
  });

  it('SUBSCRIBE, UNSUBSCRIBE, LSUB and LIST (SUBSCRIBED RECURSIVEMATCH) with LIST-STATUS', async () => {
    const c = await RawImap.loggedIn(test.port('imap'), USER, PASSWORD);
    // the folders every account starts with are subscribed; CREATE leaves subscribing to the client
    expect((await c.command('LSUB "" %')).lines).toEqual(expect.arrayContaining(['* LSUB () "/" INBOX', '* LSUB () "/" Sent', '* LSUB () "/" Trash']));
    await c.command('CREATE Lists/Child');
    expect((await c.command('LSUB "" Lists*')).lines).toEqual([]);
    await c.command('SUBSCRIBE Lists/Child');
    await c.command('SUBSCRIBE Ghost');
    const lsub = await c.command('LSUB "" Lists*');
    expect(lsub.lines).toEqual(['* LSUB () "/" Lists/Child']);
    const lsubTop = await c.command('LSUB "" %');
    expect(lsubTop.lines).toContain('* LSUB (\\Noselect) "/" Lists');
    expect(lsubTop.lines).toContain('* LSUB (\\Noselect) "/" Ghost');
    const recursive = await c.command('LIST (SUBSCRIBED RECURSIVEMATCH) "" %');
    expect(recursive.lines).toContain('* LIST (\\HasChildren) "/" Lists ("CHILDINFO" ("SUBSCRIBED"))');
    expect(recursive.lines).toContain('* LIST (\\NonExistent \\Subscribed) "/" Ghost');
    // a subscribed child the pattern matches is listed itself: no CHILDINFO on its parent
    expect((await c.command('LIST (SUBSCRIBED RECURSIVEMATCH) "" Lists*')).lines).toEqual(['* LIST (\\HasNoChildren \\Subscribed) "/" Lists/Child']);
    await c.command('UNSUBSCRIBE Ghost');
    expect((await c.command('LSUB "" Ghost')).lines).toEqual([]);
    await appendRaw(c, 'Lists/Child', 'x', '\\Seen');
    await appendRaw(c, 'Lists/Child', 'y');
    const withStatus = await c.command('LIST "" "Lists/*" RETURN (STATUS (MESSAGES UNSEEN) SUBSCRIBED)');
    expect(withStatus.lines).toEqual(['* LIST (\\HasNoChildren \\Subscribed) "/" Lists/Child', '* STATUS Lists/Child (MESSAGES 2 UNSEEN 1)']);
    c.close();
  });

  it('CREATE … (USE (…)) makes a special-use mailbox (RFC 6154 §3); what cannot be made is NO [USEATTR]', async () => {
    const c = await RawImap.loggedIn(test.port('imap'), USER, PASSWORD);
    expect((await c.command('CREATE "Sent 2026" (USE (\\Sent))')).status).toBe('OK');
    expect((await c.command('CREATE Outbox/Drafts (USE (\\drafts \\Archive))')).status).toBe('OK');
    const special = await c.command('LIST (SPECIAL-USE) "" *');
    expect(special.lines).toContain('* LIST (\\HasNoChildren \\Sent) "/" "Sent 2026"');
    expect(special.lines).toContain('* LIST (\\HasNoChildren \\Drafts \\Archive) "/" Outbox/Drafts');
    expect(special.lines.some((l) => l.endsWith(' Outbox'))).toBe(false);
    for (const use of ['\\All', '\\Flagged', '\\Important']) {
      const refused = await c.command(`CREATE Virtual (USE (${use}))`);
      expect([refused.status, refused.text], use).toEqual(['NO', expect.stringMatching(/^\[USEATTR\] /)]);
    }
    expect((await c.command('LIST "" Virtual')).lines).toEqual([]);
    expect((await c.command('CREATE Bad (USE)')).status).toBe('BAD');
    expect((await c.command('CREATE Bad (FOO (\\Sent))')).status).toBe('BAD');
    c.close();
  });
});

describe('IMAP mailbox names: modified UTF-7 and length limits', () => {
  /** Every folder in the user's Maildir (Maildir++ ".a.b" names). */
  function folders(): string[] {
    const user = test.engine.context.accounts.findUser(USER)!;
    return fs.readdirSync(path.join(test.dataDir, user.maildir)).filter((name) => name.startsWith('.'));
  }

  it('refuses names that are not valid modified UTF-7 (RFC 3501 §5.1.3) with NO, for CREATE and RENAME', async () => {
    const c = await RawImap.loggedIn(test.port('imap'), USER, PASSWORD);
    const before = folders();
    // a lone "&", an unterminated shift, a NUL, printable ASCII in base64, bits left over, an unpaired surrogate
    for (const name of ['&', 'Tom & Jerry', '&Jjo', '&AAA-', '&AGE-', '&AOkA-', '&2D0-']) {
      const reply = await c.command(`CREATE "${name}"`);
      expect(reply.status, name).toBe('NO');
      expect(reply.text, name).toBe('[CANNOT] Mailbox name is not valid modified UTF-7');
    }
    await c.command('CREATE Utf7Source');
    expect((await c.command('RENAME Utf7Source "&Jjo"')).text).toBe('[CANNOT] Mailbox name is not valid modified UTF-7');
    expect(folders().sort()).toEqual([...before, '.Utf7Source'].sort());
    // valid: "&-" for "&", a Japanese name, UTF-8 sent by a client (stored as mUTF-7)
    expect((await c.command('CREATE "Tom &- Jerry"')).status).toBe('OK');
    expect((await c.command('CREATE "&ZeVnLIqe-"')).status).toBe('OK');
    expect((await c.command('LIST "" "&ZeVnLIqe-"')).lines).toEqual(['* LIST (\\HasNoChildren) "/" &ZeVnLIqe-']);
    c.write(Buffer.from('u1 CREATE "Caf\u00e9"\r\n', 'utf8'));
    expect((await c.until('u1')).status).toBe('OK');
    expect((await c.command('LIST "" "Caf*"')).lines).toEqual(['* LIST (\\HasNoChildren) "/" Caf&AOk-']);
    c.close();
  });

  it('limits the name per level, in levels and as a Maildir++ folder name, with NO and no server path; a refused CREATE makes nothing', async () => {
    const c = await RawImap.loggedIn(test.port('imap'), USER, PASSWORD);
    const before = folders();
    const refusals: Array<[string, RegExp]> = [
      ['x'.repeat(255), /^\[LIMIT\] Mailbox name is too long: a level may have at most 200 bytes$/],
      [`Deep/${'y'.repeat(201)}`, /^\[LIMIT\] Mailbox name is too long: a level may have at most 200 bytes$/],
      // the Maildir++ folder ".Deep.yyy…y.zzz…z" would be 267 bytes
      [`Deep/${'y'.repeat(200)}/${'z'.repeat(60)}`, /^\[LIMIT\] Mailbox name is too long: at most 254 bytes/],
      // a dot inside a level is stored as "%2E": 141 characters make a 282-byte folder name
      [`${'a.'.repeat(70)}a`, /^\[LIMIT\] Mailbox name is too long: at most 254 bytes/],
      [Array.from({ length: 21 }, () => 'Lvl').join('/'), /^\[LIMIT\] Mailbox name has too many levels \(at most 20\)$/],
    ];
    for (const [name, expected] of refusals) {
      const reply = await c.command(`CREATE "${name}"`);
      expect(reply.status, name).toBe('NO');
      expect(reply.text, name).toMatch(expected);
      expect(reply.text).not.toContain(test.dataDir);
      expect(reply.text).not.toMatch(/Maildir|ENAMETOOLONG|mkdir|SERVERBUG/);
    }
    expect((await c.command('LIST "" "Deep*"')).lines).toEqual([]);
    expect((await c.command('LIST "" "Lvl*"')).lines).toEqual([]);
    expect(folders().sort()).toEqual(before.sort());
    // the longest that fit: a 255-byte folder name, 20 levels
    expect((await c.command(`CREATE "${'w'.repeat(200)}/${'v'.repeat(53)}"`)).status).toBe('OK');
    expect((await c.command(`CREATE "${Array.from({ length: 20 }, () => 'M').join('/')}"`)).status).toBe('OK');
    c.close();
  });

  it('RENAME checks the new names of the children too, and a refused RENAME changes nothing', async () => {
    const c = await RawImap.loggedIn(test.port('imap'), USER, PASSWORD);
    await c.command(`CREATE "Short/${'k'.repeat(150)}"`);
    const before = folders();
    const reply = await c.command(`RENAME Short "${'s'.repeat(150)}"`);
    expect(reply.status).toBe('NO');
    expect(reply.text).toMatch(/^\[LIMIT\] Mailbox name is too long/);
    const deep = await c.command(`RENAME Short "${Array.from({ length: 20 }, () => 'Ren').join('/')}"`);
    expect(deep.text).toMatch(/^\[LIMIT\] Mailbox name has too many levels/);
    expect(folders().sort()).toEqual(before.sort());
    expect((await c.command('LIST "" "Short*"')).lines).toHaveLength(2);
    expect((await c.command('LIST "" "Ren*"')).lines).toEqual([]);
    expect((await c.command('LIST "" "sss*"')).lines).toEqual([]);
    c.close();
  });
});

describe('IMAP APPEND, COPY, MOVE, EXPUNGE with UIDPLUS', () => {
  it('APPENDUID, COPYUID and MOVE report the new UIDs; EXPUNGE and UID EXPUNGE remove only \\Deleted', async () => {
    const c = await RawImap.loggedIn(test.port('imap'), USER, PASSWORD);
    await c.command('CREATE Source');
    await c.command('CREATE Target');
    const uids = [];
    for (let i = 1; i <= 5; i++) uids.push(await appendRaw(c, 'Source', `m${i}`));
    expect(uids).toEqual([1, 2, 3, 4, 5]);
    expect((await c.command('APPEND Missing {3+}\r\nabc')).text).toMatch(/TRYCREATE/);
    await c.command('SELECT Source');
    const target = (await c.command('STATUS Target (UIDVALIDITY)')).lines[0]!;
    const validity = /UIDVALIDITY (\d+)/.exec(target)![1];
    const copied = await c.command('UID COPY 2:3 Target');
    expect(copied.text).toBe(`[COPYUID ${validity} 2:3 1:2] COPY completed`);
    expect((await c.command('COPY 1 Nowhere')).text).toMatch(/TRYCREATE/);
    const moved = await c.command('MOVE 4 Target');
    expect(moved.lines[0]).toBe(`* OK [COPYUID ${validity} 4 3] Moved`);
    expect(moved.lines[1]).toBe('* 4 EXPUNGE');
    expect(moved.status).toBe('OK');
    await c.command('STORE 1,2 +FLAGS.SILENT (\\Deleted)');
    const uidExpunge = await c.command('UID EXPUNGE 2');
    expect(uidExpunge.lines).toEqual(['* 2 EXPUNGE']);
    const expunge = await c.command('EXPUNGE');
    expect(expunge.lines).toEqual(['* 1 EXPUNGE']);
    const left = await c.command('UID SEARCH ALL');
    expect(left.lines[0]).toBe('* SEARCH 3 5');
    await c.command('SELECT Target');
    const moves = await c.command('UID FETCH 1:* (BODY.PEEK[HEADER.FIELDS (SUBJECT)])');
    expect(moves.lines.map((l) => /Subject: (\S+)/.exec(l)?.[1])).toEqual(['m2', 'm3', 'm4']);
    await c.command('STORE 1 +FLAGS (\\Deleted)');
    await c.command('CLOSE');
    expect((await c.command('STATUS Target (MESSAGES)')).lines[0]).toBe('* STATUS Target (MESSAGES 2)');
    await c.command('EXAMINE Target');
    expect((await c.command('EXPUNGE')).text).toMatch(/READ-ONLY/);
    expect((await c.command('STORE 1 +FLAGS (\\Seen)')).status).toBe('NO');
    c.close();
  });

  it('imapflow: append, copy, move and flags round-trip', async () => {
    const client = flow(test.port('imap'));
    await client.connect();
    await client.mailboxCreate('Flow');
    const appended = await client.append('Flow', 'Subject: flow\r\n\r\nhi\r\n', ['\\Flagged', '$Label1']);
    expect(appended && appended.uid).toBe(1);
    const lock = await client.getMailboxLock('Flow');
    try {
      const message = await client.fetchOne('1', { flags: true, uid: true });
      expect(message && [...message.flags!].sort()).toEqual(['$Label1', '\\Flagged', '\\Recent']);
      await client.messageFlagsAdd('1', ['\\Seen']);
      const copy = await client.messageCopy('1', 'Archive');
      expect(copy && copy.uidMap?.get(1)).toBeGreaterThan(0);
      const moved = await client.messageMove('1', 'Trash');
      expect(moved && moved.destination).toBe('Trash');
    } finally {
      lock.release();
    }
    const status = await client.status('Trash', { messages: true, unseen: true });
    expect(status && status.messages).toBe(1);
    expect(status && status.unseen).toBe(0);
    await client.logout();
  });
});

describe('IMAP flags in the Maildir', () => {
  /** The Maildir++ folder of one of USER's mailboxes on disk. */
  const folderOf = (name: string) => path.join(test.dataDir, test.engine.context.accounts.findUser(USER)!.maildir, `.${name}`);

  it('mirrors system flags and keywords into file names, keywords as Dovecot letters', async () => {
    const c = await RawImap.loggedIn(test.port('imap'), USER, PASSWORD);
    await c.command('CREATE Keywords');
    await appendRaw(c, 'Keywords', 'kw', '\\Seen $Work');
    await c.command('SELECT Keywords');
    await c.command('STORE 1 +FLAGS ($Home \\Flagged)');
    c.close();
    const folder = folderOf('Keywords');
    const files = fs.readdirSync(path.join(folder, 'cur'));
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(/:2,FSab$/);
    expect(fs.readFileSync(path.join(folder, 'dovecot-keywords'), 'utf8')).toBe('0 $Work\n1 $Home\n');
  });

  it('starts the letters afresh in a mailbox created again under a deleted one\'s name', async () => {
    const c = await RawImap.loggedIn(test.port('imap'), USER, PASSWORD);
    await c.command('CREATE Again');
    await appendRaw(c, 'Again', 'first life', '$Old $Work');
    await c.command('DELETE Again');
    await c.command('CREATE Again');
    await appendRaw(c, 'Again', 'second life', '$Work');
    c.close();
    const folder = folderOf('Again');
    expect(fs.readdirSync(path.join(folder, 'cur'))[0]).toMatch(/:2,a$/);
    expect(fs.readFileSync(path.join(folder, 'dovecot-keywords'), 'utf8')).toBe('0 $Work\n');
  });
});

describe('IMAP UIDs across restarts', () => {
  it('keeps UIDVALIDITY and UIDs, and UIDs keep ascending after a restart', async () => {
    const own = await startTestEngine();
    await own.addUser(USER, PASSWORD);
    let c = await RawImap.connect(own.port('imap'));
    await c.login(USER, PASSWORD);
    await appendRaw(c, 'INBOX', 'one');
    await appendRaw(c, 'INBOX', 'two');
    await appendRaw(c, 'INBOX', 'three');
    await c.command('SELECT INBOX');
    await c.command('STORE 3 +FLAGS (\\Deleted)');
    await c.command('EXPUNGE');
    const before = await c.command('STATUS INBOX (UIDVALIDITY UIDNEXT)');
    c.close();
    await own.engine.stop();
    const engine = await startEngine({ dataDir: own.dataDir, print: null });
    try {
      c = await RawImap.connect(engine.status('imap').port);
      await c.login(USER, PASSWORD);
      expect((await c.command('STATUS INBOX (UIDVALIDITY UIDNEXT)')).lines[0]).toBe(before.lines[0]);
      expect(await appendRaw(c, 'INBOX', 'four')).toBe(4);
      await c.command('SELECT INBOX');
      expect((await c.command('UID SEARCH ALL')).lines[0]).toBe('* SEARCH 1 2 4');
      c.close();
    } finally {
      await engine.stop();
      fs.rmSync(own.dataDir, { recursive: true, force: true });
    }
  });
});

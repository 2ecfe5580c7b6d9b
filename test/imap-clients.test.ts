// Real clients: Python's imaplib through a whole session, and mbsync (isync, from Debian)
// syncing a mailbox both ways — flags, a new folder, a deletion.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestEngine, type TestEngine } from './helpers/engine.js';
import { RawImap } from './imap-helpers.js';

const run = promisify(execFile);
let test: TestEngine;
const USER = 'bob@lanpost.lan';
const PASSWORD = 'correct horse battery';

beforeAll(async () => {
  test = await startTestEngine({ users: { [USER]: PASSWORD } });
});
afterAll(() => test.stop());

const IMAPLIB_SCRIPT = `
import imaplib, json, sys
port = int(sys.argv[1])
out = {}
M = imaplib.IMAP4('127.0.0.1', port)
out['caps'] = list(M.capabilities)
M.login(${JSON.stringify(USER)}, ${JSON.stringify(PASSWORD)})
out['create'] = M.create('Py')[0]
for i in range(3):
    typ, data = M.append('Py', '(\\\\Flagged)' if i == 1 else None, imaplib.Time2Internaldate(1700000000 + i), ('Subject: py %d\\r\\nFrom: p@example.org\\r\\n\\r\\nbody %d\\r\\n' % (i, i)).encode())
    out.setdefault('append', []).append(data[0].decode())
typ, data = M.select('Py')
out['exists'] = data[0].decode()
out['search'] = M.search(None, 'FLAGGED')[1][0].decode()
out['uidsearch'] = M.uid('SEARCH', None, 'ALL')[1][0].decode()
typ, data = M.fetch('2', '(BODY.PEEK[HEADER.FIELDS (SUBJECT)] FLAGS)')
out['fetch'] = data[0][1].decode()
out['store'] = M.store('1', '+FLAGS', '\\\\Deleted')[0]
out['copy'] = M.copy('3', 'INBOX')[1][0].decode()
typ, data = M.expunge()
out['expunge'] = [d.decode() for d in data]
out['status'] = M.status('Py', '(MESSAGES UIDNEXT)')[1][0].decode()
out['list'] = [d.decode() for d in M.list('""', 'P*')[1]]
out['close'] = M.close()[0]
out['logout'] = M.logout()[0]
print(json.dumps(out))
`;

describe('Python imaplib', () => {
  it('runs a whole session', async () => {
    const { stdout } = await run('python3', ['-c', IMAPLIB_SCRIPT, String(test.port('imap'))], { timeout: 20_000 });
    const out = JSON.parse(stdout);
    expect(out.caps).toContain('IMAP4REV1');
    expect(out.create).toBe('OK');
    expect(out.append[2]).toMatch(/^\[APPENDUID \d+ 3\]/);
    expect(out.exists).toBe('3');
    expect(out.search).toBe('2');
    expect(out.uidsearch).toBe('1 2 3');
    expect(out.fetch).toBe('Subject: py 1\r\n\r\n');
    expect(out.store).toBe('OK');
    expect(out.copy).toMatch(/^\[COPYUID \d+ 3 \d+\]/);
    expect(out.expunge).toEqual(['1']);
    expect(out.status).toMatch(/^Py \(MESSAGES 2 UIDNEXT 4\)$/);
    expect(out.list).toEqual(['(\\HasNoChildren) "/" Py']);
    expect(out.close).toBe('OK');
    expect(out.logout).toBe('BYE');
  });
});

const hasMbsync = fs.existsSync('/usr/bin/mbsync');

describe.skipIf(!hasMbsync)('mbsync (isync) two-way sync', () => {
  it('syncs messages down, and flags, a new folder and a deletion up', async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'lanpost-mbsync-'));
    try {
      const c = await RawImap.loggedIn(test.port('imap'), USER, PASSWORD);
      await c.command('CREATE Sync');
      for (const subject of ['first', 'second', 'third']) {
        const message = `From: a@example.org\r\nSubject: ${subject}\r\nMessage-ID: <${subject}@example.org>\r\n\r\n${subject} body\r\n`;
        c.write(`a APPEND Sync {${message.length}+}\r\n${message}\r\n`);
        await c.until('a');
      }
      const local = path.join(root, 'mail');
      fs.mkdirSync(local);
      const config = path.join(root, 'mbsyncrc');
      fs.writeFileSync(
        config,
        [
          'IMAPAccount lanpost',
          'Host 127.0.0.1',
          `Port ${test.port('imap')}`,
          `User ${USER}`,
          `Pass "${PASSWORD}"`,
          'SSLType None',
          'AuthMechs LOGIN',
          '',
          'IMAPStore remote',
          'Account lanpost',
          '',
          'MaildirStore local',
          `Path ${local}/`,
          `Inbox ${local}/INBOX`,
          'SubFolders Verbatim',
          '',
          'Channel sync',
          'Far :remote:',
          'Near :local:',
          'Patterns Sync Local',
          'Create Both',
          'Expunge Both',
          'Sync All',
          `SyncState ${root}/state/`,
          '',
        ].join('\n'),
      );
      fs.mkdirSync(path.join(root, 'state'));
      const mbsync = () => run('mbsync', ['-c', config, '-a'], { timeout: 30_000 });
      await mbsync();
      const cur = path.join(local, 'Sync', 'cur');
      const news = path.join(local, 'Sync', 'new');
      const files = () => [...fs.readdirSync(cur).map((f) => path.join(cur, f)), ...fs.readdirSync(news).map((f) => path.join(news, f))];
      expect(files()).toHaveLength(3);
      const bySubject = (subject: string) => files().find((f) => fs.readFileSync(f, 'utf8').includes(`Subject: ${subject}`))!;
      // locally: flag "first" as seen and flagged, delete "second", add a folder with a message
      const first = bySubject('first');
      const base = path.basename(first).replace(/:2,.*$/, '');
      fs.renameSync(first, path.join(cur, `${base}:2,FS`));
      fs.unlinkSync(bySubject('second'));
      for (const sub of ['cur', 'new', 'tmp']) fs.mkdirSync(path.join(local, 'Local', sub), { recursive: true });
      fs.writeFileSync(path.join(local, 'Local', 'new', '1700000000.1.host'), 'From: me@example.org\r\nSubject: made locally\r\n\r\nlocal\r\n');
      await mbsync();
      await c.command('SELECT Sync');
      const state = await c.command('FETCH 1:* (FLAGS BODY.PEEK[HEADER.FIELDS (SUBJECT)])');
      expect(state.lines).toHaveLength(2);
      expect(state.lines[0]).toMatch(/\\Seen/);
      expect(state.lines[0]).toMatch(/\\Flagged/);
      expect(state.lines[0]).toContain('Subject: first');
      expect(state.lines[1]).toContain('Subject: third');
      const localFolder = await c.command('STATUS Local (MESSAGES)');
      expect(localFolder.lines[0]).toBe('* STATUS Local (MESSAGES 1)');
      c.close();
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  }, 60_000);
});

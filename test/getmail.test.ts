// getmail6 (Debian's getmail6) as the client: POP3 over TLS on 995 and IMAP over TLS on 993, the
// server certificate checked against LanPost's CA with the mail host's name. It remembers what it
// fetched (POP3 UIDL, IMAP UIDs), so a second run fetches nothing; with `delete` the mailbox ends
// empty on the server.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestEngine, type TestEngine } from './helpers/engine.js';
import { maildirFiles } from './helpers/mail.js';
import { caFile, deliver, inboxRows, run } from './helpers/pop3.js';

const PASSWORD = 'getmail password 1';
let test: TestEngine;
let home: string;

beforeAll(async () => {
  test = await startTestEngine();
  // getmail refuses to deliver as root: as root it delivers as nobody, who must reach the Maildir.
  home = fs.mkdtempSync(path.join(os.tmpdir(), 'lanpost-getmail-'));
  fs.chmodSync(home, 0o755);
});
afterAll(async () => {
  await test?.stop();
  fs.rmSync(home, { recursive: true, force: true });
});

const sample = (i: number) => `From: a@example.org\r\nTo: gm@lanpost.lan\r\nSubject: getmail ${i}\r\n\r\nbody ${i}\r\n.a dotted line\r\n`;

/** A getmail set-up for one retriever: its rc file, its state folder and its destination Maildir. */
function setUp(name: string, retriever: string, port: number, address: string, options: { delete: boolean }) {
  const dir = path.join(home, name);
  const maildir = path.join(dir, 'Maildir');
  for (const sub of ['cur', 'new', 'tmp']) fs.mkdirSync(path.join(maildir, sub), { recursive: true });
  const asRoot = process.getuid?.() === 0;
  if (asRoot) for (const d of [dir, maildir, ...['cur', 'new', 'tmp'].map((s) => path.join(maildir, s))]) fs.chownSync(d, 65534, 65534);
  const rc = path.join(dir, 'getmailrc');
  const write = (del: boolean) =>
    fs.writeFileSync(
      rc,
      [
        '[retriever]',
        `type = ${retriever}`,
        'server = 127.0.0.1',
        `port = ${port}`,
        `username = ${address}`,
        `password = ${PASSWORD}`,
        `ca_certs = ${caFile(test)}`,
        'ssl_hostname = mail.lanpost.lan',
        ...(retriever.includes('IMAP') ? ['mailboxes = ("INBOX",)'] : []),
        '[destination]',
        'type = Maildir',
        `path = ${maildir}/`,
        ...(asRoot ? ['user = nobody'] : []),
        '[options]',
        'read_all = false',
        `delete = ${del}`,
        'verbose = 2',
      ].join('\n') + '\n',
    );
  write(options.delete);
  return {
    fetch: () => run('getmail', ['--getmaildir', dir, '--rcfile', rc]),
    fetched: () => fs.readdirSync(path.join(maildir, 'new')).map((f) => fs.readFileSync(path.join(maildir, 'new', f), 'utf8')),
    deleteFromNowOn: () => write(true),
  };
}

const retrieved = (output: { stdout: string; stderr: string }) => Number(/Retrieved (\d+) message/.exec(output.stdout + output.stderr)?.[1] ?? 0);

describe('getmail6', () => {
  it('fetches over POP3 on 995 once, remembers the UIDLs, then fetches the new message only and deletes with `delete`', async () => {
    const address = (await test.addUser('gm-pop@lanpost.lan', PASSWORD)).address;
    for (const i of [1, 2, 3]) await deliver(test, address, sample(i));
    const getmail = setUp('pop', 'SimplePOP3SSLRetriever', test.port('pop3s'), address, { delete: false });

    const first = await getmail.fetch();
    expect(first.code, first.stdout + first.stderr).toBe(0);
    expect(retrieved(first)).toBe(3);
    for (const i of [1, 2, 3]) expect(getmail.fetched().some((m) => m.includes(`Subject: getmail ${i}`) && m.includes('\n.a dotted line\n'))).toBe(true);

    expect(retrieved(await getmail.fetch())).toBe(0);
    await deliver(test, address, sample(4));
    expect(retrieved(await getmail.fetch())).toBe(1);
    expect(getmail.fetched()).toHaveLength(4);
    expect(inboxRows(test, address)).toHaveLength(4);

    getmail.deleteFromNowOn();
    const last = await getmail.fetch();
    expect(last.code, last.stdout + last.stderr).toBe(0);
    expect(inboxRows(test, address)).toHaveLength(0);
    expect(maildirFiles(test, address)).toHaveLength(0);
  });

  it('fetches over IMAP on 993 once, remembers the UIDs, and deletes with `delete`', async () => {
    const address = (await test.addUser('gm-imap@lanpost.lan', PASSWORD)).address;
    for (const i of [1, 2]) await deliver(test, address, sample(i));
    const getmail = setUp('imap', 'SimpleIMAPSSLRetriever', test.port('imaps'), address, { delete: false });

    const first = await getmail.fetch();
    expect(first.code, first.stdout + first.stderr).toBe(0);
    expect(retrieved(first)).toBe(2);
    expect(getmail.fetched().filter((m) => /Subject: getmail [12]/.test(m))).toHaveLength(2);
    expect(retrieved(await getmail.fetch())).toBe(0);

    await deliver(test, address, sample(3));
    getmail.deleteFromNowOn();
    const last = await getmail.fetch();
    expect(retrieved(last)).toBe(1);
    expect(getmail.fetched()).toHaveLength(3);
    expect(inboxRows(test, address)).toHaveLength(0);
  });
});

// POP3 against real clients: Python's poplib (STLS and 995), curl pop3:// and pop3s://, fetchmail
// pulling a mailbox with keep and with delete; an SMTP → POP3 round trip byte for byte; UIDL
// across an engine restart; the plaintext-login policy from an untrusted address.
import fs from 'node:fs';
import path from 'node:path';
import { ImapFlow } from 'imapflow';
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEngine } from '../server/engine.js';
import { startTestEngine, tempDataDir, type TestEngine } from './helpers/engine.js';
import { maildirFiles, withoutTraceHeaders } from './helpers/mail.js';
import { caFile, deliver, inboxRows, poplib, Pop3Client, run, unstuff } from './helpers/pop3.js';

const PASSWORD = 'correct horse battery';
let test: TestEngine;
let userCount = 0;

async function freshUser(messages: string[] = []): Promise<string> {
  const address = `client${++userCount}@lanpost.lan`;
  await test.addUser(address, PASSWORD);
  for (const message of messages) await deliver(test, address, message);
  return address;
}

const sample = (i: number) => `From: a@example.org\r\nTo: b@lanpost.lan\r\nSubject: sample ${i}\r\n\r\nbody ${i}\r\n.a line with a dot\r\n`;

beforeAll(async () => {
  test = await startTestEngine();
});
afterAll(() => test.stop());

describe('POP3 with Python poplib', () => {
  it('logs in after STLS on 110 and walks a mailbox: STAT, LIST, UIDL, TOP, RETR, DELE, RSET', async () => {
    const address = await freshUser([sample(1), sample(2), sample(3)]);
    const rows = inboxRows(test, address);
    const result = (await poplib(
      `
p = poplib.POP3('127.0.0.1', ARGS['port'], timeout=10)
before = sorted(p.capa().keys())
p.stls(ssl.create_default_context(cafile=ARGS['ca']))
after = sorted(p.capa().keys())
p.user(ARGS['user']); p.pass_(ARGS['password'])
stat = p.stat()
listing = p.list()[1]
uidl = p.uidl()[1]
top = p.top(2, 0)[1]
retr = p.retr(3)[1]
p.dele(1); p.dele(2)
stat_after_dele = p.stat()
p.rset()
stat_after_rset = p.stat()
p.dele(3)
quit = p.quit()
out(dict(before=before, after=after, stat=stat, listing=listing, uidl=uidl, top=top, retr=retr,
         stat_after_dele=stat_after_dele, stat_after_rset=stat_after_rset, quit=quit))
`,
      { port: test.port('pop3'), ca: caFile(test), user: address, password: PASSWORD },
    )) as Record<string, unknown>;
    expect(result.before).toContain('STLS');
    expect(result.after).not.toContain('STLS');
    expect(result.after).toEqual(expect.arrayContaining(['USER', 'SASL', 'TOP', 'UIDL']));
    const size = Buffer.byteLength(sample(1));
    expect(result.stat).toEqual([3, 3 * size]);
    expect(result.listing).toEqual([`1 ${size}`, `2 ${size}`, `3 ${size}`]);
    expect(result.uidl).toEqual(rows.map((r, i) => `${i + 1} ${r.guid}`));
    expect(result.top).toEqual(['From: a@example.org', 'To: b@lanpost.lan', 'Subject: sample 2', '']);
    expect(result.retr).toEqual(sample(3).slice(0, -2).split('\r\n'));
    expect(result.stat_after_dele).toEqual([1, size]);
    expect(result.stat_after_rset).toEqual([3, 3 * size]);
    expect(result.quit).toMatch(/^\+OK/);
    expect(inboxRows(test, address).map((r) => r.guid)).toEqual([rows[0]!.guid, rows[1]!.guid]);
  });

  it('works over implicit TLS on 995 (certificate checked against the LanPost CA)', async () => {
    const address = await freshUser([sample(1)]);
    const result = (await poplib(
      `
p = poplib.POP3_SSL('127.0.0.1', ARGS['port'], context=ssl.create_default_context(cafile=ARGS['ca']), timeout=10)
welcome = p.getwelcome()
capa = sorted(p.capa().keys())
p.user(ARGS['user']); p.pass_(ARGS['password'])
retr = p.retr(1)[1]
version = p.sock.version()
p.quit()
out(dict(welcome=welcome, capa=capa, retr=retr, version=version))
`,
      { port: test.port('pop3s'), ca: caFile(test), user: address, password: PASSWORD },
    )) as Record<string, unknown>;
    expect(result.welcome).toMatch(/^\+OK/);
    expect(result.capa).not.toContain('STLS');
    expect(result.capa).toContain('USER');
    expect(result.version).toMatch(/^TLSv1\.[23]$/);
    expect(result.retr).toEqual(sample(1).slice(0, -2).split('\r\n'));
  });

  it('delivers over SMTP and retrieves over POP3 byte for byte', async () => {
    const address = await freshUser();
    const raw =
      `From: alice@example.org\r\nTo: ${address}\r\nSubject: round trip\r\nMessage-ID: <rt@example.org>\r\n` +
      'Date: Sat, 28 Nov 2026 10:00:00 +0000\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n' +
      '.leading dot\r\n..two dots\r\n.\r\nGrüße, 你好\r\ntrailing spaces   \r\n\r\n\tTab line\r\n';
    const transport = nodemailer.createTransport({ host: '127.0.0.1', port: test.port('smtp'), secure: false, ignoreTLS: true });
    await transport.sendMail({ envelope: { from: 'alice@example.org', to: [address] }, raw });
    const stored = fs.readFileSync(maildirFiles(test, address)[0]!);
    expect(withoutTraceHeaders(stored).toString('utf8')).toBe(raw);

    const result = (await poplib(
      `
import base64
p = poplib.POP3('127.0.0.1', ARGS['port'], timeout=10)
p.user(ARGS['user']); p.pass_(ARGS['password'])
status, lines, octets = p.retr(1)
p.quit()
out(dict(status=status, octets=octets, message=base64.b64encode(b'\\r\\n'.join(lines) + b'\\r\\n').decode()))
`,
      { port: test.port('pop3'), user: address, password: PASSWORD },
    )) as { status: string; message: string };
    const retrieved = Buffer.from(result.message, 'base64');
    expect(result.status).toBe(`+OK ${stored.length} octets`);
    expect(retrieved.equals(stored)).toBe(true);
    expect(withoutTraceHeaders(retrieved).toString('utf8')).toBe(raw);
  });
});

describe('POP3 with curl', () => {
  const login = (address: string) => ['--user', `${address}:${PASSWORD}`, '--max-time', '15', '-sS'];

  it('lists and retrieves over pop3:// (plaintext allowed from loopback) and with --ssl-reqd (STLS)', async () => {
    const address = await freshUser([sample(1), sample(2)]);
    const port = test.port('pop3');
    const list = await run('curl', [...login(address), `pop3://127.0.0.1:${port}/`]);
    expect(list.code).toBe(0);
    const size = Buffer.byteLength(sample(1));
    expect(list.stdout).toBe(`1 ${size}\r\n2 ${size}\r\n`);
    const retr = await run('curl', [...login(address), `pop3://127.0.0.1:${port}/2`]);
    expect(retr.stdout).toBe(sample(2));
    const stls = await run('curl', [
      ...login(address),
      '--ssl-reqd',
      '--cacert',
      caFile(test),
      '--resolve',
      `localhost:${port}:127.0.0.1`,
      '-X',
      'UIDL',
      `pop3://localhost:${port}/`,
    ]);
    expect(stls.stderr).toBe('');
    expect(stls.stdout).toBe(inboxRows(test, address).map((r, i) => `${i + 1} ${r.guid}\r\n`).join(''));
  });

  it('retrieves over pop3s:// with the CA and with -k, and TOP n 0 gives the header only', async () => {
    const address = await freshUser([sample(1)]);
    const port = test.port('pop3s');
    const retr = await run('curl', [...login(address), '--cacert', caFile(test), '--resolve', `localhost:${port}:127.0.0.1`, `pop3s://localhost:${port}/1`]);
    expect(retr.stderr).toBe('');
    expect(retr.stdout).toBe(sample(1));
    const top = await run('curl', [...login(address), '-k', '-X', 'TOP 1 0', `pop3s://127.0.0.1:${port}/`]);
    expect(top.stdout).toBe('From: a@example.org\r\nTo: b@lanpost.lan\r\nSubject: sample 1\r\n\r\n');
    const wrong = await run('curl', ['--user', `${address}:wrong`, '--max-time', '15', '-sS', '-k', `pop3s://127.0.0.1:${port}/`]);
    expect(wrong.code).toBe(67); // CURLE_LOGIN_DENIED
  });
});

describe('POP3 with fetchmail', () => {
  it('pulls a mailbox with keep (mail stays, UIDL remembered), then with delete (mail gone)', async () => {
    const address = await freshUser([sample(1), sample(2), sample(3)]);
    const home = fs.mkdtempSync(path.join(test.dataDir, 'fetchmail-'));
    const outDir = path.join(home, 'out');
    fs.mkdirSync(outDir);
    const rc = path.join(home, 'fetchmailrc');
    const writeRc = (options: string) =>
      fs.writeFileSync(
        rc,
        `poll localhost via 127.0.0.1 with proto POP3 port ${test.port('pop3')}:\n` +
          `  user "${address}" there with password "${PASSWORD}" is "${process.env.USER ?? 'root'}" here\n` +
          `  options ${options} sslcertfile "${caFile(test)}" sslcertck sslcommonname "mail.lanpost.lan"\n` +
          `  mda "sh -c 'cat > ${outDir}/msg.$$'"\n`,
        { mode: 0o600 },
      );
    const fetchmail = () => run('fetchmail', ['-f', rc, '--nosyslog', '-v'], { env: { FETCHMAILHOME: home } });
    const fetched = () => fs.readdirSync(outDir).map((name) => fs.readFileSync(path.join(outDir, name), 'utf8'));

    writeRc('keep');
    const keep = await fetchmail();
    expect(keep.code, keep.stderr + keep.stdout).toBe(0); // 0: mail retrieved
    expect(`${keep.stdout}${keep.stderr}`).toContain('STLS');
    expect(fetched()).toHaveLength(3);
    for (const i of [1, 2, 3]) expect(fetched().some((m) => m.endsWith(sample(i).replace(/\r\n/g, '\n')))).toBe(true);
    expect(inboxRows(test, address)).toHaveLength(3);

    const again = await fetchmail();
    expect(again.code).toBe(1); // 1: no new mail, the UIDLs were remembered
    expect(fetched()).toHaveLength(3);

    writeRc('nokeep fetchall');
    const take = await fetchmail();
    expect(take.code, take.stderr + take.stdout).toBe(0);
    expect(fetched()).toHaveLength(6);
    expect(inboxRows(test, address)).toHaveLength(0);
    expect(maildirFiles(test, address)).toHaveLength(0);
  });
});

describe('POP3 and IMAP on one mailbox', () => {
  it('a message deleted over POP3 leaves the IMAP INBOX (an open IMAP session is told), and one expunged over IMAP leaves POP3', async () => {
    const address = await freshUser([sample(1), sample(2), sample(3)]);
    const imap = new ImapFlow({
      host: '127.0.0.1',
      port: test.port('imap'),
      secure: false,
      auth: { user: address, pass: PASSWORD },
      logger: false,
      tls: { rejectUnauthorized: false },
    });
    await imap.connect();
    try {
      await imap.mailboxOpen('INBOX');
      const expunged: number[] = [];
      imap.on('expunge', (event: { seq: number }) => expunged.push(event.seq));

      const pop = await Pop3Client.connect(test.port('pop3'));
      await pop.login(address, PASSWORD);
      expect(await pop.command('DELE 2')).toMatch(/^\+OK/);
      expect(await pop.quit()).toMatch(/1 message deleted/);

      await imap.noop(); // the selected IMAP session learns of the expunge
      expect(expunged).toEqual([2]);
      const subjects = async () => {
        const found: string[] = [];
        for await (const message of imap.fetch('1:*', { envelope: true })) found.push(message.envelope?.subject ?? '');
        return found;
      };
      expect(await subjects()).toEqual(['sample 1', 'sample 3']);

      // and the other way: IMAP expunges "sample 1"; a POP3 session no longer lists it
      await imap.messageDelete('1');
      expect(await subjects()).toEqual(['sample 3']);
    } finally {
      await imap.logout();
    }
    const pop = await Pop3Client.connect(test.port('pop3'));
    await pop.login(address, PASSWORD);
    expect(await pop.command('STAT')).toBe(`+OK 1 ${Buffer.byteLength(sample(3))}`);
    expect((await pop.multi('RETR 1')).body.toString()).toBe(sample(3).replace('\r\n.a line', '\r\n..a line'));
    expect((await pop.lines('UIDL')).lines).toEqual(inboxRows(test, address).map((r, i) => `${i + 1} ${r.guid}`));
    await pop.quit();
  });
});

describe('POP3 UIDL across an engine restart', () => {
  it('gives the same unique ids after the engine restarts', async () => {
    const dataDir = tempDataDir();
    const first = await startTestEngine({ dataDir });
    try {
      await first.addUser('carol@lanpost.lan', PASSWORD);
      for (const i of [1, 2, 3]) await deliver(first, 'carol@lanpost.lan', sample(i));
      const before = await Pop3Client.connect(first.port('pop3'));
      await before.login('carol@lanpost.lan', PASSWORD);
      const uidsBefore = (await before.lines('UIDL')).lines;
      await before.quit();
      await first.engine.stop();

      const second = await startEngine({ dataDir, print: null });
      try {
        const after = await Pop3Client.connect(second.status('pop3').port);
        expect(await after.login('carol@lanpost.lan', PASSWORD)).toMatch(/^\+OK/);
        expect((await after.lines('UIDL')).lines).toEqual(uidsBefore);
        await after.quit();
      } finally {
        await second.stop();
      }
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe('POP3 sizes on the wire across an engine restart', () => {
  it('remembers them in the Maildir, so LIST after a restart does not read the messages again; a damaged record is ignored', async () => {
    const dataDir = tempDataDir();
    const bareLf = 'From: b@example.org\nSubject: written by another MTA\n\nline\n'; // 4 bare LFs: 4 more octets on the wire
    const login = async (port: number) => {
      const client = await Pop3Client.connect(port);
      expect(await client.login('dave@lanpost.lan', PASSWORD)).toMatch(/^\+OK/);
      return client;
    };
    try {
      const first = await startTestEngine({ dataDir });
      await first.addUser('dave@lanpost.lan', PASSWORD);
      const row = await deliver(first, 'dave@lanpost.lan', bareLf);
      const { accounts, mailStore } = first.engine.context;
      const user = accounts.findUser('dave@lanpost.lan')!;
      const inbox = mailStore.getMailbox(user.id, 'INBOX')!;
      const file = mailStore.files(user, inbox).path(row);
      const record = path.join(mailStore.folderPath(user, inbox), 'lanpost-pop3-sizes');
      const before = await login(first.port('pop3'));
      expect(await before.command('LIST 1')).toBe(`+OK 1 ${bareLf.length + 4}`);
      await before.quit();
      await first.engine.stop(); // writes down what it measured
      expect(fs.readFileSync(record, 'latin1')).toBe(`${row.guid} 4\n`);
      fs.appendFileSync(record, 'junk\0 12\nnot a whole line'); // garbage, and a line cut short by a crash

      let later = '';
      const second = await startEngine({ dataDir, print: null });
      try {
        // With the message file away, a size that had to be measured would be the indexed size.
        fs.renameSync(file, `${file}.away`);
        const after = await login(second.status('pop3').port);
        expect(await after.command('LIST 1')).toBe(`+OK 1 ${bareLf.length + 4}`);
        fs.renameSync(`${file}.away`, file);
        expect(unstuff((await after.multi('RETR 1')).body).toString()).toBe(bareLf.replace(/\n/g, '\r\n'));
        await after.quit();
        // A message measured now is written on a line of its own, after the one cut short.
        later = (await second.context.mailStore.appendMessage(user, inbox, Buffer.from('Subject: later\n\nbare\n'), { inNew: true })).guid;
        const third = await login(second.status('pop3').port);
        expect((await third.lines('LIST')).lines).toEqual([`1 ${bareLf.length + 4}`, `2 ${'Subject: later\n\nbare\n'.length + 3}`]);
        await third.quit();
      } finally {
        await second.stop();
      }
      expect(fs.readFileSync(record, 'latin1').split('\n')).toContain(`${later} 3`);
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe('POP3 plaintext-login policy from an untrusted address', () => {
  let untrusted: TestEngine;
  beforeAll(async () => {
    untrusted = await startTestEngine({
      change: (settings) => {
        settings.trustedNetworks = ['10.0.0.0/8']; // 127.0.0.1 is not trusted here
        settings.limits.connectionsPerClient = 3;
      },
    });
    await untrusted.addUser('dave@lanpost.lan', PASSWORD);
    await deliver(untrusted, 'dave@lanpost.lan', sample(1));
  });
  afterAll(() => untrusted.stop());

  it('hides USER and SASL PLAIN before STLS, refuses them with [AUTH], and allows them after STLS', async () => {
    const client = await Pop3Client.connect(untrusted.port('pop3'));
    const capa = (await client.lines('CAPA')).lines;
    expect(capa).toContain('STLS');
    expect(capa).not.toContain('USER');
    expect(capa.some((line) => line.startsWith('SASL'))).toBe(false);
    const refusal = '-ERR [AUTH] Plaintext authentication is not allowed on an unencrypted connection; use STLS first';
    expect(await client.command('USER dave@lanpost.lan')).toBe(refusal);
    expect(await client.command(`AUTH PLAIN ${Buffer.from(`\0dave@lanpost.lan\0${PASSWORD}`).toString('base64')}`)).toBe(refusal);
    expect((await client.lines('AUTH')).lines).toEqual([]);
    expect(await client.startTls(fs.readFileSync(caFile(untrusted)))).toMatch(/^\+OK/);
    const secureCapa = (await client.lines('CAPA')).lines;
    expect(secureCapa).toEqual(expect.arrayContaining(['USER', 'SASL PLAIN']));
    expect(secureCapa).not.toContain('STLS');
    expect(await client.login('dave@lanpost.lan', PASSWORD)).toBe('+OK Logged in, 1 message');
    await client.quit();

    const result = (await poplib(
      `
p = poplib.POP3('127.0.0.1', ARGS['port'], timeout=10)
try:
    p.user(ARGS['user'])
    refused = None
except poplib.error_proto as e:
    refused = e.args[0]
p.stls(ssl.create_default_context(cafile=ARGS['ca']))
p.user(ARGS['user']); p.pass_(ARGS['password'])
stat = p.stat()
p.quit()
out(dict(refused=refused, stat=stat))
`,
      { port: untrusted.port('pop3'), ca: caFile(untrusted), user: 'dave@lanpost.lan', password: PASSWORD },
    )) as { refused: string; stat: number[] };
    expect(result.refused).toBe(refusal);
    expect(result.stat[0]).toBe(1);
  });

  it('discards commands pipelined after STLS in plaintext (RFC 2595 §4)', async () => {
    const client = await Pop3Client.connect(untrusted.port('pop3'));
    client.send('STLS\r\nCAPA\r\n');
    expect(await client.readLine()).toBe('+OK Begin TLS negotiation');
    await client.handshake(fs.readFileSync(caFile(untrusted)));
    // Had CAPA been acted on, its answer would come first (or would have broken the handshake).
    expect(await client.command('QUIT')).toBe('+OK LanPost POP3 server signing off');
    await client.closed();
    expect(client.unread()).toBe('');
  });

  it('allows plaintext login on 995 (TLS from the first byte)', async () => {
    const client = await Pop3Client.connect(untrusted.port('pop3s'), { tls: true, ca: fs.readFileSync(caFile(untrusted)) });
    expect((await client.lines('CAPA')).lines).toContain('USER');
    expect(await client.login('dave@lanpost.lan', PASSWORD)).toMatch(/^\+OK/);
    await client.quit();
  });

  it('refuses connections over the per-client limit with -ERR [SYS/TEMP]', async () => {
    const open = await Promise.all([1, 2, 3].map(() => Pop3Client.connect(untrusted.port('pop3'))));
    const extra = await Pop3Client.connect(untrusted.port('pop3'));
    expect(extra.greeting).toMatch(/^-ERR \[SYS\/TEMP\] Too many connections/);
    await extra.closed();
    for (const client of open) await client.quit();
  });
});

describe('POP3 login throttling', () => {
  let throttled: TestEngine;
  beforeAll(async () => {
    throttled = await startTestEngine({
      change: (settings) => {
        settings.authThrottle = { ...settings.authThrottle, delayAfterFailures: 5, lockAfterFailures: 2, lockSeconds: 10 };
      },
    });
    await throttled.addUser('erin@lanpost.lan', PASSWORD);
  });
  afterAll(() => throttled.stop());

  it('answers logins during a lock with -ERR [SYS/TEMP], not [AUTH], even with the right password', async () => {
    const client = await Pop3Client.connect(throttled.port('pop3'));
    expect(await client.login('erin@lanpost.lan', 'wrong 1')).toBe('-ERR [AUTH] Authentication failed');
    expect(await client.login('erin@lanpost.lan', 'wrong 2')).toBe('-ERR [AUTH] Authentication failed');
    expect(await client.login('erin@lanpost.lan', PASSWORD)).toMatch(/^-ERR \[SYS\/TEMP\] Too many failed logins; try again in \d+ seconds$/);
    await client.quit();
  });
});

// lanpost export postfix|dovecot|bind: the files checked by the real tools (postconf, postfix check,
// doveconf, named-checkconf, named-checkzone), and a real Dovecot started on the exported
// dovecot.conf serving LanPost's Maildir to its users with their LanPost passwords, the same
// folders, flags, keywords, UIDs and UIDVALIDITY.
import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { ImapFlow } from 'imapflow';
import { afterAll, describe, expect, it } from 'vitest';
import { POSTFIX_AUTH_SOCKET } from '../server/export/dovecot.js';
import { runCli } from './helpers/cli.js';
import { freePort, MAIL_UID, waitForPort } from './helpers/dovecot.js';
import { startTestEngine, tempDataDir } from './helpers/engine.js';

const exec = promisify(execFile);
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

const ALICE = { address: 'alice@lanpost.lan', password: 'alice password 1' };
const BOB = { address: 'bob@lanpost.lan', password: 'bob password 22' };

function imap(port: number, user: { address: string; password: string }): ImapFlow {
  return new ImapFlow({ host: '127.0.0.1', port, secure: false, auth: { user: user.address, pass: user.password }, logger: false, tls: { rejectUnauthorized: false } });
}

interface MailboxView {
  uidValidity: string;
  messages: Array<{ uid: number; flags: string[]; source: string }>;
}

/** Every mailbox of a user as an IMAP server shows it (names, UIDVALIDITY, UIDs, flags, bytes). */
async function viewOf(port: number, user: { address: string; password: string }): Promise<Record<string, MailboxView>> {
  const client = imap(port, user);
  await client.connect();
  try {
    const view: Record<string, MailboxView> = {};
    for (const { path: name } of await client.list()) {
      const mailbox = await client.mailboxOpen(name, { readOnly: true });
      const messages: MailboxView['messages'] = [];
      if (mailbox.exists) {
        for await (const m of client.fetch('1:*', { uid: true, flags: true, source: true })) {
          messages.push({ uid: m.uid, flags: [...(m.flags ?? [])].filter((f) => f !== '\\Recent').sort(), source: m.source!.toString('latin1') });
        }
      }
      view[name] = { uidValidity: String(mailbox.uidValidity), messages };
    }
    return view;
  } finally {
    await client.logout();
  }
}

describe('export to Postfix, Dovecot and BIND', () => {
  it('writes configurations the real tools accept, and Dovecot serves the same mail to the same passwords', async () => {
    const imapPort = await freePort();
    const smtpPorts = [await freePort(), await freePort(), await freePort()];
    const test = await startTestEngine({
      users: { [ALICE.address]: ALICE.password },
      change: (settings) => {
        for (const name of ['pop3', 'pop3s', 'imaps', 'dns'] as const) settings.services[name].enabled = false;
        settings.services.imap.port = imapPort;
        settings.services.smtp.port = smtpPorts[0]!;
        settings.services.submission.port = smtpPorts[1]!;
        settings.services.smtps.port = smtpPorts[2]!;
      },
    });
    const dataDir = test.dataDir;
    dirs.push(dataDir);
    const out = tempDataDir('lanpost-export-');
    fs.chmodSync(out, 0o755); // Dovecot's processes run as users of their own
    dirs.push(out);
    let dovecot: ReturnType<typeof spawn> | null = null;
    try {
      const client = imap(imapPort, ALICE);
      await client.connect();
      await client.mailboxCreate('Work/2024');
      await client.mailboxCreate('a.b');
      await client.append('INBOX', 'From: x@example.org\r\nSubject: one\r\n\r\nfirst\r\n', ['\\Seen', '$Label1']);
      await client.append('INBOX', 'From: x@example.org\r\nSubject: two\r\n\r\nsecond\r\n', ['\\Flagged']);
      await client.append('INBOX', 'From: x@example.org\r\nSubject: three\r\n\r\nthird\r\n');
      await client.append('Work/2024', 'Subject: report\r\n\r\nthe report\r\n', ['\\Answered']);
      await client.append('a.b', 'Subject: dotted\r\n\r\nin a folder with a dot\r\n');
      await client.mailboxOpen('INBOX');
      await client.messageDelete('1', {}); // expunged: UIDs 2 and 3 stay
      await client.logout();

      // bob's account predates the bcrypt hash: it is made at his next login
      await test.addUser(BOB.address, BOB.password);
      test.engine.context.db.prepare('UPDATE users SET bcrypt_hash = NULL WHERE address = ?').run(BOB.address);
      const before = await runCli(['export', 'dovecot', out, '--data', dataDir]);
      expect(before.stdout).toContain(`no Dovecot-readable password yet for ${BOB.address}`);
      const bob = imap(imapPort, BOB);
      await bob.connect();
      await bob.logout();
      for (let i = 0; i < 200 && !test.engine.context.accounts.exportedAccounts().every((a) => a.bcryptHash); i++) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      const lanpostAlice = await viewOf(imapPort, ALICE);
      await test.engine.stop();
      await exec('chown', ['-R', `${MAIL_UID}:${MAIL_UID}`, dataDir]);

      for (const kind of ['postfix', 'dovecot', 'bind']) {
        const result = await runCli(['export', kind, path.join(out, kind), '--data', dataDir]);
        expect(result.stderr, kind).toBe('');
        expect(result.code, kind).toBe(0);
        expect(result.stdout).not.toContain('no Dovecot-readable password');
      }
      const postconf = await exec('postconf', ['-c', path.join(out, 'postfix'), '-n']);
      for (const line of ['myhostname = mail.lanpost.lan', 'mydomain = lanpost.lan', 'virtual_mailbox_domains = lanpost.lan', 'smtpd_sasl_type = dovecot']) {
        expect(postconf.stdout).toContain(line);
      }
      const check = await exec('postfix', ['-c', path.join(out, 'postfix'), 'check']);
      expect(check.stderr + check.stdout).toBe('');
      expect(fs.readFileSync(path.join(out, 'postfix', 'vmailbox'), 'utf8')).toContain('alice@lanpost.lan mail/lanpost.lan/alice/Maildir/');
      expect(fs.readFileSync(path.join(out, 'postfix', 'virtual'), 'utf8')).toContain('postmaster@lanpost.lan admin@lanpost.lan');
      const master = fs.readFileSync(path.join(out, 'postfix', 'master.cf'), 'utf8');
      expect(master).toContain(`127.0.0.1:${smtpPorts[1]} inet`);
      expect(master).toContain('smtpd_tls_wrappermode=yes');
      const conf = path.join(out, 'dovecot', 'dovecot.conf');
      await exec('doveconf', ['-c', conf, '-n']);
      await exec('named-checkconf', [path.join(out, 'bind', 'named.conf.local')]);
      const zone = await exec('named-checkzone', ['lanpost.lan', path.join(out, 'bind', 'db.lanpost.lan')]);
      expect(zone.stdout).toMatch(/OK/);

      // a real Dovecot on the exported configuration (its sockets and logs in a temp folder)
      const run = path.join(out, 'run');
      fs.mkdirSync(run);
      const wrapper = path.join(out, 'dovecot-test.conf');
      fs.writeFileSync(
        wrapper,
        fs.readFileSync(conf, 'utf8').replace(POSTFIX_AUTH_SOCKET, path.join(out, 'auth-postfix')) +
          `base_dir = ${run}\nstate_dir = ${path.join(out, 'state')}\nlog_path = ${path.join(out, 'dovecot.log')}\n`,
      );
      dovecot = spawn('dovecot', ['-F', '-c', wrapper], { stdio: 'ignore' });
      await waitForPort(imapPort, () => (fs.existsSync(path.join(out, 'dovecot.log')) ? fs.readFileSync(path.join(out, 'dovecot.log'), 'utf8') : ''));
      const dovecotAlice = await viewOf(imapPort, ALICE);
      // Maildir++ has "." between levels: LanPost keeps a dot inside a name as %2E, which Dovecot shows as it is
      const { 'a.b': dotted, ...sameNames } = lanpostAlice;
      expect(dovecotAlice['a%2Eb']).toEqual(dotted);
      delete dovecotAlice['a%2Eb'];
      expect(dovecotAlice).toEqual(sameNames);
      expect(dovecotAlice.INBOX!.messages.map((m) => m.uid)).toEqual([2, 3]);
      const dovecotBob = await viewOf(imapPort, BOB);
      expect(dovecotBob.INBOX).toBeDefined();
      const wrong = imap(imapPort, { address: ALICE.address, password: 'not the password' });
      await expect(wrong.connect()).rejects.toThrow();
      const fetched = await exec('doveadm', ['-c', wrapper, 'fetch', '-u', ALICE.address, 'mailbox uid flags', 'mailbox', 'Work/2024', 'all']);
      expect(fetched.stdout).toMatch(/uid: 1\nflags: \\Answered/);
    } finally {
      if (dovecot && dovecot.exitCode === null) {
        const exited = new Promise((resolve) => dovecot!.on('exit', resolve));
        dovecot.kill('SIGTERM');
        await exited;
      }
    }
  }, 120_000);
});

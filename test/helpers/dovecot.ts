// A private Dovecot (Debian's dovecot-core and dovecot-imapd, as the reference stack runs) for
// tests: its configuration, users and Maildirs in a temp folder, IMAP on a free loopback port,
// doveadm to fill and read its mailboxes. Needs root (Dovecot's master drops to its own users).
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The uid and gid mail is kept under (nobody: Dovecot refuses root). */
export const MAIL_UID = 65534;

export interface Dovecot {
  dir: string;
  config: string;
  port: number;
  /** The Maildir of a user (in the layout Dovecot made). */
  maildir(user: string): string;
  doveadm(args: string[], input?: string): Promise<string>;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** `users`: name → password (plain in the passwd-file: a test's own throwaway server). */
export async function startDovecot(users: Record<string, string>, options: { start?: boolean } = {}): Promise<Dovecot> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lanpost-dovecot-'));
  fs.chmodSync(dir, 0o755);
  const mail = path.join(dir, 'mail');
  fs.mkdirSync(mail, { mode: 0o755 });
  fs.chownSync(mail, MAIL_UID, MAIL_UID);
  const port = await freePort();
  fs.writeFileSync(path.join(dir, 'users'), Object.entries(users).map(([user, pass]) => `${user}:{PLAIN}${pass}:::::\n`).join(''));
  const config = path.join(dir, 'dovecot.conf');
  fs.writeFileSync(
    config,
    `# a test's own Dovecot
base_dir = ${dir}/run
state_dir = ${dir}/state
log_path = ${dir}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain
mail_location = maildir:${mail}/%n/Maildir
first_valid_uid = ${MAIL_UID}
passdb {
  driver = passwd-file
  args = ${dir}/users
}
userdb {
  driver = static
  args = uid=${MAIL_UID} gid=${MAIL_UID} home=${mail}/%n
}
namespace inbox {
  inbox = yes
  separator = /
  mailbox Sent {
    special_use = \\Sent
    auto = create
  }
  mailbox Trash {
    special_use = \\Trash
  }
}
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = ${port}
  }
  inet_listener imaps {
    port = 0
  }
}
service anvil {
  chroot =
}
service imap-login {
  chroot =
}
`,
  );
  let child: ChildProcess | null = null;
  if (options.start !== false) {
    child = spawn('dovecot', ['-F', '-c', config], { stdio: ['ignore', 'ignore', 'pipe'] });
    let errors = '';
    child.stderr!.on('data', (chunk: Buffer) => (errors += chunk));
    await waitForPort(port, () => errors);
  }
  const dovecot: Dovecot = {
    dir,
    config,
    port,
    maildir: (user) => path.join(mail, user, 'Maildir'),
    doveadm: async (args, input) => {
      const child = execFile('doveadm', ['-c', config, ...args]);
      child.stdin?.on('error', () => {});
      child.stdin?.end(input ?? '');
      let stdout = '';
      let stderr = '';
      child.stdout?.on('data', (c: Buffer) => (stdout += c));
      child.stderr?.on('data', (c: Buffer) => (stderr += c));
      const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
      if (code !== 0) throw new Error(`doveadm ${args.join(' ')} failed (${code}): ${stderr}`);
      return stdout;
    },
    stop: async () => {
      if (child && child.exitCode === null) {
        const exited = new Promise((resolve) => child!.on('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
  return dovecot;
}

/** Waits (bounded) until something accepts connections on the port. */
export async function waitForPort(port: number, why: () => string = () => ''): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, '127.0.0.1');
      socket.once('connect', () => (socket.destroy(), resolve(true)));
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`nothing listens on 127.0.0.1:${port}: ${why()}`);
}

export { run as execFileAsync };

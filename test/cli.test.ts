// The command-line contract of DESIGN.md, run as a child process the way scripts use it.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli, spawnServe } from './helpers/cli.js';
import { prepareDataDir, tempDataDir } from './helpers/engine.js';
import { LineClient } from './helpers/line-client.js';

const dirs: string[] = [];
function freshDir(): string {
  const dir = tempDataDir('lanpost-cli-');
  dirs.push(dir);
  return dir;
}
afterAll(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

describe('settings', () => {
  it('gets the defaults, sets values read as JSON or text, and refuses bad ones with exit 2 naming the field', async () => {
    const data = freshDir();
    const all = await runCli(['settings', 'get', '--data', data]);
    expect(all.code).toBe(0);
    const settings = JSON.parse(all.stdout);
    expect(settings.domain).toBe('lanpost.lan');
    expect(settings.hostname).toBe('mail.lanpost.lan');
    expect(settings.services.smtp).toEqual({ enabled: true, address: '0.0.0.0', port: 25 });
    expect(settings.trustedNetworks).toEqual(expect.arrayContaining(['127.0.0.0/8', '::1/128']));
    expect(settings.plaintextLogin).toBe('trusted-networks');
    expect(settings.relay.fromTrustedNetworks).toBe(false);

    expect((await runCli(['settings', 'set', 'services.smtp.port', '2525', '--data', data])).code).toBe(0);
    expect((await runCli(['settings', 'get', 'services.smtp.port', '--data', data])).stdout.trim()).toBe('2525');
    expect((await runCli(['settings', 'set', 'trustedNetworks', '["10.0.0.0/8"]', '--data', data])).code).toBe(0);
    expect((await runCli(['settings', 'set', 'routes', '{"a.test":"127.0.0.1:2526"}', '--data', data])).code).toBe(0);
    expect(JSON.parse((await runCli(['settings', 'get', 'routes', '--data', data])).stdout)).toEqual({ 'a.test': '127.0.0.1:2526' });

    const badPort = await runCli(['settings', 'set', 'services.smtp.port', '70000', '--data', data]);
    expect(badPort.code).toBe(2);
    expect(badPort.stderr).toMatch(/services\.smtp\.port: must be from 0 to 65535/);
    const badNet = await runCli(['settings', 'set', 'trustedNetworks', '["banana"]', '--data', data]);
    expect(badNet.code).toBe(2);
    expect(badNet.stderr).toMatch(/trustedNetworks\.0: must be a network in CIDR form/);
    const unknown = await runCli(['settings', 'set', 'nonsense', '1', '--data', data]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/nonsense: unknown setting/);
    const badType = await runCli(['settings', 'set', 'relay.fromTrustedNetworks', 'yes', '--data', data]);
    expect(badType.code).toBe(2);
    expect(badType.stderr).toMatch(/relay\.fromTrustedNetworks: must be true or false/);
    // nothing bad was saved
    expect((await runCli(['settings', 'get', 'services.smtp.port', '--data', data])).stdout.trim()).toBe('2525');
  });

  it('moves host name, origin and local domains along with the domain', async () => {
    const data = freshDir();
    expect((await runCli(['settings', 'set', 'domain', 'school.lan', '--data', data])).code).toBe(0);
    const settings = JSON.parse((await runCli(['settings', 'get', '--data', data])).stdout);
    expect([settings.domain, settings.hostname, settings.origin, settings.localDomains]).toEqual(['school.lan', 'mail.school.lan', 'school.lan', ['school.lan']]);
  });
});

describe('users and aliases', () => {
  it('adds, lists, changes the password of and deletes users; passwords come from stdin', async () => {
    const data = freshDir();
    const add = await runCli(['user', 'add', 'ann@lanpost.lan', '--data', data], { input: 'first password\n' });
    expect(add.code).toBe(0);
    expect(add.stdout).toContain('added ann@lanpost.lan');
    const bare = await runCli(['user', 'add', 'ben', '--data', data], { input: 'second password\n' });
    expect(bare.stdout).toContain('added ben@lanpost.lan'); // origin appended
    const again = await runCli(['user', 'add', 'ann@lanpost.lan', '--data', data], { input: 'first password\n' });
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('already exists');
    const foreign = await runCli(['user', 'add', 'x@other.example', '--data', data], { input: 'first password\n' });
    expect(foreign.code).toBe(2);
    expect(foreign.stderr).toContain('not a local domain');
    const slash = await runCli(['user', 'add', 'ann/sub@lanpost.lan', '--data', data], { input: 'first password\n' });
    expect(slash.code).toBe(2);
    expect(slash.stderr).toContain('not a valid mail address');
    const short = await runCli(['user', 'add', 'cat@lanpost.lan', '--data', data], { input: 'short\n' });
    expect(short.code).toBe(2);
    expect(short.stderr).toContain('at least 8 characters');

    const list = await runCli(['user', 'list', '--data', data]);
    expect(list.stdout.split('\n').filter(Boolean)).toEqual(['ann@lanpost.lan', 'ben@lanpost.lan']);

    expect((await runCli(['user', 'passwd', 'ann@lanpost.lan', '--data', data], { input: 'changed password\n' })).code).toBe(0);
    const serve = await spawnServe((prepareDataDir(data), data));
    try {
      const login = async (password: string) => {
        const client = await LineClient.connect(serve.ports.submission!);
        await client.smtpReply();
        await client.command('EHLO cli.test');
        const reply = await client.command(`AUTH PLAIN ${Buffer.from(`\0ann@lanpost.lan\0${password}`).toString('base64')}`);
        client.close();
        return reply.code;
      };
      expect(await login('first password')).toBe(535);
      expect(await login('changed password')).toBe(235);
    } finally {
      expect(await serve.stop()).toBe(0);
    }

    const del = await runCli(['user', 'del', 'ben@lanpost.lan', '--data', data]);
    expect(del.code).toBe(0);
    expect(del.stdout).toMatch(/its mail is kept in mail\/lanpost\.lan\/ben\.deleted-\d+/);
    expect((await runCli(['user', 'list', '--data', data])).stdout).not.toContain('ben@');
    expect((await runCli(['user', 'del', 'ben@lanpost.lan', '--data', data])).code).toBe(2);
  });

  it('manages aliases and distribution lists', async () => {
    const data = freshDir();
    await runCli(['user', 'add', 'ann', '--data', data], { input: 'first password\n' });
    await runCli(['user', 'add', 'ben', '--data', data], { input: 'second password\n' });
    const list = await runCli(['alias', 'add', 'team', 'ann', 'ben@lanpost.lan', '--data', data]);
    expect(list.code).toBe(0);
    const shown = await runCli(['alias', 'list', '--data', data]);
    expect(shown.stdout).toContain('team@lanpost.lan\tann@lanpost.lan, ben@lanpost.lan');
    expect((await runCli(['alias', 'del', 'team', 'ben', '--data', data])).code).toBe(0);
    expect((await runCli(['alias', 'list', '--data', data])).stdout).toContain('team@lanpost.lan\tann@lanpost.lan\n');
    expect((await runCli(['alias', 'del', 'nothing', '--data', data])).code).toBe(2);
    expect((await runCli(['alias', 'add', 'lonely', '--data', data])).code).toBe(2);
  });
});

describe('serve', () => {
  it('prints one line per service, the admin URL and the first-start password once; SIGTERM exits 0', async () => {
    const data = freshDir();
    prepareDataDir(data, (s) => (s.services.pop3.enabled = false));
    const first = await spawnServe(data);
    const output = first.output();
    for (const name of ['smtp', 'submission', 'smtps']) expect(output).toMatch(new RegExp(`^${name} 127\\.0\\.0\\.1:\\d+ listening$`, 'm'));
    expect(output).toMatch(/^pop3 127\.0\.0\.1:0 disabled$/m);
    expect(first.adminUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/#token=[\w-]{20,}$/);
    const password = /created the mailbox admin@lanpost\.lan with the password (\S+)/.exec(output)?.[1];
    expect(password).toBeTruthy();
    expect(await first.stop()).toBe(0);

    const second = await spawnServe(data);
    expect(second.output()).not.toContain('password');
    // the printed password works
    const client = await LineClient.connect(second.ports.submission!);
    await client.smtpReply();
    await client.command('EHLO cli.test');
    const auth = await client.command(`AUTH PLAIN ${Buffer.from(`\0admin@lanpost.lan\0${password}`).toString('base64')}`);
    expect(auth.code).toBe(235);
    client.close();
    expect(await second.stop()).toBe(0);
  });

  it('leaves an admin mailbox made before the first serve as it is: its password still works, none is printed', async () => {
    const data = freshDir();
    prepareDataDir(data);
    const add = await runCli(['user', 'add', 'admin@lanpost.lan', '--data', data], { input: 'chosen by the installer\n' });
    expect(add.code).toBe(0);
    const serve = await spawnServe(data);
    try {
      expect(serve.output()).not.toContain('created the mailbox');
      expect(serve.output()).not.toContain('password');
      const client = await LineClient.connect(serve.ports.submission!);
      await client.smtpReply();
      await client.command('EHLO cli.test');
      const auth = await client.command(`AUTH PLAIN ${Buffer.from('\0admin@lanpost.lan\0chosen by the installer').toString('base64')}`);
      expect(auth.code).toBe(235);
      client.close();
    } finally {
      expect(await serve.stop()).toBe(0);
    }
    // The first start still made the role aliases for it.
    expect((await runCli(['alias', 'list', '--data', data])).stdout).toContain('postmaster@lanpost.lan\tadmin@lanpost.lan');
  });

  it('reports a port held by another program as a service state with the fix, and keeps the rest running', async () => {
    const data = freshDir();
    const blocker = (await import('node:net')).createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const taken = (blocker.address() as { port: number }).port;
    prepareDataDir(data, (s) => (s.services.smtp.port = taken));
    const serve = await spawnServe(data);
    try {
      expect(serve.output()).toMatch(new RegExp(`^smtp 127\\.0\\.0\\.1:${taken} port in use by .+ — fix: .*lanpost settings set services\\.smtp\\.port`, 'm'));
      expect(serve.ports.submission).toBeGreaterThan(0);
    } finally {
      await serve.stop();
      blocker.close();
    }
  });

  it('keeps private keys private (mode 0600)', async () => {
    const data = freshDir();
    await runCli(['cert', 'show', '--data', data]);
    for (const key of ['ca.key', 'server.key']) {
      expect(fs.statSync(path.join(data, 'tls', key)).mode & 0o777).toBe(0o600);
    }
  });
});

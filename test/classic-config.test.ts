// The Classroom's "same in the classic stack" panel through the admin API: for each of the window's
// fields the Postfix, Dovecot and BIND lines that do its job, following the settings as they
// change; the whole files as `lanpost export` writes them, with the secrets hidden.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClassicConfigResponse } from '../server/admin/contract/index.js';
import { api } from './helpers/admin.js';
import { changeSettings, startTestEngine, type TestEngine } from './helpers/engine.js';

let test: TestEngine;
beforeAll(async () => {
  test = await startTestEngine({ users: { 'ann@lanpost.lan': 'ann-password-1' } });
});
afterAll(() => test?.stop());

const classic = async () => (await api<ClassicConfigResponse>(test, '/api/classic-config')).body;
const linesOf = (config: ClassicConfigResponse, setting: string) => config.equivalents.find((row) => row.setting === setting)!.lines;

describe('the classic configuration of the current settings', () => {
  it('puts each field beside the lines that do its job in Postfix, Dovecot and BIND', async () => {
    const config = await classic();
    for (const row of config.equivalents) {
      // while no smarthost is set, main.cf has no relayhost line
      if (row.setting === 'smarthost.host') expect(row.lines).toEqual([]);
      else expect(row.lines.length, row.setting).toBeGreaterThan(0);
    }
    expect(linesOf(config, 'hostname')).toEqual([
      { path: '/etc/postfix/main.cf', text: 'myhostname = mail.lanpost.lan' },
      { path: '/etc/bind/db.lanpost.lan', text: expect.stringMatching(/IN MX\s+10 mail$/) },
    ]);
    expect(linesOf(config, 'domain').map((line) => line.text)).toEqual(['mydomain = lanpost.lan', 'virtual_mailbox_domains = lanpost.lan', expect.stringMatching(/^zone "lanpost\.lan" IN \{\n\ttype master;/)]);
    const imaps = linesOf(config, 'services.imaps.port')[0]!;
    expect(imaps.path).toBe('/etc/dovecot/dovecot.conf');
    expect(imaps.text).toContain(`port = ${test.engine.context.settings().services.imaps.port}`);
    expect(linesOf(config, 'services.submission.port')[0]!.text).toMatch(/^127\.0\.0\.1:0\s+inet .*smtpd\n  -o syslog_name=postfix\/submission\n  -o smtpd_tls_security_level=encrypt/);
    expect(linesOf(config, 'plaintextLogin').map((line) => line.text)).toEqual(['smtpd_tls_auth_only = yes', 'disable_plaintext_auth = yes']);
  });

  it('follows the settings: a new size limit, a smarthost, a service turned off', async () => {
    await changeSettings(test, (settings) => {
      settings.limits.messageSizeBytes = 10 * 1024 * 1024;
      settings.smarthost = { ...settings.smarthost, host: 'smtp.isp.example', port: 587, username: 'office', password: 'isp-secret-9' };
      settings.services.pop3.enabled = false;
    });
    const config = await classic();
    expect(linesOf(config, 'limits.messageSizeBytes')).toEqual([{ path: '/etc/postfix/main.cf', text: 'message_size_limit = 10485760' }]);
    expect(linesOf(config, 'smarthost.host')).toEqual([{ path: '/etc/postfix/main.cf', text: 'relayhost = [smtp.isp.example]:587' }]);
    expect(config.equivalents.find((row) => row.setting === 'services.pop3.port')!.value).toBe('off');
    expect(linesOf(config, 'services.pop3.port')[0]!.text).toContain('port = 0');
  });

  it('shows the whole files where they go on Debian, with passwords and hashes hidden', async () => {
    const config = await classic();
    const paths = config.files.map((file) => file.path);
    expect(paths).toEqual(expect.arrayContaining(['/etc/postfix/main.cf', '/etc/postfix/master.cf', '/etc/postfix/sasl_passwd', '/etc/dovecot/dovecot.conf', '/etc/dovecot/passwd', '/etc/bind/named.conf.local', '/etc/bind/db.lanpost.lan']));
    expect(paths.some((p) => p.includes('dovecot-uidlist'))).toBe(false);
    const passwd = config.files.find((file) => file.path === '/etc/dovecot/passwd')!.content;
    expect(passwd).toMatch(/^ann@lanpost\.lan:…:\d+:\d+::/m);
    const whole = JSON.stringify(config);
    expect(whole).not.toContain('isp-secret-9');
    expect(whole).not.toMatch(/\$2[aby]\$/);
    expect(config.files.find((file) => file.path === '/etc/postfix/sasl_passwd')!.content).toBe('[smtp.isp.example]:587 office:…\n');
  });
});

// The window's pure logic: transcript → sessions, command annotations, the message catalogues,
// the settings form, chart scaling.
import { describe, expect, it } from 'vitest';
import { en } from '../renderer/src/i18n/en.js';
import { fill } from '../renderer/src/i18n/fill.js';
import { zh } from '../renderer/src/i18n/zh.js';
import { annotate, annotationKeys, explain } from '../renderer/src/logic/annotations.js';
import { chartMaximum, formatBytes, splitFix, splitList } from '../renderer/src/logic/format.js';
import { refusal } from '../server/net/listener.js';
import { SessionIndex, exportTranscript } from '../renderer/src/logic/sessions.js';
import { localizeReason } from '../renderer/src/logic/reasons.js';
import { GROUPS, fromText } from '../renderer/src/logic/settings-fields.js';
import type { TranscriptLine } from '../server/admin/contract/index.js';
import { defaultSettings } from '../server/settings/defaults.js';
import { getByKey, setByKey } from '../server/settings/file.js';
import { SettingsError } from '../server/settings/schema.js';
import { passwordProblem } from '../server/accounts/password.js';

let lineId = 0;
const line = (service: TranscriptLine['service'], session: string, direction: TranscriptLine['direction'], text: string, time = 1000): TranscriptLine => ({
  id: ++lineId,
  service,
  session,
  client: '192.168.1.7',
  direction,
  text,
  time,
});

describe('inspector sessions', () => {
  it('groups lines per session, newest first, and follows user, TLS and closing', () => {
    const index = new SessionIndex();
    index.addAll([
      line('smtp', 'a', 'S', '220 mail.lanpost.lan ESMTP LanPost', 1),
      line('pop3', 'b', 'S', '+OK ready', 2),
      line('pop3', 'b', 'C', 'STLS', 3),
      line('pop3', 'b', '*', 'TLS started (TLSv1.3)', 4),
      line('pop3', 'b', 'C', 'USER alice@lanpost.lan', 5),
      line('pop3', 'b', 'C', 'PASS ***', 6),
      line('smtp', 'a', 'C', 'QUIT', 7),
      line('smtp', 'a', 'S', '221 2.0.0 Bye', 8),
      line('imap', 'c', 'C', 'a1 LOGIN "bob@lanpost.lan" ***', 9),
    ]);
    const sessions = index.list();
    expect(sessions.map((s) => s.key)).toEqual(['imap/c', 'pop3/b', 'smtp/a']);
    expect(index.get('pop3/b')).toMatchObject({ user: 'alice@lanpost.lan', tls: true, state: 'open' });
    expect(index.get('smtp/a')).toMatchObject({ user: null, tls: false, state: 'closed' });
    expect(index.get('imap/c')?.user).toBe('bob@lanpost.lan');
    // SMTP AUTH hides the user with the password: the log names it.
    expect(index.noteUser('smtp', 'a', 'carol@lanpost.lan')).toBe(true);
    expect(index.get('smtp/a')).toMatchObject({ user: 'carol@lanpost.lan', authenticated: true });
    expect(index.noteUser('smtp', 'zzz', 'carol@lanpost.lan')).toBe(false);
    const text = exportTranscript(index.get('pop3/b')!);
    expect(text).toContain('C: USER alice@lanpost.lan');
    expect(text).toContain('** TLS started (TLSv1.3)');
  });

  it('forgets the oldest sessions beyond its limit', () => {
    const index = new SessionIndex(2);
    for (const id of ['1', '2', '3']) index.add(line('smtp', id, 'S', '220 hi', Number(id)));
    expect(index.list().map((s) => s.session)).toEqual(['3', '2']);
  });
});

describe('command annotations', () => {
  it('explains SMTP, POP3 and IMAP commands with their RFC section', () => {
    expect(annotate('submission', 'MAIL FROM:<a@b.c> SIZE=10')).toEqual({ key: 'cmd.smtp.mail', rfc: 'RFC 5321 §4.1.1.2' });
    // LanPost's own outbound sessions speak SMTP too, as the client
    expect(annotate('outbound', 'RCPT TO:<a@b.c>')).toEqual({ key: 'cmd.smtp.rcpt', rfc: 'RFC 5321 §4.1.1.3' });
    expect(annotate('pop3s', 'RETR 1')).toEqual({ key: 'cmd.pop3.retr', rfc: 'RFC 1939 §5' });
    expect(annotate('imap', 'a7 UID FETCH 1:* (FLAGS)')).toEqual({ key: 'cmd.imap.fetch', rfc: 'RFC 3501 §6.4.5' });
    expect(annotate('smtp', 'XYZZY')).toBeNull();
    expect(annotate('dns', 'A mail.lanpost.lan')).toBeNull();
  });

  it('has words in both languages for every note it can give', () => {
    for (const key of annotationKeys()) {
      expect(en, key).toHaveProperty([key]);
      expect(zh, key).toHaveProperty([key]);
    }
  });
});

describe('reply annotations', () => {
  const keys = (service: TranscriptLine['service'], direction: TranscriptLine['direction'], text: string) => explain({ service, direction, text }).map((n) => `${n.key} ${n.rfc}`);

  it('explains SMTP reply codes and enhanced status codes, and EHLO extensions', () => {
    expect(keys('submission', 'S', '250 2.0.0 Ok: queued as 1A2B')).toEqual(['reply.smtp.250 RFC 5321 §4.2.2', 'enh.2.0.0 RFC 3463 §3.1']);
    expect(keys('smtp', 'S', '550 5.1.1 <x@lanpost.lan>: Recipient address rejected')).toEqual(['reply.smtp.550 RFC 5321 §4.2.2', 'enh.5.1.1 RFC 3463 §3.2']);
    expect(keys('smtp', 'S', '535 5.7.8 Authentication credentials invalid')).toEqual(['reply.smtp.535 RFC 4954 §6', 'enh.5.7.8 RFC 4954 §6']);
    expect(keys('outbound', 'S', '451 4.3.5 try later')).toEqual(['reply.smtp.451 RFC 5321 §4.2.2', 'enh.class.4 RFC 3463 §2', 'enh.subject.3 RFC 3463 §3.4']);
    expect(keys('smtp', 'S', '354 End data with <CR><LF>.<CR><LF>')).toEqual(['reply.smtp.354 RFC 5321 §4.2.2']);
    expect(keys('smtp', 'S', '250-PIPELINING')).toEqual(['reply.smtp.ext.pipelining RFC 2920 §3']);
    expect(keys('smtp', 'S', '250-AUTH PLAIN LOGIN')).toEqual(['reply.smtp.ext.auth RFC 4954 §3']);
    expect(keys('smtp', 'S', '250-mail.lanpost.lan Nice to meet you')).toEqual(['reply.smtp.250 RFC 5321 §4.2.2']);
    expect(keys('smtp', 'S', '250-mail.lanpost.lan Nice to meet you, [127.0.0.1]\n250-PIPELINING\n250-8BITMIME\n250 SIZE 26214400')).toEqual([
      'reply.smtp.250 RFC 5321 §4.2.2',
      'reply.smtp.ext.pipelining RFC 2920 §3',
      'reply.smtp.ext.8bitmime RFC 6152 §2',
      'reply.smtp.ext.size RFC 1870 §4',
    ]);
    expect(keys('smtp', 'S', 'something else')).toEqual([]);
  });

  it('explains IMAP tagged and untagged responses and response codes', () => {
    expect(keys('imap', 'S', 'a1 OK [READ-WRITE] SELECT completed')).toEqual(['reply.imap.tagged.ok RFC 3501 §7.1.1', 'reply.imap.code.read-write RFC 3501 §7.1']);
    expect(keys('imaps', 'S', 'a2 NO [AUTHENTICATIONFAILED] Invalid credentials')).toEqual(['reply.imap.tagged.no RFC 3501 §7.1.2', 'reply.imap.code.authenticationfailed RFC 5530 §3']);
    expect(keys('imap', 'S', 'a3 BAD Unknown command XYZ')).toEqual(['reply.imap.tagged.bad RFC 3501 §7.1.3']);
    expect(keys('imap', 'S', '* 4 EXISTS')).toEqual(['reply.imap.data.exists RFC 3501 §7.3.1']);
    expect(keys('imap', 'S', '* OK [UIDVALIDITY 17] UIDs valid')).toEqual(['reply.imap.untagged.ok RFC 3501 §7.1.1', 'reply.imap.code.uidvalidity RFC 3501 §7.1']);
    expect(keys('imap', 'S', '* BYE Autologout')).toEqual(['reply.imap.untagged.bye RFC 3501 §7.1.5']);
    expect(keys('imap', 'S', '+ idling')).toEqual(['reply.imap.continue RFC 3501 §7.5']);
  });

  it('explains POP3 replies and their response codes', () => {
    expect(keys('pop3', 'S', '+OK 12 octets')).toEqual(['reply.pop3.ok RFC 1939 §3']);
    expect(keys('pop3s', 'S', '-ERR [IN-USE] Mailbox is in use')).toEqual(['reply.pop3.err RFC 1939 §3', 'reply.pop3.code.in-use RFC 2449 §8.1.1']);
    expect(keys('pop3', 'S', '-ERR [SYS/TEMP] Too many failed logins')).toEqual(['reply.pop3.err RFC 1939 §3', 'reply.pop3.code.sys/temp RFC 3206 §4']);
  });

  it('explains DNS questions and answers: types, flags, result codes', () => {
    expect(keys('dns', 'C', 'MX lanpost.lan (id 4711, rd, edns 1232, udp)')).toEqual(['dns.type.MX RFC 1035 §3.3.9', 'dns.flag.rd RFC 1035 §4.1.1', 'dns.flag.edns RFC 6891 §6']);
    expect(keys('dns', 'S', 'NOERROR aa: lanpost.lan. 300 IN MX 10 mail.lanpost.lan.; mail.lanpost.lan. 300 IN A 127.0.0.1')).toEqual([
      'dns.rcode.NOERROR RFC 1035 §4.1.1',
      'dns.flag.aa RFC 1035 §4.1.1',
      'dns.type.MX RFC 1035 §3.3.9',
      'dns.type.A RFC 1035 §3.4.1',
    ]);
    expect(keys('dns', 'S', 'NXDOMAIN aa: authority lanpost.lan. 300 IN SOA dns.lanpost.lan. …')).toEqual(['dns.rcode.NXDOMAIN RFC 1035 §4.1.1', 'dns.flag.aa RFC 1035 §4.1.1', 'dns.type.SOA RFC 1035 §3.3.13']);
    expect(keys('dns', 'S', 'REFUSED')).toEqual(['dns.rcode.REFUSED RFC 1035 §4.1.1']);
  });
});

describe('message catalogues', () => {
  it('translate every key, with the same placeholders, into Chinese', () => {
    const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
    expect(Object.keys(zh).sort()).toEqual(Object.keys(en).sort());
    for (const [key, text] of Object.entries(en)) {
      const translated = zh[key as keyof typeof en];
      expect(translated.trim(), key).not.toBe('');
      expect(placeholders(translated), key).toEqual(placeholders(text));
    }
  });

  it('fills placeholders and leaves unknown ones visible', () => {
    expect(fill('{count} users on {domain}', { count: 3, domain: 'school.lan' })).toBe('3 users on school.lan');
    expect(fill('hello {who}')).toBe('hello {who}');
  });
});

describe('settings form', () => {
  it('names only real settings, each with a label and an explanation in both languages', () => {
    const settings = defaultSettings();
    for (const { key, kind } of GROUPS.flatMap((g) => g.fields)) {
      expect(() => getByKey(settings, key), key).not.toThrow();
      for (const catalogue of [en, zh] as Array<Record<string, string>>) {
        expect(catalogue[`setting.${key}`], key).toBeTruthy();
        expect(catalogue[`setting.${key}.help`], key).toBeTruthy();
        if (typeof kind === 'object') for (const option of kind.options) expect(catalogue[`setting.${key}.${option}`], option).toBeTruthy();
      }
    }
  });

  it('turns form text into values, passing text that is not a number on for the server to refuse', () => {
    expect(fromText('10.0.0.0/8\n 192.168.1.0/24 ,', 'list')).toEqual(['10.0.0.0/8', '192.168.1.0/24']);
    expect(fromText('2525', 'number')).toBe(2525);
    expect(fromText('25 MB', 'number')).toBe('25 MB');
    expect(fromText('', 'number')).toBe('');
    expect(fromText('false', 'boolean')).toBe(false);
    expect(fromText(' mail.school.lan ', 'text')).toBe('mail.school.lan');
  });
});

describe('formatting', () => {
  it('scales the chart to a round maximum', () => {
    expect(chartMaximum([0, 0])).toBe(5);
    expect(chartMaximum([3])).toBe(5);
    expect(chartMaximum([7])).toBe(10);
    expect(chartMaximum([130])).toBe(200);
    expect(chartMaximum([4000])).toBe(5000);
  });

  it('splits lists and formats sizes', () => {
    expect(splitList('a@x.lan, b@x.lan\n\n c@x.lan')).toEqual(['a@x.lan', 'b@x.lan', 'c@x.lan']);
    expect(formatBytes(0, 'en')).toBe('0 B');
    expect(formatBytes(26_214_400, 'en')).toBe('25 MB');
    expect(formatBytes(1536, 'en')).toBe('1.5 KB');
  });
});

describe('refusals in Chinese', () => {
  const reasonFor = (key: string, value: unknown): string => {
    try {
      setByKey(defaultSettings(), key, value);
    } catch (error) {
      return (error as SettingsError).problems[0]!.reason;
    }
    throw new Error(`${key} = ${JSON.stringify(value)} was accepted`);
  };

  it('says the engine\'s usual reasons in Chinese, and leaves English alone', () => {
    const cases: Array<[string, unknown, string]> = [
      ['services.smtp.port', 70000, '必须在 0 到 65535 之间'],
      ['limits.messageSizeBytes', 12, '不能小于 1024'],
      ['limits.messageSizeBytes', 'lots', '必须是数字'],
      ['domain', 'not a domain!', '必须是域名'],
      ['trustedNetworks', ['10.0.0.0/33'], 'CIDR'],
      ['relay.fromTrustedNetworks', 'yes', '必须是“是”或“否”'],
      ['services.smtp.address', 'everywhere', '必须是 IP 地址'],
    ];
    for (const [key, value, expected] of cases) {
      const reason = reasonFor(key, value);
      expect(localizeReason(reason, 'zh-CN'), reason).toContain(expected);
      expect(localizeReason(reason, 'en')).toBe(reason);
    }
    expect(localizeReason(`password ${passwordProblem('short')}`, 'zh-CN')).toBe('密码至少需要 8 个字符');
    expect(localizeReason('something new the engine says', 'zh-CN')).toBe('something new the engine says');
  });
});

describe('fixes of refused services', () => {
  it('splits the engine\'s fix into steps by hand and commands to copy', () => {
    const inUse = refusal('pop3', '0.0.0.0', 110, Object.assign(new Error('in use'), { code: 'EADDRINUSE' }), 'tcp');
    const split = splitFix(inUse.fix!);
    expect(split.steps).toHaveLength(1);
    expect(split.steps[0]).toMatch(/^stop /);
    expect(split.commands).toEqual(['lanpost settings set services.pop3.port 2110']);
    expect(localizeReason(split.steps[0]!, 'zh-CN')).toMatch(/^停止 /);
    expect(splitFix("sudo setcap 'cap_net_bind_service=+ep' \"$(readlink -f node)\", or sudo sysctl net.ipv4.ip_unprivileged_port_start=25, or lanpost settings set services.smtp.port 2525")).toEqual({
      steps: [],
      commands: ["sudo setcap 'cap_net_bind_service=+ep' \"$(readlink -f node)\"", 'sudo sysctl net.ipv4.ip_unprivileged_port_start=25', 'lanpost settings set services.smtp.port 2525'],
    });
    expect(splitFix('lanpost settings set services.dns.address 0.0.0.0')).toEqual({ steps: [], commands: ['lanpost settings set services.dns.address 0.0.0.0'] });
  });
});

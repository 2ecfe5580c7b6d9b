// The authoritative zone over real UDP and TCP: dig and Node's Resolver against a real engine.
import crypto from 'node:crypto';
import { Resolver } from 'node:dns/promises';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { saveSettings } from '../server/settings/file.js';
import { SettingsError, validateSettings } from '../server/settings/schema.js';
import { defaultSettings } from '../server/settings/defaults.js';
import { execFileSync, spawnSync } from 'node:child_process';
import { decode, dig, query, rcodeOf, udpExchange } from './dns-helpers.js';
import { runCli } from './helpers/cli.js';
import { startTestEngine, tempDataDir, type TestEngine } from './helpers/engine.js';

let test: TestEngine;
let port: number;
let submissionPort: number;
let httpsPort: number;
let resolver: Resolver;
const domain = 'lanpost.lan';
const longText = 'x'.repeat(200);

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function writeDkimKey(dataDir: string, selector: string): string {
  const { publicKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  const pem = publicKey.export({ type: 'spki', format: 'pem' }) as string;
  const folder = path.join(dataDir, 'dkim', domain);
  fs.mkdirSync(folder, { recursive: true });
  fs.writeFileSync(path.join(folder, `${selector}.pub.pem`), pem);
  return (publicKey.export({ type: 'spki', format: 'der' }) as Buffer).toString('base64');
}

let dkimKey: string;

beforeAll(async () => {
  submissionPort = await freePort();
  httpsPort = await freePort();
  const dataDir = tempDataDir();
  dkimKey = writeDkimKey(dataDir, 'class2024');
  test = await startTestEngine({
    dataDir,
    change: (settings) => {
      settings.services.submission.port = submissionPort;
      settings.services.https.port = httpsPort;
      settings.services.imaps.enabled = false;
      settings.dns.hostAddresses = ['127.0.0.1', '::1'];
      settings.dns.extraRecords = [
        { type: 'CNAME', name: 'www', target: 'mail' },
        { type: 'CNAME', name: 'alias1', target: 'alias2' },
        { type: 'CNAME', name: 'alias2', target: 'printer' },
        { type: 'A', name: 'printer', address: '192.168.1.50', ttl: 60 },
        { type: 'CNAME', name: 'external', target: 'www.example.com' },
        { type: 'CNAME', name: 'dangling', target: 'gone' },
        { type: 'A', name: 'host.office', address: '192.168.1.60' },
        { type: 'MX', name: 'office', preference: 5, exchange: 'mail' },
        { type: 'SRV', name: '_ldap._tcp', priority: 1, weight: 5, port: 389, target: 'printer' },
        // ~700 bytes: over 512 without EDNS, within 1232 with it.
        { type: 'TXT', name: 'medium', text: [longText, longText, longText] },
        // ~2000 bytes: over any UDP size we allow.
        { type: 'TXT', name: 'big', text: new Array(10).fill(longText) },
      ];
    },
  });
  port = test.port('dns');
  resolver = new Resolver({ timeout: 3000, tries: 1 });
  resolver.setServers([`127.0.0.1:${port}`]);
});
afterAll(() => test.stop());

describe('DNS zone: every record type', () => {
  it('answers MX, A, AAAA, NS, SOA and the SPF TXT with the AA flag over UDP', async () => {
    const mx = await dig(port, [domain, 'MX']);
    expect(mx.status).toBe('NOERROR');
    expect(mx.flags).toContain('aa');
    expect(mx.viaTcp).toBe(false);
    expect(mx.answer).toEqual([{ name: `${domain}.`, ttl: 300, type: 'MX', data: `10 mail.${domain}.` }]);
    // The mail host's addresses come along in the additional section.
    expect(mx.additional.map((r) => `${r.type} ${r.data}`).sort()).toEqual(['A 127.0.0.1', 'AAAA ::1']);

    expect((await dig(port, [`mail.${domain}`, 'A'])).answer.map((r) => r.data)).toEqual(['127.0.0.1']);
    expect((await dig(port, [`mail.${domain}`, 'AAAA'])).answer.map((r) => r.data)).toEqual(['::1']);
    expect((await dig(port, [`dns.${domain}`, 'A'])).answer.map((r) => r.data)).toEqual(['127.0.0.1']);
    expect((await dig(port, [domain, 'NS'])).answer.map((r) => r.data)).toEqual([`dns.${domain}.`]);
    const soa = await dig(port, [domain, 'SOA']);
    expect(soa.answer[0]!.data).toMatch(new RegExp(`^dns\\.${domain}\\. postmaster\\.${domain}\\. \\d{10} 3600 900 604800 300$`));
    expect((await dig(port, [domain, 'TXT'])).answer.map((r) => r.data)).toEqual(['"v=spf1 mx -all"']);
  });

  it('answers the same over TCP', async () => {
    const mx = await dig(port, ['+tcp', domain, 'MX']);
    expect(mx.viaTcp).toBe(true);
    expect(mx.flags).toContain('aa');
    expect(mx.answer.map((r) => r.data)).toEqual([`10 mail.${domain}.`]);
    expect((await dig(port, ['+tcp', `mail.${domain}`, 'AAAA'])).answer.map((r) => r.data)).toEqual(['::1']);
  });

  it('publishes RFC 6186/8314 SRV records: enabled services at their port, disabled ones with target "."', async () => {
    const submission = await dig(port, [`_submission._tcp.${domain}`, 'SRV']);
    expect(submission.answer.map((r) => r.data)).toEqual([`0 1 ${submissionPort} mail.${domain}.`]);
    const imaps = await dig(port, [`_imaps._tcp.${domain}`, 'SRV']);
    expect(imaps.answer.map((r) => r.data)).toEqual(['0 0 0 .']);
    expect(await resolver.resolveSrv(`_submission._tcp.${domain}`)).toEqual([{ name: `mail.${domain}`, port: submissionPort, priority: 0, weight: 1 }]);
    expect((await dig(port, [`_ldap._tcp.${domain}`, 'SRV'])).answer.map((r) => r.data)).toEqual([`1 5 389 printer.${domain}.`]);
  });

  it('points autoconfig and autodiscover at the mail host, and _autodiscover._tcp at the HTTPS port', async () => {
    for (const name of ['autoconfig', 'autodiscover']) {
      const result = await dig(port, [`${name}.${domain}`, 'A']);
      expect(result.answer.map((r) => `${r.type} ${r.data}`)).toEqual([`CNAME mail.${domain}.`, 'A 127.0.0.1']);
    }
    expect((await dig(port, [`_autodiscover._tcp.${domain}`, 'SRV'])).answer.map((r) => r.data)).toEqual([`0 1 ${httpsPort} mail.${domain}.`]);
    expect(await resolver.resolveSrv(`_autodiscover._tcp.${domain}`)).toEqual([{ name: `mail.${domain}`, port: httpsPort, priority: 0, weight: 1 }]);
  });

  it('answers PTR in the reverse zones of the mail host addresses', async () => {
    expect((await dig(port, ['-x', '127.0.0.1'])).answer.map((r) => r.data)).toEqual([`mail.${domain}.`]);
    expect((await dig(port, ['-x', '::1'])).answer.map((r) => r.data)).toEqual([`mail.${domain}.`]);
    const otherHost = await dig(port, ['-x', '127.0.0.9']);
    expect(otherHost.status).toBe('NXDOMAIN');
    expect(otherHost.authority[0]!.type).toBe('SOA');
    expect(otherHost.authority[0]!.name).toBe('0.0.127.in-addr.arpa.');
  });

  it('publishes the DKIM key of every <selector>.pub.pem file, and picks up a new file', async () => {
    const txt = await resolver.resolveTxt(`class2024._domainkey.${domain}`);
    expect(txt).toHaveLength(1);
    // A 2048-bit key is longer than one 255-byte string: the record is split and joins back.
    expect(txt[0]!.length).toBeGreaterThan(1);
    expect(txt[0]!.join('')).toBe(`v=DKIM1; k=rsa; p=${dkimKey}`);

    const later = writeDkimKey(test.dataDir, 'later');
    let found: string[][] = [];
    for (let i = 0; i < 50 && !found.length; i++) {
      found = await resolver.resolveTxt(`later._domainkey.${domain}`).catch(() => []);
      if (!found.length) await new Promise((r) => setTimeout(r, 200));
    }
    expect(found[0]?.join('')).toBe(`v=DKIM1; k=rsa; p=${later}`);
  });

  it('serves the extra records from the settings, with their TTL', async () => {
    const printer = await dig(port, [`printer.${domain}`, 'A']);
    expect(printer.answer).toEqual([{ name: `printer.${domain}.`, ttl: 60, type: 'A', data: '192.168.1.50' }]);
    expect((await dig(port, [`host.office.${domain}`, 'A'])).answer.map((r) => r.data)).toEqual(['192.168.1.60']);
    expect(await resolver.resolveMx(`office.${domain}`)).toEqual([{ exchange: `mail.${domain}`, priority: 5 }]);
  });

  it('works with Node’s Resolver for every type', async () => {
    expect(await resolver.resolveMx(domain)).toEqual([{ exchange: `mail.${domain}`, priority: 10 }]);
    expect(await resolver.resolve4(`mail.${domain}`)).toEqual(['127.0.0.1']);
    expect(await resolver.resolve6(`mail.${domain}`)).toEqual(['::1']);
    expect(await resolver.resolveNs(domain)).toEqual([`dns.${domain}`]);
    expect(await resolver.resolveCname(`www.${domain}`)).toEqual([`mail.${domain}`]);
    expect(await resolver.resolveTxt(domain)).toEqual([['v=spf1 mx -all']]);
    const soa = await resolver.resolveSoa(domain);
    expect(soa).toMatchObject({ nsname: `dns.${domain}`, hostmaster: `postmaster.${domain}`, refresh: 3600, retry: 900, expire: 604800, minttl: 300 });
    expect(await resolver.resolvePtr('1.0.0.127.in-addr.arpa')).toEqual([`mail.${domain}`]);
  });
});

describe('DNS zone: negative answers, CNAMEs, case', () => {
  it('says NXDOMAIN for a name that does not exist, with the SOA for negative caching', async () => {
    const result = await dig(port, [`nobody.${domain}`, 'A']);
    expect(result.status).toBe('NXDOMAIN');
    expect(result.flags).toContain('aa');
    expect(result.answer).toEqual([]);
    expect(result.authority).toHaveLength(1);
    expect(result.authority[0]).toMatchObject({ name: `${domain}.`, type: 'SOA', ttl: 300 });
    await expect(resolver.resolve4(`nobody.${domain}`)).rejects.toMatchObject({ code: 'ENOTFOUND' });
  });

  it('says NODATA (NOERROR, no answer, SOA) for a name without that type, and for an empty non-terminal', async () => {
    for (const [name, type] of [[`printer.${domain}`, 'MX'], [`office.${domain}`, 'A'], [`_tcp.${domain}`, 'SRV'], [`office.${domain}`, 'AAAA']] as const) {
      const result = await dig(port, [name, type]);
      expect(result.status, `${name} ${type}`).toBe('NOERROR');
      expect(result.answer).toEqual([]);
      expect(result.authority.map((r) => r.type)).toEqual(['SOA']);
    }
    // office.lanpost.lan has only an MX, host.office below it: "office" exists.
    await expect(resolver.resolve4(`office.${domain}`)).rejects.toMatchObject({ code: 'ENODATA' });
  });

  it('chases CNAMEs inside the zone, and stops at names outside it', async () => {
    const chain = await dig(port, [`alias1.${domain}`, 'A']);
    expect(chain.answer.map((r) => `${r.name} ${r.type} ${r.data}`)).toEqual([
      `alias1.${domain}. CNAME alias2.${domain}.`,
      `alias2.${domain}. CNAME printer.${domain}.`,
      `printer.${domain}. A 192.168.1.50`,
    ]);
    expect(await resolver.resolve4(`alias1.${domain}`)).toEqual(['192.168.1.50']);
    const outside = await dig(port, ['+norec', `external.${domain}`, 'A']);
    expect(outside.status).toBe('NOERROR');
    expect(outside.answer.map((r) => r.data)).toEqual(['www.example.com.']);
    // RFC 6604: the RCODE speaks of the last name in the chain.
    const dangling = await dig(port, [`dangling.${domain}`, 'A']);
    expect(dangling.status).toBe('NXDOMAIN');
    expect(dangling.answer.map((r) => r.data)).toEqual([`gone.${domain}.`]);
    // Asked for the CNAME itself: no chasing.
    expect((await dig(port, [`www.${domain}`, 'CNAME'])).answer.map((r) => r.data)).toEqual([`mail.${domain}.`]);
  });

  it('matches names case-insensitively and echoes the query’s spelling', async () => {
    const result = await dig(port, ['MaIl.LanPost.LAN', 'A']);
    expect(result.status).toBe('NOERROR');
    expect(result.question).toMatch(/^MaIl\.LanPost\.LAN\.\s+IN\s+A$/);
    expect(result.answer).toEqual([{ name: 'MaIl.LanPost.LAN.', ttl: 300, type: 'A', data: '127.0.0.1' }]);
    // And again, now from the prepared answer, with another spelling.
    const again = await dig(port, ['mAiL.lAnPoSt.lAn', 'A']);
    expect(again.answer[0]!.name).toBe('mAiL.lAnPoSt.lAn.');
    expect(again.answer[0]!.data).toBe('127.0.0.1');
  });
});

describe('DNS zone: EDNS, truncation, ANY, REFUSED', () => {
  it('honours EDNS0: OPT back with our UDP size, none without; BADVERS for version 1', async () => {
    const withEdns = await dig(port, [domain, 'SOA']);
    expect(withEdns.edns).toMatch(/version: 0, flags:; udp: 1232/);
    const without = await dig(port, ['+noedns', domain, 'SOA']);
    expect(without.edns).toBeNull();
    expect(without.answer).toHaveLength(1);
    const version1 = await dig(port, ['+edns=1', '+noednsneg', domain, 'SOA']);
    expect(version1.status).toBe('BADVERS');
    expect(version1.answer).toEqual([]);
  });

  it('sets TC over UDP when the answer exceeds 512 bytes without EDNS, and dig gets it whole over TCP', async () => {
    const truncated = await dig(port, ['+noedns', '+ignore', `medium.${domain}`, 'TXT']);
    expect(truncated.flags).toContain('tc');
    expect(truncated.answer).toEqual([]);
    const retried = await dig(port, ['+noedns', `medium.${domain}`, 'TXT']);
    expect(retried.output).toContain('Truncated, retrying in TCP mode');
    expect(retried.viaTcp).toBe(true);
    expect(retried.answer).toHaveLength(1);
    // With EDNS the same answer fits.
    const fits = await dig(port, ['+bufsize=1232', `medium.${domain}`, 'TXT']);
    expect(fits.flags).not.toContain('tc');
    expect(fits.viaTcp).toBe(false);
    expect(fits.answer).toHaveLength(1);
  });

  it('never sends more than the client’s UDP size, and the big answer comes whole over TCP', async () => {
    const raw = await udpExchange(port, query(`big.${domain}`, 'TXT', { edns: true }));
    expect(raw).not.toBeNull();
    expect(raw!.length).toBeLessThanOrEqual(1232);
    expect(decode(raw!).flag_tc).toBe(true);
    const plain = await udpExchange(port, query(`medium.${domain}`, 'TXT'));
    expect(plain!.length).toBeLessThanOrEqual(512);
    const tcp = await dig(port, ['+tcp', `big.${domain}`, 'TXT']);
    expect(tcp.answer).toHaveLength(1);
    expect(tcp.answer[0]!.data.split('" "')).toHaveLength(10);
    // Node's resolver (c-ares) retries over TCP by itself.
    const txt = await resolver.resolveTxt(`big.${domain}`);
    expect(txt[0]!.join('')).toBe(longText.repeat(10));
  });

  it('answers ANY with one RRset over UDP (RFC 8482) and with all of them over TCP', async () => {
    // dig asks ANY over TCP unless told otherwise.
    const udp = await dig(port, ['+notcp', domain, 'ANY']);
    expect(udp.viaTcp).toBe(false);
    expect(udp.status).toBe('NOERROR');
    expect(new Set(udp.answer.map((r) => r.type)).size).toBe(1);
    const tcp = await dig(port, ['+tcp', domain, 'ANY']);
    expect(tcp.answer.map((r) => r.type).sort()).toEqual(['MX', 'NS', 'SOA', 'TXT']);
  });

  it('refuses names outside its zones when forwarding is off, without claiming recursion', async () => {
    const result = await dig(port, ['example.com', 'A']);
    expect(result.status).toBe('REFUSED');
    expect(result.flags).not.toContain('ra');
    expect(result.flags).not.toContain('aa');
    const chaos = await dig(port, ['version.bind', 'TXT', 'CH']);
    expect(chaos.status).toBe('REFUSED');
  });

  it('hands the whole zone to a trusted client over TCP (AXFR), not over UDP', async () => {
    const axfr = await dig(port, [domain, 'AXFR']);
    const records = axfr.output.split('\n').filter((line) => line && !line.startsWith(';'));
    expect(records[0]).toMatch(/\tSOA\t/);
    expect(records.at(-1)).toBe(records[0]);
    expect(records.some((line) => /^printer\.lanpost\.lan\.\s+60\s+IN\s+A\s+192\.168\.1\.50$/.test(line))).toBe(true);
    const overUdp = await udpExchange(port, query(domain, 'AXFR'));
    expect(rcodeOf(overUdp!)).toBe(5);
  });
});

describe('DNS zone: changes, inspector, export', () => {
  it('raises the serial and answers anew when the settings change, and keeps it in the database', async () => {
    const before = Number((await dig(port, [domain, 'SOA'])).answer[0]!.data.split(' ')[2]);
    expect((await dig(port, [domain, 'MX'])).answer[0]!.data).toBe(`10 mail.${domain}.`);
    const settings = structuredClone(test.engine.context.settings());
    settings.dns.mxPreference = 3;
    settings.dns.extraRecords.push({ type: 'A', name: 'newhost', address: '192.168.1.77' });
    saveSettings(test.dataDir, settings);
    await test.engine.reloadSettings();
    const after = Number((await dig(port, [domain, 'SOA'])).answer[0]!.data.split(' ')[2]);
    expect(after).toBeGreaterThan(before);
    expect((await dig(port, [domain, 'MX'])).answer[0]!.data).toBe(`3 mail.${domain}.`);
    expect((await dig(port, [`newhost.${domain}`, 'A'])).answer[0]!.data).toBe('192.168.1.77');
    const stored = test.engine.context.db.prepare("SELECT value FROM meta WHERE key = 'dns.serial'").get() as { value: string };
    expect(Number(stored.value)).toBe(after);
    // Saving the same settings again changes nothing: the serial stays.
    saveSettings(test.dataDir, { ...settings, trustedNetworks: [...settings.trustedNetworks] });
    await test.engine.reloadSettings();
    expect(Number((await dig(port, [domain, 'SOA'])).answer[0]!.data.split(' ')[2])).toBe(after);
  });

  it('puts each query and its answer on the inspector', async () => {
    const lines: { direction: string; text: string; service: string }[] = [];
    const listener = (line: { direction: string; text: string; service: string }) => lines.push(line);
    // The transcript shows at most 50 lookups a second; start in a fresh second after the tests above.
    await new Promise((resolve) => setTimeout(resolve, 1100));
    test.engine.context.inspector.on('line', listener);
    await dig(port, ['Printer.lanpost.lan', 'A']);
    test.engine.context.inspector.off('line', listener);
    const dns = lines.filter((line) => line.service === 'dns');
    expect(dns.find((l) => l.direction === 'C')?.text).toMatch(/^A Printer\.lanpost\.lan\. \(id \d+, rd, edns 1232, udp\)$/);
    expect(dns.find((l) => l.direction === 'S')?.text).toBe('NOERROR aa: printer.lanpost.lan. 60 IN A 192.168.1.50');
  });
});

const hasNamedCheckzone = spawnSync('sh', ['-c', 'command -v named-checkzone']).status === 0;

describe('lanpost export zone', () => {
  it('prints master files that named-checkzone loads, with the records the server answers', async () => {
    const all = await runCli(['export', 'zone', '--data', test.dataDir]);
    expect(all.code).toBe(0);
    const origins = [...all.stdout.matchAll(/^\$ORIGIN (\S+)\.$/gm)].map((m) => m[1]);
    expect(origins).toEqual([domain, '0.0.127.in-addr.arpa', '0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.ip6.arpa']);
    const serial = (await dig(port, [domain, 'SOA'])).answer[0]!.data.split(' ')[2];
    for (const origin of origins) {
      const one = await runCli(['export', 'zone', origin!, '--data', test.dataDir]);
      expect(one.code).toBe(0);
      const file = path.join(test.dataDir, `${origin}.zone`);
      fs.writeFileSync(file, one.stdout);
      expect(one.stdout).toMatch(new RegExp(`^@ IN SOA .* \\($\\n^\\s+${serial} ; serial`, 'm'));
      if (!hasNamedCheckzone) continue;
      // named-checkzone (bind9-utils) parses it as BIND would, and prints it back in canonical form.
      const canonical = execFileSync('named-checkzone', ['-q', '-D', '-o', '-', origin!, file], { encoding: 'utf8' });
      const lines = canonical.split('\n').filter(Boolean);
      expect(lines.find((l) => /\sSOA\s/.test(l))).toContain(` ${serial} `);
      if (origin === domain) {
        const axfr = await dig(port, [domain, 'AXFR']);
        const served = axfr.output.split('\n').filter((l) => l && !l.startsWith(';')).slice(0, -1);
        const normalize = (line: string) => line.split(/\s+/).join(' ').toLowerCase();
        expect(lines.map(normalize).sort()).toEqual(served.map(normalize).sort());
      }
    }
    expect(all.stdout).toMatch(/^mail\s+IN A\s+127\.0\.0\.1$/m);
    expect(all.stdout).toMatch(/^printer\s+60\s+IN A\s+192\.168\.1\.50$/m);
    // (the MX preference is 3 since the settings test above)
    expect(all.stdout).toMatch(/^\s+IN MX\s+3 mail$/m);
    const unknown = await runCli(['export', 'zone', 'example.com', '--data', test.dataDir]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('no zone example.com; the zones are lanpost.lan');
  });
});

describe('DNS settings validation', () => {
  const withRecords = (records: unknown[]): unknown => {
    const settings = defaultSettings();
    (settings.dns as { extraRecords: unknown[] }).extraRecords = records;
    return settings;
  };
  const problems = (candidate: unknown): string[] => {
    try {
      validateSettings(candidate);
      return [];
    } catch (error) {
      if (error instanceof SettingsError) return error.problems.map((p) => `${p.field}: ${p.reason}`);
      throw error;
    }
  };

  it('accepts good records', () => {
    expect(problems(withRecords([{ type: 'A', name: 'printer', address: '192.168.1.5' }, { type: 'CNAME', name: 'www.lanpost.lan.', target: 'printer' }]))).toEqual([]);
  });

  it('names the field and the reason for each bad record', () => {
    expect(problems(withRecords([{ type: 'CNAME', name: '@', target: 'mail' }]))).toEqual([
      'dns.extraRecords.0.name: a CNAME cannot be at the domain itself (lanpost.lan has SOA, NS and MX)',
    ]);
    expect(problems(withRecords([{ type: 'CNAME', name: 'printer', target: 'mail' }, { type: 'TXT', name: 'printer', text: 'hi' }]))).toEqual([
      'dns.extraRecords.0.name: a CNAME cannot share its name printer.lanpost.lan with other records (dns.extraRecords.1)',
    ]);
    expect(problems(withRecords([{ type: 'CNAME', name: 'autoconfig', target: 'printer' }]))[0]).toMatch(
      /^dns\.extraRecords\.0\.name: a CNAME cannot share the name autoconfig\.lanpost\.lan with the records LanPost publishes there$/,
    );
    expect(problems(withRecords([{ type: 'A', name: 'printer.example.com.', address: '192.168.1.5' }]))).toEqual([
      'dns.extraRecords.0.name: printer.example.com. is outside the zone lanpost.lan; use a name inside it such as printer.lanpost.lan',
    ]);
    expect(problems(withRecords([{ type: 'A', name: 'printer', address: 'fd00::1' }]))).toEqual(['dns.extraRecords.0.address: must be an IPv4 address such as 192.168.1.20']);
    expect(problems(withRecords([{ type: 'A', name: 'printer', address: '192.168.1.5', ttl: -1 }]))).toEqual(['dns.extraRecords.0.ttl: must be at least 0 seconds']);
    expect(problems(withRecords([{ type: 'A', name: 'printer', address: '192.168.1.5', ttl: 2 ** 31 }]))).toEqual([
      'dns.extraRecords.0.ttl: must be at most 2147483647 seconds (RFC 2181)',
    ]);
    expect(problems(withRecords([{ type: 'NS', name: 'sub', target: 'x' }]))).toEqual(['dns.extraRecords.0.type: must have a type of A, AAAA, CNAME, MX, TXT or SRV']);
    expect(problems(withRecords([{ type: 'A', name: 'bad name', address: '192.168.1.5' }]))).toEqual([
      'dns.extraRecords.0.name: must be a name such as printer, @ (the domain itself) or printer.lanpost.lan.',
    ]);
    expect(problems(withRecords([{ type: 'MX', name: '@', preference: 70000, exchange: 'mail' }]))).toEqual(['dns.extraRecords.0.preference: must be from 0 to 65535']);
  });

  it('checks the other dns settings', () => {
    const settings = defaultSettings() as unknown as { dns: Record<string, unknown> };
    settings.dns.hostAddresses = ['192.168.1.300'];
    settings.dns.forwarding = { enabled: true, upstreams: ['dns.example.com'], cacheEntries: 100 };
    settings.dns.tcpIdleSeconds = 0;
    expect(problems(settings).sort()).toEqual([
      'dns.forwarding.upstreams.0: must be an IP address with an optional port, such as 192.168.1.1 or 127.0.0.1:5353',
      'dns.hostAddresses.0: must be an IP address such as 192.168.1.20 or fd00::20',
      'dns.tcpIdleSeconds: must be at least 1 second',
    ]);
  });
});

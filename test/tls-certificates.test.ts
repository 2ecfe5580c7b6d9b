// The local CA and server certificate pass the strictest client rules (Apple's), verify with
// openssl (also as openssl s_client after STARTTLS), renew from the same CA, and imports are
// refused with the reason in words.
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import tls from 'node:tls';
import { afterAll, describe, expect, it } from 'vitest';
import { certificateFiles, ensureCertificates, importCertificate, loadForge } from '../server/tls/certificates.js';
import { startTestEngine, tempDataDir } from './helpers/engine.js';
import { run } from './helpers/pop3.js';

const identity = { hostname: 'mail.school.lan', domain: 'school.lan', addresses: ['192.168.1.20'] };
const dirs: string[] = [];
function dataDir(): string {
  const dir = tempDataDir('lanpost-tls-');
  dirs.push(dir);
  return dir;
}
afterAll(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

const openssl = (args: string[]) => execFileSync('openssl', args, { encoding: 'utf8' });

describe('certificates', () => {
  it('makes a CA and a server certificate that openssl verifies, with the names, usages and limits clients demand', () => {
    const dir = dataDir();
    expect(ensureCertificates(dir, identity)).toEqual([
      'created the local certificate authority',
      'issued the server certificate for mail.school.lan (first start)',
    ]);
    const files = certificateFiles(dir);
    expect(openssl(['verify', '-x509_strict', '-purpose', 'sslserver', '-CAfile', files.caCert, files.cert]).trim()).toBe(`${files.cert}: OK`);

    const ca = new crypto.X509Certificate(fs.readFileSync(files.caCert));
    expect(ca.ca).toBe(true);
    const caText = openssl(['x509', '-in', files.caCert, '-noout', '-text']);
    expect(caText).toMatch(/Basic Constraints: critical\s+CA:TRUE/);
    expect(caText).toMatch(/Key Usage: critical\s+Certificate Sign, CRL Sign/);

    const server = new crypto.X509Certificate(fs.readFileSync(files.cert));
    const text = openssl(['x509', '-in', files.cert, '-noout', '-text']);
    expect(text).toContain('Signature Algorithm: sha256WithRSAEncryption');
    expect(text).toContain('Public-Key: (2048 bit)');
    expect(text).toMatch(/Extended Key Usage:\s+TLS Web Server Authentication/);
    for (const name of ['DNS:mail.school.lan', 'DNS:school.lan', 'DNS:autoconfig.school.lan', 'DNS:autodiscover.school.lan', 'DNS:localhost', 'IP Address:127.0.0.1', 'IP Address:192.168.1.20']) {
      expect(server.subjectAltName).toContain(name);
    }
    const days = (Date.parse(server.validTo) - Date.parse(server.validFrom)) / 86_400_000;
    expect(days).toBeLessThanOrEqual(825);
    expect(server.checkHost('mail.school.lan')).toBe('mail.school.lan');
    expect(server.verify(ca.publicKey)).toBe(true);
    for (const key of [files.caKey, files.key]) expect(fs.statSync(key).mode & 0o777).toBe(0o600);
  });

  it('renews the server certificate from the same CA before it expires, and when its names change', () => {
    const dir = dataDir();
    ensureCertificates(dir, identity);
    const files = certificateFiles(dir);
    const caBefore = fs.readFileSync(files.caCert, 'utf8');
    const first = new crypto.X509Certificate(fs.readFileSync(files.cert));
    expect(ensureCertificates(dir, identity)).toEqual([]); // nothing to do
    const nearExpiry = Date.parse(first.validTo) - 10 * 86_400_000;
    expect(ensureCertificates(dir, identity, nearExpiry)).toEqual(['issued the server certificate for mail.school.lan (renewal before expiry)']);
    expect(fs.readFileSync(files.caCert, 'utf8')).toBe(caBefore);
    const renewed = new crypto.X509Certificate(fs.readFileSync(files.cert));
    expect(renewed.serialNumber).not.toBe(first.serialNumber);
    expect(renewed.verify(new crypto.X509Certificate(caBefore).publicKey)).toBe(true);
    const moved = ensureCertificates(dir, { ...identity, addresses: ['10.0.0.7'] });
    expect(moved[0]).toMatch(/names changed: 10\.0\.0\.7/);
  });

  it('re-issues, from the same CA, a server certificate that does not name autoconfig.<domain> and autodiscover.<domain>', () => {
    const dir = dataDir();
    ensureCertificates(dir, identity);
    const files = certificateFiles(dir);
    const caBefore = fs.readFileSync(files.caCert, 'utf8');
    // a certificate as earlier versions made it: host name, domain, localhost and the addresses only
    const forge = loadForge();
    const ca = { key: forge.pki.privateKeyFromPem(fs.readFileSync(files.caKey, 'utf8')), cert: forge.pki.certificateFromPem(caBefore) };
    const keys = forge.pki.rsa.generateKeyPair(2048);
    const old = forge.pki.createCertificate();
    old.publicKey = keys.publicKey;
    old.serialNumber = '0a';
    old.validity.notBefore = new Date(Date.now() - 86_400_000);
    old.validity.notAfter = new Date(Date.now() + 400 * 86_400_000);
    old.setSubject([{ name: 'commonName', value: identity.hostname }]);
    old.setIssuer(ca.cert.subject.attributes);
    const altNames = [...['mail.school.lan', 'school.lan', 'localhost'].map((value) => ({ type: 2, value })), ...['127.0.0.1', '::1', '192.168.1.20'].map((ip) => ({ type: 7, ip }))];
    old.setExtensions([{ name: 'subjectAltName', altNames }]);
    old.sign(ca.key as import('node-forge').pki.rsa.PrivateKey, forge.md.sha256.create());
    fs.writeFileSync(files.cert, forge.pki.certificateToPem(old));
    fs.writeFileSync(files.key, forge.pki.privateKeyToPem(keys.privateKey));

    expect(ensureCertificates(dir, identity)).toEqual(['issued the server certificate for mail.school.lan (names changed: autoconfig.school.lan, autodiscover.school.lan)']);
    expect(fs.readFileSync(files.caCert, 'utf8')).toBe(caBefore);
    const renewed = new crypto.X509Certificate(fs.readFileSync(files.cert));
    expect(renewed.checkHost('autoconfig.school.lan')).toBe('autoconfig.school.lan');
    expect(renewed.checkHost('autodiscover.school.lan')).toBe('autodiscover.school.lan');
    expect(renewed.verify(new crypto.X509Certificate(caBefore).publicKey)).toBe(true);
  });

  it('refuses imports with the reason in words: malformed, key mismatch, expired', () => {
    const dir = dataDir();
    ensureCertificates(dir, identity);
    const files = certificateFiles(dir);
    const cert = fs.readFileSync(files.cert, 'utf8');
    const otherKey = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    expect(() => importCertificate(dir, 'not a certificate', otherKey)).toThrow(/not a readable PEM certificate/);
    expect(() => importCertificate(dir, cert, 'garbage')).toThrow(/private key is not a readable PEM key/);
    expect(() => importCertificate(dir, cert, otherKey)).toThrow('The private key does not belong to this certificate.');

    // an expired certificate, self-signed, made with node-forge
    const forge = loadForge();
    const keys = forge.pki.rsa.generateKeyPair(1024);
    const old = forge.pki.createCertificate();
    old.publicKey = keys.publicKey;
    old.serialNumber = '01';
    old.validity.notBefore = new Date('2020-01-01');
    old.validity.notAfter = new Date('2021-01-01');
    old.setSubject([{ name: 'commonName', value: 'old.example' }]);
    old.setIssuer([{ name: 'commonName', value: 'old.example' }]);
    old.sign(keys.privateKey, forge.md.sha256.create());
    expect(() => importCertificate(dir, forge.pki.certificateToPem(old), forge.pki.privateKeyToPem(keys.privateKey))).toThrow(
      'The certificate expired on 2021-01-01.',
    );
    // nothing was replaced
    expect(fs.readFileSync(files.cert, 'utf8')).toBe(cert);
    expect(fs.existsSync(files.importedMarker)).toBe(false);
  });

  it('serves TLS 1.2+ only, with the server certificate, on the implicit-TLS port', async () => {
    const test = await startTestEngine();
    try {
      const ca = fs.readFileSync(path.join(test.dataDir, 'tls', 'ca.crt'));
      const connect = (options: tls.ConnectionOptions) =>
        new Promise<tls.TLSSocket>((resolve, reject) => {
          const socket = tls.connect({ host: '127.0.0.1', port: test.port('smtps'), servername: 'mail.lanpost.lan', ca, ...options }, () => resolve(socket));
          socket.once('error', reject);
        });
      const good = await connect({});
      expect(good.authorized).toBe(true); // trusted through the local CA, name matches
      expect(['TLSv1.2', 'TLSv1.3']).toContain(good.getProtocol());
      good.destroy();
      await expect(connect({ maxVersion: 'TLSv1.1', minVersion: 'TLSv1' })).rejects.toThrow();
    } finally {
      await test.stop();
    }
  });

  it('offers TLS 1.2 suites with forward secrecy and AEAD only, on every TLS port and after STARTTLS/STLS', async () => {
    const test = await startTestEngine();
    try {
      const sClient = (port: number, starttls: string | null, cipher: string) =>
        run('openssl', ['s_client', ...(starttls ? ['-starttls', starttls] : []), '-connect', `127.0.0.1:${port}`, '-tls1_2', '-cipher', cipher, '-brief'], {
          input: '',
          timeoutMs: 15_000,
        });
      const ports: Array<[number, string | null]> = [
        [test.port('smtps'), null],
        [test.port('imaps'), null],
        [test.port('pop3s'), null],
        [test.port('submission'), 'smtp'],
        [test.port('imap'), 'imap'],
        [test.port('pop3'), 'pop3'],
      ];
      for (const [port, starttls] of ports) {
        const where = `${starttls ?? 'implicit TLS'} on ${port}`;
        for (const weak of ['AES128-SHA', 'AES256-SHA256', 'AES128-GCM-SHA256', 'ECDHE-RSA-AES128-SHA', 'ARIA128-GCM-SHA256']) {
          expect((await sClient(port, starttls, weak)).stderr, `${weak}, ${where}`).not.toMatch(/Ciphersuite:/);
        }
        for (const strong of ['ECDHE-RSA-AES128-GCM-SHA256', 'ECDHE-RSA-CHACHA20-POLY1305', 'DHE-RSA-AES256-GCM-SHA384']) {
          expect((await sClient(port, starttls, strong)).stderr, `${strong}, ${where}`).toContain(`Ciphersuite: ${strong}`);
        }
      }
      const tls13 = await run('openssl', ['s_client', '-connect', `127.0.0.1:${test.port('imaps')}`, '-tls1_3', '-brief'], { input: '', timeoutMs: 15_000 });
      expect(tls13.stderr).toMatch(/Protocol version: TLSv1\.3/);
    } finally {
      await test.stop();
    }
  });

  it('passes openssl s_client\'s checks (chain to the local CA, host name) after STARTTLS/STLS and on the implicit-TLS ports', async () => {
    const test = await startTestEngine();
    try {
      const ca = path.join(test.dataDir, 'tls', 'ca.crt');
      const sClient = (port: number, starttls: string | null, hostname = 'mail.lanpost.lan') =>
        run(
          'openssl',
          ['s_client', ...(starttls ? ['-starttls', starttls] : []), '-connect', `127.0.0.1:${port}`, '-CAfile', ca, '-verify_return_error', '-verify_hostname', hostname, '-brief'],
          { input: '', timeoutMs: 15_000 },
        );
      const checks: Array<[number, string | null]> = [
        [test.port('submission'), 'smtp'],
        [test.port('smtp'), 'smtp'],
        [test.port('pop3'), 'pop3'],
        [test.port('imap'), 'imap'],
        [test.port('smtps'), null],
        [test.port('pop3s'), null],
        [test.port('imaps'), null],
      ];
      for (const [port, starttls] of checks) {
        const result = await sClient(port, starttls);
        expect(result.stderr, `${starttls ?? 'implicit TLS'} on ${port}`).toContain('Verification: OK');
        expect(result.stderr).toMatch(/Protocol version: TLSv1\.[23]/);
      }
      const wrongName = await sClient(test.port('imap'), 'imap', 'somewhere.else');
      expect(wrongName.stderr).toContain('hostname mismatch');
      expect(wrongName.stderr).not.toContain('Verification: OK');
    } finally {
      await test.stop();
    }
  });
});

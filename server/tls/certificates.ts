// The local CA and the server certificate (node-forge), what the classic
// `openssl genrsa / req / x509` steps made by hand. Both pass Apple's rules, the strictest
// clients apply: CA with basicConstraints CA:true + keyCertSign; server certificate with its
// names in subjectAltName, extendedKeyUsage serverAuth, SHA-256, RSA 2048, at most 825 days.
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { createRequire } from 'node:module';
import type forge from 'node-forge';

/** node-forge is loaded only when a certificate is made (it weighs a few MB of memory). */
export function loadForge(): typeof forge {
  return createRequire(import.meta.url)('node-forge') as typeof forge;
}

const CA_DAYS = 3650;
const SERVER_DAYS = 800; // Apple: at most 825
const RENEW_BEFORE_DAYS = 30;
const DAY = 86_400_000;

export interface CertificateFiles {
  caKey: string;
  caCert: string;
  key: string;
  cert: string;
  /** Present when the server certificate was imported rather than issued by the local CA. */
  importedMarker: string;
}

export function certificateFiles(dataDir: string): CertificateFiles {
  const dir = path.join(dataDir, 'tls');
  return {
    caKey: path.join(dir, 'ca.key'),
    caCert: path.join(dir, 'ca.crt'),
    key: path.join(dir, 'server.key'),
    cert: path.join(dir, 'server.crt'),
    importedMarker: path.join(dir, 'imported'),
  };
}

export interface ServerIdentity {
  hostname: string;
  domain: string;
  /** IP addresses to include in subjectAltName (LAN addresses, loopback). */
  addresses: string[];
}

export interface CertificateSummary {
  subject: string;
  issuer: string;
  dnsNames: string[];
  ipAddresses: string[];
  notBefore: string;
  notAfter: string;
  fingerprintSha256: string;
  imported: boolean;
}

export class CertificateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CertificateError';
  }
}

function newRsaKey(): forge.pki.rsa.PrivateKey {
  const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  return loadForge().pki.privateKeyFromPem(privateKey.export({ type: 'pkcs1', format: 'pem' }).toString());
}

function writePrivate(file: string, pem: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const temp = `${file}.tmp`;
  fs.writeFileSync(temp, pem, { mode: 0o600 });
  fs.chmodSync(temp, 0o600);
  fs.renameSync(temp, file);
}

function writePublic(file: string, pem: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  fs.writeFileSync(`${file}.tmp`, pem, { mode: 0o644 });
  fs.renameSync(`${file}.tmp`, file);
}

function randomSerial(): string {
  const bytes = crypto.randomBytes(16);
  bytes[0] = bytes[0]! & 0x7f; // positive
  return bytes.toString('hex');
}

function validity(cert: forge.pki.Certificate, days: number): void {
  const now = Date.now();
  cert.validity.notBefore = new Date(now - 3600_000); // an hour of slack for clients with a slow clock
  cert.validity.notAfter = new Date(now + days * DAY);
}

function createCa(hostname: string): { key: forge.pki.rsa.PrivateKey; cert: forge.pki.Certificate } {
  const key = newRsaKey();
  const { pki, md } = loadForge();
  const cert = pki.createCertificate();
  cert.publicKey = pki.setRsaPublicKey(key.n, key.e);
  cert.serialNumber = randomSerial();
  validity(cert, CA_DAYS);
  const subject = [
    { name: 'commonName', value: `LanPost Local CA (${hostname})` },
    { name: 'organizationName', value: 'LanPost' },
  ];
  cert.setSubject(subject);
  cert.setIssuer(subject);
  cert.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  cert.sign(key, md.sha256.create());
  return { key, cert };
}

function issueServerCertificate(
  ca: { key: forge.pki.rsa.PrivateKey; cert: forge.pki.Certificate },
  identity: ServerIdentity,
): { key: forge.pki.rsa.PrivateKey; cert: forge.pki.Certificate } {
  const key = newRsaKey();
  const { pki, md } = loadForge();
  const cert = pki.createCertificate();
  cert.publicKey = pki.setRsaPublicKey(key.n, key.e);
  cert.serialNumber = randomSerial();
  validity(cert, SERVER_DAYS);
  cert.setSubject([{ name: 'commonName', value: identity.hostname }]);
  cert.setIssuer(ca.cert.subject.attributes);
  cert.setExtensions([
    { name: 'basicConstraints', cA: false, critical: true },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: true },
    { name: 'subjectAltName', altNames: altNamesFor(identity) },
    { name: 'subjectKeyIdentifier' },
    { name: 'authorityKeyIdentifier', keyIdentifier: ca.cert.generateSubjectKeyIdentifier().getBytes() },
  ]);
  cert.sign(ca.key, md.sha256.create());
  return { key, cert };
}

function wantedNames(identity: ServerIdentity): { dns: string[]; ips: string[] } {
  // Thunderbird and Outlook fetch their settings from autoconfig.<domain> and autodiscover.<domain> over HTTPS.
  const dns = [...new Set([identity.hostname, identity.domain, `autoconfig.${identity.domain}`, `autodiscover.${identity.domain}`, 'localhost'])];
  const ips = [...new Set(['127.0.0.1', '::1', ...identity.addresses])].filter((a) => net.isIP(a));
  return { dns, ips };
}

function altNamesFor(identity: ServerIdentity): Array<{ type: number; value?: string; ip?: string }> {
  const { dns, ips } = wantedNames(identity);
  return [...dns.map((value) => ({ type: 2, value })), ...ips.map((ip) => ({ type: 7, ip }))];
}

/**
 * Makes sure a CA and a valid server certificate exist: created on first start, re-issued from
 * the same CA when it nears expiry or its names no longer match (so clients trusting the CA keep
 * working). An imported certificate is left alone. Returns what was done, for the log.
 */
export function ensureCertificates(dataDir: string, identity: ServerIdentity, now = Date.now()): string[] {
  const files = certificateFiles(dataDir);
  const done: string[] = [];
  const caExists = fs.existsSync(files.caKey) && fs.existsSync(files.caCert);
  if (!caExists) {
    const created = createCa(identity.hostname);
    const { pki } = loadForge();
    writePrivate(files.caKey, pki.privateKeyToPem(created.key));
    writePublic(files.caCert, pki.certificateToPem(created.cert));
    done.push('created the local certificate authority');
  }
  if (fs.existsSync(files.importedMarker) && fs.existsSync(files.cert)) return done;
  const reason = serverCertificateProblem(files, identity, now);
  if (reason) {
    const pki = loadForge().pki;
    const ca = {
      key: pki.privateKeyFromPem(fs.readFileSync(files.caKey, 'utf8')) as forge.pki.rsa.PrivateKey,
      cert: pki.certificateFromPem(fs.readFileSync(files.caCert, 'utf8')),
    };
    const issued = issueServerCertificate(ca, identity);
    writePrivate(files.key, pki.privateKeyToPem(issued.key));
    writePublic(files.cert, pki.certificateToPem(issued.cert));
    done.push(`issued the server certificate for ${identity.hostname} (${reason})`);
  }
  return done;
}

function serverCertificateProblem(files: CertificateFiles, identity: ServerIdentity, now: number): string | null {
  if (!fs.existsSync(files.cert) || !fs.existsSync(files.key)) return 'first start';
  const cert = new crypto.X509Certificate(fs.readFileSync(files.cert));
  if (Date.parse(cert.validTo) - now < RENEW_BEFORE_DAYS * DAY) return 'renewal before expiry';
  const present = summarize(fs.readFileSync(files.cert, 'utf8'), false);
  const { dns, ips } = wantedNames(identity);
  const missing = [...dns.filter((d) => !present.dnsNames.includes(d)), ...ips.filter((ip) => !present.ipAddresses.includes(normalizeIp(ip)))];
  return missing.length ? `names changed: ${missing.join(', ')}` : null;
}

function normalizeIp(ip: string): string {
  return net.isIPv6(ip) ? new net.SocketAddress({ address: ip, family: 'ipv6' }).address : ip;
}

export function summarize(certPem: string, imported: boolean): CertificateSummary {
  const cert = new crypto.X509Certificate(certPem);
  const names = (cert.subjectAltName ?? '').split(', ').filter(Boolean);
  return {
    subject: cert.subject.replace(/\n/g, ', '),
    issuer: cert.issuer.replace(/\n/g, ', '),
    dnsNames: names.filter((n) => n.startsWith('DNS:')).map((n) => n.slice(4)),
    ipAddresses: names.filter((n) => n.startsWith('IP Address:')).map((n) => normalizeIp(n.slice(11))),
    notBefore: new Date(cert.validFrom).toISOString(),
    notAfter: new Date(cert.validTo).toISOString(),
    fingerprintSha256: cert.fingerprint256,
    imported,
  };
}

/** The local CA's certificate as clients install it: PEM (.crt), DER (.cer) and its SHA-256 fingerprint. */
export function caCertificate(dataDir: string): { pem: string; der: Buffer; fingerprintSha256: string } {
  const pem = fs.readFileSync(certificateFiles(dataDir).caCert, 'utf8');
  const cert = new crypto.X509Certificate(pem);
  return { pem, der: cert.raw, fingerprintSha256: cert.fingerprint256 };
}

export function currentCertificate(dataDir: string): CertificateSummary {
  const files = certificateFiles(dataDir);
  return summarize(fs.readFileSync(files.cert, 'utf8'), fs.existsSync(files.importedMarker));
}

/**
 * Installs a certificate (with its chain) and key from PEM, e.g. one issued by a public CA.
 * Refused, with the reason in words, when the PEM is malformed, the key does not belong to the
 * certificate, or the certificate has expired or is not yet valid.
 */
export function importCertificate(dataDir: string, certPem: string, keyPem: string, now = Date.now()): CertificateSummary {
  let cert: crypto.X509Certificate;
  let key: crypto.KeyObject;
  const firstCert = certPem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/)?.[0];
  try {
    if (!firstCert) throw new Error('no BEGIN CERTIFICATE block');
    cert = new crypto.X509Certificate(firstCert);
  } catch (error) {
    throw new CertificateError(`The certificate is not a readable PEM certificate (${(error as Error).message}).`);
  }
  try {
    key = crypto.createPrivateKey(keyPem);
  } catch (error) {
    throw new CertificateError(`The private key is not a readable PEM key (${(error as Error).message}).`);
  }
  if (!cert.checkPrivateKey(key)) throw new CertificateError('The private key does not belong to this certificate.');
  if (Date.parse(cert.validTo) < now) throw new CertificateError(`The certificate expired on ${new Date(cert.validTo).toISOString().slice(0, 10)}.`);
  if (Date.parse(cert.validFrom) > now) throw new CertificateError(`The certificate is not valid before ${new Date(cert.validFrom).toISOString().slice(0, 10)}.`);
  const files = certificateFiles(dataDir);
  writePrivate(files.key, key.export({ type: 'pkcs8', format: 'pem' }).toString());
  writePublic(files.cert, certPem.trim() + '\n');
  fs.writeFileSync(files.importedMarker, new Date(now).toISOString() + '\n');
  return currentCertificate(dataDir);
}

/** Goes back to a certificate issued by the local CA (e.g. after an imported one). */
export function regenerateCertificate(dataDir: string, identity: ServerIdentity): string[] {
  const files = certificateFiles(dataDir);
  for (const file of [files.importedMarker, files.cert, files.key]) fs.rmSync(file, { force: true });
  return ensureCertificates(dataDir, identity);
}

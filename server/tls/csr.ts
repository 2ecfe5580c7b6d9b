// A key and a certificate signing request for a public CA: the classic
// `openssl req -new -newkey rsa:2048 -nodes -keyout mail.key -out mail.csr` step. The key stays in
// <data>/tls/request.key until the CA's certificate is imported with it.
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import type forge from 'node-forge';
import { CertificateError, loadForge } from './certificates.js';

export interface CsrOptions {
  commonName: string;
  /** More names (DNS names or IP addresses) for subjectAltName; the common name is always included. */
  altNames?: string[];
  organization?: string;
  /** Two-letter country code, e.g. CN, DE. */
  country?: string;
}

export interface PendingRequest {
  commonName: string;
  createdAt: string;
}

const DNS_NAME = /^(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/i;

function requestFiles(dataDir: string) {
  const dir = path.join(dataDir, 'tls');
  return { key: path.join(dir, 'request.key'), csr: path.join(dir, 'request.csr') };
}

/** Makes an RSA 2048 key and a SHA-256 CSR with the names in subjectAltName (what public CAs read). */
export function createCertificateRequest(dataDir: string, options: CsrOptions): { csr: string; key: string } {
  const commonName = options.commonName.trim().toLowerCase();
  if (!DNS_NAME.test(commonName)) throw new CertificateError(`The name "${options.commonName}" is not a host name such as mail.example.com.`);
  const altNames = [...new Set([commonName, ...(options.altNames ?? []).map((n) => n.trim().toLowerCase()).filter(Boolean)])];
  for (const name of altNames) {
    if (!net.isIP(name) && !DNS_NAME.test(name)) throw new CertificateError(`The extra name "${name}" is neither a host name nor an IP address.`);
  }
  const country = options.country?.trim().toUpperCase() ?? '';
  if (country && !/^[A-Z]{2}$/.test(country)) throw new CertificateError('The country must be a two-letter code such as CN, DE or US.');

  const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  const keyPem = privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
  const { pki, md } = loadForge();
  const key = pki.privateKeyFromPem(keyPem) as forge.pki.rsa.PrivateKey;
  const csr = pki.createCertificationRequest();
  csr.publicKey = pki.setRsaPublicKey(key.n, key.e);
  const subject: forge.pki.CertificateField[] = [{ name: 'commonName', value: commonName }];
  if (options.organization?.trim()) subject.push({ name: 'organizationName', value: options.organization.trim() });
  if (country) subject.push({ name: 'countryName', value: country });
  csr.setSubject(subject);
  csr.setAttributes([
    {
      name: 'extensionRequest',
      extensions: [{ name: 'subjectAltName', altNames: altNames.map((n) => (net.isIP(n) ? { type: 7, ip: n } : { type: 2, value: n })) }],
    },
  ]);
  csr.sign(key, md.sha256.create());
  const csrPem = pki.certificationRequestToPem(csr);

  const files = requestFiles(dataDir);
  fs.mkdirSync(path.dirname(files.key), { recursive: true, mode: 0o700 });
  fs.writeFileSync(`${files.key}.tmp`, keyPem, { mode: 0o600 });
  fs.renameSync(`${files.key}.tmp`, files.key);
  fs.writeFileSync(files.csr, csrPem, { mode: 0o644 });
  return { csr: csrPem, key: keyPem };
}

/** The key + CSR waiting for the CA's answer, if any. */
export function pendingRequest(dataDir: string): PendingRequest | null {
  const files = requestFiles(dataDir);
  if (!fs.existsSync(files.key) || !fs.existsSync(files.csr)) return null;
  const csr = loadForge().pki.certificationRequestFromPem(fs.readFileSync(files.csr, 'utf8'));
  const commonName = String(csr.subject.getField('CN')?.value ?? '');
  return { commonName, createdAt: fs.statSync(files.csr).mtime.toISOString() };
}

export function pendingRequestKey(dataDir: string): string | null {
  const files = requestFiles(dataDir);
  return fs.existsSync(files.key) ? fs.readFileSync(files.key, 'utf8') : null;
}

/** After the certificate for the request was imported. */
export function clearPendingRequest(dataDir: string): void {
  const files = requestFiles(dataDir);
  fs.rmSync(files.key, { force: true });
  fs.rmSync(files.csr, { force: true });
}

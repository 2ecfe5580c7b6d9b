// lanpost cert show | regenerate | import CERT KEY | ca
import fs from 'node:fs';
import path from 'node:path';
import { certificateIdentity } from '../engine.js';
import { loadSettings } from '../settings/file.js';
import { currentCertificate, ensureCertificates, importCertificate, regenerateCertificate } from '../tls/certificates.js';
import { UsageError } from './usage-error.js';

export function certCommand(dataDir: string, sub: string | undefined, args: string[]): number {
  const { settings } = loadSettings(dataDir);
  const out = (line: string) => process.stdout.write(line + '\n');
  switch (sub) {
    case 'show':
    case undefined:
      ensureCertificates(dataDir, certificateIdentity(settings)).forEach(out);
      out(JSON.stringify(currentCertificate(dataDir), null, 2));
      return 0;
    case 'regenerate':
      regenerateCertificate(dataDir, certificateIdentity(settings)).forEach(out);
      return 0;
    case 'import': {
      const [certFile, keyFile] = args;
      if (!certFile || !keyFile || args.length !== 2) throw new UsageError('cert import takes CERT.pem and KEY.pem');
      const summary = importCertificate(dataDir, fs.readFileSync(certFile, 'utf8'), fs.readFileSync(keyFile, 'utf8'));
      out(`imported the certificate for ${summary.dnsNames.join(', ')} (valid until ${summary.notAfter})`);
      return 0;
    }
    case 'ca':
      ensureCertificates(dataDir, certificateIdentity(settings));
      process.stdout.write(fs.readFileSync(path.join(dataDir, 'tls', 'ca.crt'), 'utf8'));
      return 0;
    default:
      throw new UsageError('cert takes show, regenerate, import or ca');
  }
}

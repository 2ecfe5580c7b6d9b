// DKIM public keys to publish. The outbound-mail code writes <data>/dkim/<domain>/<selector>.pub.pem
// (SPKI PEM); each becomes `<selector>._domainkey.<domain> TXT "v=DKIM1; k=…; p=…"` (RFC 6376 §3.6.1).
// A file contract, no code shared.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { isDomainName } from './names.js';

export interface DkimKey {
  selector: string;
  /** The TXT record's text. */
  record: string;
}

const SUFFIX = '.pub.pem';

function keyFolder(dataDir: string, domain: string): string {
  return path.join(dataDir, 'dkim', domain);
}

/** Names, sizes and times of the key files: when it changes, the keys are read again. */
export function dkimFingerprint(dataDir: string, domain: string): string {
  try {
    const folder = keyFolder(dataDir, domain);
    return fs
      .readdirSync(folder)
      .filter((file) => file.endsWith(SUFFIX))
      .sort()
      .map((file) => {
        const stat = fs.statSync(path.join(folder, file));
        return `${file}:${stat.size}:${stat.mtimeMs}`;
      })
      .join('|');
  } catch {
    return '';
  }
}

/** Every readable key; unreadable ones are reported, never fatal. */
export function readDkimKeys(dataDir: string, domain: string): { keys: DkimKey[]; problems: string[] } {
  const keys: DkimKey[] = [];
  const problems: string[] = [];
  const folder = keyFolder(dataDir, domain);
  let files: string[];
  try {
    files = fs.readdirSync(folder).filter((file) => file.endsWith(SUFFIX)).sort();
  } catch {
    return { keys, problems };
  }
  for (const file of files) {
    const selector = file.slice(0, -SUFFIX.length).toLowerCase();
    if (!isDomainName(selector, { allowUnderscore: false })) {
      problems.push(`dkim/${domain}/${file}: "${selector}" is not a valid DKIM selector`);
      continue;
    }
    try {
      const key = crypto.createPublicKey(fs.readFileSync(path.join(folder, file), 'utf8'));
      const spki = key.export({ type: 'spki', format: 'der' });
      if (key.asymmetricKeyType === 'rsa') keys.push({ selector, record: `v=DKIM1; k=rsa; p=${spki.toString('base64')}` });
      // RFC 8463 §4.2: for Ed25519, p= is the bare 32-byte key, not the SPKI structure.
      else if (key.asymmetricKeyType === 'ed25519') keys.push({ selector, record: `v=DKIM1; k=ed25519; p=${spki.subarray(-32).toString('base64')}` });
      else problems.push(`dkim/${domain}/${file}: ${key.asymmetricKeyType} keys are not used by DKIM`);
    } catch (error) {
      problems.push(`dkim/${domain}/${file}: not a public key (${(error as Error).message})`);
    }
  }
  return { keys, problems };
}

// DKIM verification by two verifiers that did not sign: dkimpy (Debian python3-dkim, a separate
// implementation) and mailauth's verifier, both given the key published from <data>/dkim/.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { dkimVerify } from 'mailauth/lib/dkim/verify.js';

/** The TXT record as the DNS responder publishes it, derived here from the .pub.pem file. */
export function publishedRecord(dataDir: string, domain: string, selector = 'lanpost'): string {
  const pem = fs.readFileSync(path.join(dataDir, 'dkim', domain, `${selector}.pub.pem`), 'utf8');
  return `v=DKIM1; k=rsa; p=${pem.replace(/-----[A-Z ]+-----|\s+/g, '')}`;
}

const DKIMPY = `
import sys, dkim
record = sys.argv[1].encode()
name = sys.argv[2].encode()
def dns(qname, timeout=5):
    return record if qname.rstrip(b'.') == name else None
message = sys.stdin.buffer.read()
print('pass' if dkim.verify(message, dnsfunc=dns) else 'fail')
`;

function python(): string {
  for (const candidate of ['python3', '/usr/bin/python3']) {
    if (spawnSync(candidate, ['-c', 'import dkim'], { stdio: 'ignore' }).status === 0) return candidate;
  }
  throw new Error('dkimpy is missing: apt-get install python3-dkim');
}

export function verifyWithDkimpy(message: Buffer, record: string, domain: string, selector = 'lanpost'): string {
  const result = spawnSync(python(), ['-c', DKIMPY, record, `${selector}._domainkey.${domain}`], { input: message, encoding: 'utf8' });
  return (result.stdout || result.stderr).trim();
}

export async function verifyWithMailauth(message: Buffer, record: string, domain: string, selector = 'lanpost') {
  const resolver = async (name: string, type: string) => {
    if (type === 'TXT' && name === `${selector}._domainkey.${domain}`) return [[record]];
    throw Object.assign(new Error(`no ${type} for ${name}`), { code: 'ENOTFOUND' });
  };
  const { results } = await dkimVerify(message, { resolver });
  return results;
}

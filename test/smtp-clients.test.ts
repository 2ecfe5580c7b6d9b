// Real SMTP clients from outside Node: swaks and Python's smtplib.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestEngine, type TestEngine } from './helpers/engine.js';
import { maildirFiles, withoutTraceHeaders } from './helpers/mail.js';

const run = promisify(execFile);
let test: TestEngine;
const dave = { address: 'dave@lanpost.lan', password: 'dave password 1' };

beforeAll(async () => {
  test = await startTestEngine();
  await test.addUser(dave.address, dave.password);
  await test.addUser('erin@lanpost.lan');
});
afterAll(() => test.stop());

function newest(address: string): Buffer {
  return fs.readFileSync(maildirFiles(test, address).at(-1)!);
}

describe('swaks', () => {
  it('delivers a message with dot-stuffed lines and UTF-8 byte-for-byte', async () => {
    const body = 'Subject: swaks\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n.hidden first dot\r\n..two dots\r\nUmlaut: äöü ✓\r\n';
    const file = path.join(test.dataDir, 'swaks.eml');
    fs.writeFileSync(file, body);
    const { stdout } = await run('swaks', [
      '--server', `127.0.0.1:${test.port('smtp')}`,
      '--from', 'sender@example.org',
      '--to', 'erin@lanpost.lan',
      '--data', `@${file}`,
      '--hide-all',
      '--timeout', '10',
    ]);
    expect(stdout).toBe('');
    // swaks ends DATA with "\r\n.\r\n" after the file, so the stored message gains one empty line.
    expect(withoutTraceHeaders(newest('erin@lanpost.lan')).toString('utf8')).toBe(body + '\r\n');
  });

  it('authenticates with AUTH LOGIN after STARTTLS on submission and is refused with a wrong password', async () => {
    const common = ['--server', `127.0.0.1:${test.port('submission')}`, '--from', dave.address, '--to', 'erin@lanpost.lan', '--tls', '--auth', 'LOGIN', '--auth-user', dave.address, '--timeout', '10'];
    const ok = await run('swaks', [...common, '--auth-password', dave.password, '--header', 'Subject: swaks auth']);
    expect(ok.stdout).toMatch(/<~\s+235 /);
    expect(ok.stdout).toMatch(/<~\s+250 2\.0\.0 Ok: queued/);
    const bad = await run('swaks', [...common, '--auth-password', 'not it']).catch((error: { stdout: string; code: number }) => error);
    expect((bad as { code: number }).code).toBe(28); // swaks: AUTH failed
    expect((bad as { stdout: string }).stdout).toMatch(/<~\*\s+535 5\.7\.8 /);
  });
});

describe("Python's smtplib", () => {
  it('sends over SMTPS with AUTH PLAIN, and the recipient gets UTF-8 (SMTPUTF8) intact', async () => {
    const script = `
import smtplib, ssl, sys
port, user, password = int(sys.argv[1]), sys.argv[2], sys.argv[3]
ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
msg = "Subject: =?utf-8?q?caf=C3=A9?=\\r\\nContent-Type: text/plain; charset=utf-8\\r\\n\\r\\ncafé crème\\r\\n.\\r\\n"
with smtplib.SMTP_SSL("127.0.0.1", port, context=ctx, timeout=10) as s:
    s.login(user, password)
    refused = s.sendmail(user, ["erin@lanpost.lan"], msg.encode("utf-8"), mail_options=["SMTPUTF8", "BODY=8BITMIME"])
    print("refused", refused)
`;
    const { stdout } = await run('python3', ['-c', script, String(test.port('smtps')), dave.address, dave.password]);
    expect(stdout.trim()).toBe('refused {}');
    const stored = newest('erin@lanpost.lan').toString('utf8');
    expect(stored.endsWith('\r\n\r\ncafé crème\r\n.\r\n')).toBe(true);
  });

  it('gets the documented error codes for unknown users and relaying', async () => {
    const script = `
import smtplib, sys
with smtplib.SMTP("127.0.0.1", int(sys.argv[1]), timeout=10) as s:
    s.ehlo("client.test")
    s.mail("x@example.org")
    print(s.rcpt("ghost@lanpost.lan")[0], s.rcpt("someone@far.example")[0], s.rcpt("erin@lanpost.lan")[0])
`;
    const { stdout } = await run('python3', ['-c', script, String(test.port('smtp'))]);
    expect(stdout.trim()).toBe('550 554 250');
  });
});

// Reading what landed in a Maildir, and helpers shared by protocol tests.
import fs from 'node:fs';
import path from 'node:path';
import nodemailer, { type SendMailOptions, type SentMessageInfo } from 'nodemailer';
import type { TestEngine } from './engine.js';

/** The message files of a user's folder (INBOX by default), oldest first. */
export function maildirFiles(test: TestEngine, address: string, folder = ''): string[] {
  const user = test.engine.context.accounts.findUser(address);
  if (!user) throw new Error(`no user ${address}`);
  const root = path.join(test.dataDir, user.maildir, folder);
  const files: string[] = [];
  for (const sub of ['new', 'cur']) {
    const dir = path.join(root, sub);
    if (fs.existsSync(dir)) for (const name of fs.readdirSync(dir)) files.push(path.join(dir, name));
  }
  return files.sort((a, b) => fs.statSync(a).mtimeMs - fs.statSync(b).mtimeMs || a.localeCompare(b));
}

/** The bytes after the trace headers LanPost prepends (Return-Path, Delivered-To, Received, …). */
export function withoutTraceHeaders(stored: Buffer): Buffer {
  let offset = 0;
  for (;;) {
    const text = stored.subarray(offset, offset + 2000).toString('latin1');
    const match = /^(Return-Path|Delivered-To|Received): [^\r\n]*\r\n(?:[ \t][^\r\n]*\r\n)*/i.exec(text);
    if (!match) return stored.subarray(offset);
    offset += match[0].length;
  }
}

/** Sends as a mail client would: logged in on the submission port (STARTTLS, the local CA not checked). */
export async function submitAs(
  test: TestEngine,
  user: { address: string; password: string },
  mail: SendMailOptions,
): Promise<SentMessageInfo> {
  const transport = nodemailer.createTransport({
    host: '127.0.0.1',
    port: test.port('submission'),
    auth: { user: user.address, pass: user.password },
    tls: { rejectUnauthorized: false },
  });
  try {
    return await transport.sendMail(mail);
  } finally {
    transport.close();
  }
}

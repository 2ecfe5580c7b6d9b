import fs from 'node:fs';
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestEngine, type TestEngine } from './helpers/engine.js';
import { maildirFiles, withoutTraceHeaders } from './helpers/mail.js';

let test: TestEngine;

beforeAll(async () => {
  test = await startTestEngine();
  await test.addUser('bob@lanpost.lan');
});
afterAll(() => test.stop());

describe('SMTP local delivery', () => {
  it('stores a message byte-for-byte in the recipient Maildir with trace headers', async () => {
    const raw =
      'From: alice@example.org\r\nTo: bob@lanpost.lan\r\nSubject: hi\r\nMessage-ID: <1@example.org>\r\nDate: Sat, 28 Nov 2026 10:00:00 +0000\r\n\r\n' +
      '.leading dot line\r\nUTF-8: Grüße, 你好\r\n';
    const transport = nodemailer.createTransport({ host: '127.0.0.1', port: test.port('smtp'), secure: false, ignoreTLS: true });
    const info = await transport.sendMail({ envelope: { from: 'alice@example.org', to: ['bob@lanpost.lan'] }, raw });
    expect(info.response).toMatch(/^250 2\.0\.0 Ok: queued as /);
    const files = maildirFiles(test, 'bob@lanpost.lan');
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(/\/new\/[^/]+,S=\d+$/);
    const stored = fs.readFileSync(files[0]!);
    expect(withoutTraceHeaders(stored).toString('utf8')).toBe(raw);
    const head = stored.toString('utf8', 0, 400);
    expect(head).toMatch(/^Return-Path: <alice@example\.org>\r\nDelivered-To: bob@lanpost\.lan\r\nReceived: from /);
    expect(head).toMatch(/\r\nReceived: from \S+ \(unknown \[127\.0\.0\.1\]\)\r\n\tby mail\.lanpost\.lan \(LanPost\) with ESMTP id \w+\r\n/);
    expect(head).toContain('for <bob@lanpost.lan>');
  });
});

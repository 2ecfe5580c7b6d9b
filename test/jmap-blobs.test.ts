// JMAP blobs (RFC 8620 §6) and Email/import (RFC 8621 §4.8) with a real client (jmap-jam):
// upload, import into mailboxes (IMAP sees the message), download of the message and of an
// attachment with its name and type, the size limit, and other accounts' blobs out of reach.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { changeSettings, type TestEngine } from './helpers/engine.js';
import { basic, imapClient, startJmapEngine, type Jam, type JmapEngine } from './helpers/jmap.js';
import { web } from './helpers/web.js';

const alice = { address: 'alice@lanpost.lan', password: 'alice in the office' };
const bob = { address: 'bob@lanpost.lan', password: 'bob in the office' };
let engine: JmapEngine;
let test: TestEngine;
let jam: Jam;
let accountId: string;
let mailboxes: Record<string, string>;

const PDF = Buffer.from('%PDF-1.4 the agenda, 会议');
const MESSAGE = [
  'From: bob@lanpost.lan',
  'To: alice@lanpost.lan',
  'Subject: agenda',
  'Message-ID: <agenda@lanpost.lan>',
  'MIME-Version: 1.0',
  'Content-Type: multipart/mixed; boundary="b"',
  '',
  '--b',
  'Content-Type: text/plain; charset=utf-8',
  '',
  'See the agenda.',
  '--b',
  'Content-Type: application/pdf',
  'Content-Disposition: attachment; filename*=utf-8\'\'%E8%AE%AE%E7%A8%8B.pdf',
  'Content-Transfer-Encoding: base64',
  '',
  PDF.toString('base64'),
  '--b--',
  '',
].join('\r\n');

beforeAll(async () => {
  engine = await startJmapEngine({ [alice.address]: alice.password, [bob.address]: bob.password });
  ({ test, jam, accountId, mailboxes } = engine);
});
afterAll(async () => {
  await engine?.stop();
});

describe('blobs and Email/import', () => {
  let emailId: string;

  it('uploads a message and imports it into two mailboxes with keywords and receivedAt', async () => {
    const uploaded = await jam.uploadBlob(accountId, new Blob([MESSAGE], { type: 'message/rfc822' }));
    expect(uploaded).toMatchObject({ accountId, type: 'message/rfc822', size: Buffer.byteLength(MESSAGE) });
    expect(uploaded.blobId).toMatch(/^U[0-9a-f]{40}$/);
    const [imported] = await jam.api.Email.import({
      accountId,
      emails: { a: { blobId: uploaded.blobId, mailboxIds: { [mailboxes.inbox!]: true, [mailboxes.archive!]: true }, keywords: { $seen: true, $Work: true }, receivedAt: '2026-12-01T08:00:00Z' } },
    });
    emailId = imported.created.a.id;
    expect(imported.created.a).toMatchObject({ blobId: emailId, size: Buffer.byteLength(MESSAGE) });
    const [got] = await jam.api.Email.get({ accountId, ids: [emailId], properties: ['mailboxIds', 'keywords', 'receivedAt', 'subject'] });
    expect(got.list[0]).toEqual({ id: emailId, mailboxIds: { [mailboxes.inbox!]: true, [mailboxes.archive!]: true }, keywords: { $seen: true, $work: true }, receivedAt: '2026-12-01T08:00:00Z', subject: 'agenda' });

    const imap = await imapClient(test, alice);
    try {
      await imap.mailboxOpen('Archive');
      const message = await imap.fetchOne('1', { source: true, flags: true });
      expect(message && message.source!.toString()).toBe(MESSAGE);
      expect(message && [...message.flags!].filter((f) => f !== '\\Recent').sort()).toEqual(['$work', '\\Seen']);
    } finally {
      await imap.logout();
    }
  });

  it('downloads the message and its attachment with the name and type asked for', async () => {
    const whole = await jam.downloadBlob({ accountId, blobId: emailId, mimeType: 'message/rfc822', fileName: 'agenda.eml' });
    expect(whole.status).toBe(200);
    expect(whole.headers.get('content-type')).toBe('message/rfc822');
    expect(whole.headers.get('content-disposition')).toBe('attachment; filename="agenda.eml"; filename*=UTF-8\'\'agenda.eml');
    expect(await whole.text()).toBe(MESSAGE);

    const [got] = await jam.api.Email.get({ accountId, ids: [emailId], properties: ['attachments'] });
    const [attachment] = got.list[0].attachments;
    expect(attachment).toMatchObject({ name: '议程.pdf', type: 'application/pdf', size: PDF.length });
    const part = await jam.downloadBlob({ accountId, blobId: attachment.blobId, mimeType: attachment.type, fileName: attachment.name });
    expect(part.headers.get('content-type')).toBe('application/pdf');
    expect(part.headers.get('content-disposition')).toBe(`attachment; filename="__.pdf"; filename*=UTF-8''${encodeURIComponent('议程.pdf')}`);
    expect(Buffer.from(await part.arrayBuffer())).toEqual(PDF);
  });

  it('parses an uploaded message with Email/parse (RFC 8621 §4.9), its parts downloadable', async () => {
    const uploaded = await jam.uploadBlob(accountId, new Blob([MESSAGE.replace('Subject: agenda', 'Subject: parsed')]));
    const junk = await jam.uploadBlob(accountId, new Blob(['\r\nno header at all']));
    const [answer] = await jam.api.Email.parse({ accountId, blobIds: [uploaded.blobId, junk.blobId, 'Unothing'], fetchTextBodyValues: true });
    const email = answer.parsed[uploaded.blobId];
    expect(email).toMatchObject({ subject: 'parsed', from: [{ name: null, email: bob.address }], hasAttachment: true, preview: 'See the agenda.' });
    expect(email.bodyValues['1']).toEqual({ value: 'See the agenda.', isEncodingProblem: false, isTruncated: false });
    expect(answer.notParsable).toEqual([junk.blobId]);
    expect(answer.notFound).toEqual(['Unothing']);
    const [attachment] = email.attachments;
    expect(attachment.blobId).toBe(`${uploaded.blobId}_2`);
    const part = await jam.downloadBlob({ accountId, blobId: attachment.blobId, mimeType: 'application/pdf', fileName: 'a.pdf' });
    expect(Buffer.from(await part.arrayBuffer())).toEqual(PDF);
  });

  it('keeps blobs to their account and answers 404 for unknown ones', async () => {
    const asBob = await web(test, 'https', `/jmap/download/${accountId}/${emailId}/x?type=text/plain`, { headers: { authorization: basic(bob) } });
    expect(asBob.status).toBe(404);
    const bobAccount = JSON.parse((await web(test, 'https', '/.well-known/jmap', { headers: { authorization: basic(bob) } })).text).primaryAccounts['urn:ietf:params:jmap:mail'];
    const wrongBlob = await web(test, 'https', `/jmap/download/${bobAccount}/${emailId}/x`, { headers: { authorization: basic(bob) } });
    expect(wrongBlob.status).toBe(404);
    expect(wrongBlob.text).toMatch(/^Not Found: no blob/);
  });

  it('refuses an upload over maxSizeUpload with the limit error, and an import of an unknown blob', async () => {
    const [imported] = await jam.api.Email.import({ accountId, emails: { x: { blobId: 'Unothing', mailboxIds: { [mailboxes.inbox!]: true } } } });
    expect(imported.notCreated.x.type).toBe('blobNotFound');
    // (a settings change restarts the web service on a new port: raw requests from here on)
    await changeSettings(test, (s) => {
      s.limits.messageSizeBytes = 2048;
    });
    try {
      const answer = await web(test, 'https', `/jmap/upload/${accountId}/`, { body: Buffer.alloc(4096, 0x61), headers: { authorization: basic(alice), 'content-type': 'text/plain' } });
      expect(answer.status).toBe(413);
      expect(JSON.parse(answer.text)).toMatchObject({ type: 'urn:ietf:params:jmap:error:limit', limit: 'maxSizeUpload' });
    } finally {
      await changeSettings(test, (s) => {
        s.limits.messageSizeBytes = 25 * 1024 * 1024;
      });
    }
  });

  it('refuses an upload below the free-space floor with 507 and writes nothing', async () => {
    const uploads = path.join(test.dataDir, 'jmap-uploads');
    const before = fs.existsSync(uploads) ? fs.readdirSync(uploads, { recursive: true }).length : 0;
    // a floor above what this disk has free: as full as it gets for LanPost
    await changeSettings(test, (s) => {
      s.limits.minFreeDiskBytes = Number.MAX_SAFE_INTEGER;
    });
    try {
      const answer = await web(test, 'https', `/jmap/upload/${accountId}/`, { body: Buffer.from('kept out'), headers: { authorization: basic(alice), 'content-type': 'text/plain' } });
      expect(answer.status).toBe(507);
      expect(answer.text).toContain('limits.minFreeDiskBytes');
      expect(fs.existsSync(uploads) ? fs.readdirSync(uploads, { recursive: true }).length : 0).toBe(before);
    } finally {
      await changeSettings(test, (s) => {
        s.limits.minFreeDiskBytes = 64 * 1024 * 1024;
      });
    }
  });
});

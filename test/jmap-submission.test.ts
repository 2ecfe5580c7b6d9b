// JMAP EmailSubmission (RFC 8621 §7) and Identity/get (§6) with a real client (jmap-jam) and raw
// requests: a draft sent through the same path as SMTP submission — local delivery (IMAP shows it,
// with the Received field naming the authenticated sender, Bcc removed), the outbound queue for
// other domains — then moved to Sent by onSuccessUpdateEmail; spoofed From and unknown recipients
// refused with the RFC's SetErrors.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CORE, MAIL, SUBMISSION } from '../server/jmap/protocol.js';
import type { TestEngine } from './helpers/engine.js';
import { imapClient, jamClient, jmapPost, startJmapEngine, type Jam, type JmapEngine, type Json } from './helpers/jmap.js';

let engine: JmapEngine;
let test: TestEngine;
const alice = { address: 'alice@lanpost.lan', password: 'alice in the office' };
const bob = { address: 'bob@lanpost.lan', password: 'bob in the office' };
const carol = { address: 'carol@lanpost.lan', password: 'carol in the office' };
let jam: Jam;
let accountId: string;
let mailboxes: Record<string, string>;
let aliceIdentity: Json;

beforeAll(async () => {
  engine = await startJmapEngine({ [alice.address]: alice.password, [bob.address]: bob.password, [carol.address]: carol.password });
  ({ test, jam, accountId, mailboxes } = engine);
  test.engine.context.accounts.addAlias('team@lanpost.lan', [alice.address]);
});
afterAll(async () => {
  await engine?.stop();
});

async function draft(headers: string, body = 'Hello from JMAP.'): Promise<string> {
  const message = `${headers}\r\nSubject: plans\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n${body}\r\n`;
  const uploaded = await jam.uploadBlob(accountId, new Blob([message]));
  const [imported] = await jam.api.Email.import({ accountId, emails: { d: { blobId: uploaded.blobId, mailboxIds: { [mailboxes.drafts!]: true }, keywords: { $draft: true, $seen: true } } } });
  return imported.created.d.id;
}

async function inboxOf(user: { address: string; password: string }): Promise<string[]> {
  const imap = await imapClient(test, user);
  try {
    await imap.mailboxOpen('INBOX');
    const messages: string[] = [];
    for await (const message of imap.fetch('1:*', { source: true })) messages.push(message.source!.toString());
    return messages;
  } catch {
    return [];
  } finally {
    await imap.logout();
  }
}

describe('Identity/get', () => {
  it('lists the addresses the user may send as: their own and their aliases', async () => {
    const [got] = await jam.api.Identity.get({ accountId });
    expect(got.list.map((i: Json) => i.email).sort()).toEqual([alice.address, 'team@lanpost.lan']);
    aliceIdentity = got.list.find((i: Json) => i.email === alice.address);
    expect(aliceIdentity).toMatchObject({ mayDelete: false, replyTo: null });
  });
});

describe('EmailSubmission/set', () => {
  it('sends a draft like SMTP submission does, then moves it to Sent (onSuccessUpdateEmail)', async () => {
    const emailId = await draft(`From: Alice <${alice.address}>\r\nTo: ${bob.address}\r\nCc: partner@example.org\r\nBcc: ${carol.address}`);
    const answer = await jmapPost(test, alice, {
      using: [CORE, MAIL, SUBMISSION],
      methodCalls: [
        [
          'EmailSubmission/set',
          {
            accountId,
            create: { k1: { identityId: aliceIdentity.id, emailId } },
            onSuccessUpdateEmail: { '#k1': { [`mailboxIds/${mailboxes.drafts}`]: null, [`mailboxIds/${mailboxes.sent}`]: true, 'keywords/$draft': null } },
          },
          '0',
        ],
      ],
    });
    const [[name, set, id], [implicitName, implicit, implicitId]] = answer.json.methodResponses;
    expect([name, id, implicitName, implicitId]).toEqual(['EmailSubmission/set', '0', 'Email/set', '0']);
    expect(set.notCreated).toEqual({});
    expect(set.created.k1).toMatchObject({ undoStatus: 'final' });
    expect(implicit.updated).toEqual({ [emailId]: null });
    const [moved] = await jam.api.Email.get({ accountId, ids: [emailId], properties: ['mailboxIds', 'keywords'] });
    expect(moved.list[0]).toMatchObject({ mailboxIds: { [mailboxes.sent!]: true }, keywords: { $seen: true } });

    const [toBob] = await inboxOf(bob);
    expect(toBob).toMatch(/^Return-Path: <alice@lanpost\.lan>\r\nDelivered-To: bob@lanpost\.lan\r\nReceived: from jmap \(unknown \[127\.0\.0\.1\]\)\r\n\t\(Authenticated sender: alice@lanpost\.lan\)\r\n/);
    expect(toBob).toMatch(/\r\nMessage-ID: <[^>]+@mail\.lanpost\.lan>\r\n/);
    expect(toBob).not.toMatch(/^Bcc:/im);
    const [toCarol] = await inboxOf(carol);
    expect(toCarol).toContain('Hello from JMAP.');
    expect(toCarol).not.toMatch(/^Bcc:/im);
    const queued = test.engine.context.queue.list();
    expect(queued.flatMap((entry) => entry.recipients.map((r) => r.recipient))).toEqual(['partner@example.org']);
    expect(queued[0]!.sender).toBe(alice.address);

    const [got] = await jam.api.EmailSubmission.get({ accountId, ids: [set.created.k1.id] });
    expect(got.list[0]).toMatchObject({ emailId, identityId: aliceIdentity.id, envelope: { mailFrom: { email: alice.address } } });
    expect(Object.keys(got.list[0].deliveryStatus).sort()).toEqual([bob.address, carol.address, 'partner@example.org']);
    expect(got.list[0].deliveryStatus['partner@example.org'].delivered).toBe('queued');
    expect(got.list[0].deliveryStatus[bob.address].delivered).toBe('yes');
  });

  it('refuses a From that is not the user’s, an envelope sender likewise, and unknown local recipients', async () => {
    const spoofed = await draft(`From: boss@lanpost.lan\r\nTo: ${bob.address}`);
    const honest = await draft(`From: ${alice.address}\r\nTo: nobody@lanpost.lan, ${bob.address}`);
    const [set] = await jam.api.EmailSubmission.set({
      accountId,
      create: {
        a: { identityId: aliceIdentity.id, emailId: spoofed },
        b: { identityId: aliceIdentity.id, emailId: honest },
        c: { identityId: aliceIdentity.id, emailId: honest, envelope: { mailFrom: { email: 'boss@lanpost.lan' }, rcptTo: [{ email: bob.address }] } },
        d: { identityId: 'Inothing', emailId: honest },
      },
    });
    expect(set.notCreated.a.type).toBe('forbiddenFrom');
    expect(set.notCreated.b).toMatchObject({ type: 'invalidRecipients', invalidRecipients: ['nobody@lanpost.lan'] });
    expect(set.notCreated.c.type).toBe('forbiddenMailFrom');
    expect(set.notCreated.d).toMatchObject({ type: 'invalidProperties', properties: ['identityId'] });
    expect(await inboxOf(bob)).toHaveLength(1);
  });

  it('creates a draft from JMAP properties and sends it in the same request (#creation ids)', async () => {
    const attachment = await jam.uploadBlob(accountId, new Blob(['minutes: all agreed'], { type: 'text/plain' }));
    const answer = await jmapPost(test, alice, {
      using: [CORE, MAIL, SUBMISSION],
      methodCalls: [
        [
          'Email/set',
          {
            accountId,
            create: {
              draft: {
                mailboxIds: { [mailboxes.drafts!]: true },
                keywords: { $draft: true, $seen: true },
                from: [{ name: 'Alice', email: alice.address }],
                to: [{ name: 'Bob', email: bob.address }],
                bcc: [{ email: carol.address }],
                subject: '周会 minutes',
                textBody: [{ partId: 't', type: 'text/plain' }],
                htmlBody: [{ partId: 'h', type: 'text/html' }],
                bodyValues: { t: { value: 'Minutes attached.' }, h: { value: '<p>Minutes attached.</p>' } },
                attachments: [{ blobId: attachment.blobId, type: 'text/plain', name: 'minutes.txt' }],
              },
            },
          },
          '0',
        ],
        ['EmailSubmission/set', { accountId, create: { send: { identityId: aliceIdentity.id, emailId: '#draft' } }, onSuccessDestroyEmail: ['#send'] }, '1'],
      ],
    });
    const [[, created], [, submitted], [, implicit]] = answer.json.methodResponses;
    const draftId = created.created.draft.id;
    expect(created.notCreated).toEqual({});
    expect(submitted.created.send).toMatchObject({ undoStatus: 'final' });
    expect(implicit.destroyed).toEqual([draftId]);
    const toBob = (await inboxOf(bob)).at(-1)!;
    expect(toBob).toMatch(/^Subject: =\?UTF-8\?[BQ]\?/m);
    expect(toBob).toContain('Minutes attached.');
    expect(toBob).toMatch(/filename=minutes\.txt/);
    expect(toBob).not.toMatch(/^Bcc:/im);
    expect((await inboxOf(carol)).at(-1)).toContain('Minutes attached.');
    const bobJam = await jamClient(test, bob);
    const bobAccount = await bobJam.getPrimaryAccount();
    const [query] = await bobJam.api.Email.query({ accountId: bobAccount, filter: { subject: 'minutes' } });
    const [got] = await bobJam.api.Email.get({ accountId: bobAccount, ids: query.ids, properties: ['subject', 'from', 'attachments', 'textBody'] });
    expect(got.list[0]).toMatchObject({ subject: '周会 minutes', from: [{ name: 'Alice', email: alice.address }], attachments: [expect.objectContaining({ name: 'minutes.txt', size: 19 })] });
  });
});

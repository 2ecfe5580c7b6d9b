// JMAP Email and Thread (RFC 8621 §3, §4) through a real client (jmap-jam) and raw requests, on
// messages put in over IMAP (imapflow): the properties (header forms, bodyStructure, text/html
// bodies and attachments, bodyValues, preview), filters, sorts and collapseThreads, keywords and
// mailboxIds as IMAP flags and folders — and each protocol seeing the other's changes through
// MODSEQ-based states.
import type { ImapFlow } from 'imapflow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CORE, MAIL } from '../server/jmap/protocol.js';
import type { TestEngine } from './helpers/engine.js';
import { imapClient, jmapPost, startJmapEngine, type Jam, type JmapEngine, type Json } from './helpers/jmap.js';

const alice = { address: 'alice@lanpost.lan', password: 'alice in the office' };
let engine: JmapEngine;
let test: TestEngine;
let jam: Jam;
let accountId: string;
let imap: ImapFlow;
let inbox: string;
let archive: string;

const PLAIN = [
  'From: "Bob Example" <bob@example.org>',
  'To: alice@lanpost.lan, "Carol" <carol@lanpost.lan>',
  'Subject: =?utf-8?B?5Lya6K6u?= notes',
  'Date: Tue, 01 Dec 2026 09:30:00 +0800',
  'Message-ID: <plain@example.org>',
  'X-Tag: one',
  'X-Tag: two',
  'Content-Type: text/plain; charset=utf-8',
  '',
  'The meeting notes are below.',
  '> quoted line',
  'Second line with the word pineapple.',
  '',
].join('\r\n');

const MIXED = [
  'From: carol@lanpost.lan',
  'To: alice@lanpost.lan',
  'Subject: Re: notes',
  'Date: Wed, 02 Dec 2026 10:00:00 +0000',
  'Message-ID: <mixed@lanpost.lan>',
  'In-Reply-To: <plain@example.org>',
  'MIME-Version: 1.0',
  'Content-Type: multipart/mixed; boundary="outer"',
  '',
  '--outer',
  'Content-Type: multipart/alternative; boundary="inner"',
  '',
  '--inner',
  'Content-Type: text/plain; charset=utf-8',
  'Content-Transfer-Encoding: quoted-printable',
  '',
  'Caf=C3=A9 at ten.',
  '--inner',
  'Content-Type: text/html; charset=utf-8',
  '',
  '<p>Caf&eacute; at <b>ten</b>.</p>',
  '--inner--',
  '--outer',
  'Content-Type: application/pdf; name="agenda.pdf"',
  'Content-Disposition: attachment; filename="agenda.pdf"',
  'Content-Transfer-Encoding: base64',
  '',
  Buffer.from('%PDF-1.4 agenda').toString('base64'),
  '--outer--',
  '',
].join('\r\n');

const OTHER = 'From: dave@example.net\r\nTo: alice@lanpost.lan\r\nSubject: lunch\r\nDate: Thu, 03 Dec 2026 12:00:00 +0000\r\nMessage-ID: <lunch@example.net>\r\n\r\nLunch at noon?\r\n';

beforeAll(async () => {
  engine = await startJmapEngine({ [alice.address]: alice.password });
  ({ test, jam, accountId } = engine);
  ({ inbox, archive } = engine.mailboxes as { inbox: string; archive: string });
  imap = await imapClient(test, alice);
  await imap.append('INBOX', PLAIN, [], new Date('2026-12-01T01:30:00Z'));
  await imap.append('INBOX', MIXED, ['\\Seen'], new Date('2026-12-02T10:00:00Z'));
  await imap.append('INBOX', OTHER, ['$Important'], new Date('2026-12-03T12:00:00Z'));
});
afterAll(async () => {
  await imap?.logout();
  await engine?.stop();
});

const LIST_PROPERTIES = ['threadId', 'mailboxIds', 'keywords', 'subject', 'from', 'to', 'receivedAt', 'size', 'preview', 'hasAttachment'];

async function newest(filter: Json = { inMailbox: inbox }, extra: Json = {}): Promise<string[]> {
  const [query] = await jam.api.Email.query({ accountId, filter, sort: [{ property: 'receivedAt', isAscending: false }], ...extra });
  return query.ids;
}

async function getOne(id: string, args: Json = {}): Promise<Json> {
  const [got] = await jam.api.Email.get({ accountId, ids: [id], ...args });
  return got.list[0];
}

describe('Email/query and Email/get', () => {
  it('lists the newest emails with the list properties', async () => {
    const ids = await newest();
    expect(ids).toHaveLength(3);
    const [got] = await jam.api.Email.get({ accountId, ids, properties: LIST_PROPERTIES });
    const [lunch, reply, plain] = got.list;
    expect(lunch).toMatchObject({ subject: 'lunch', from: [{ name: null, email: 'dave@example.net' }], keywords: { $important: true }, mailboxIds: { [inbox]: true }, receivedAt: '2026-12-03T12:00:00Z', hasAttachment: false });
    expect(plain).toMatchObject({
      subject: '会议 notes',
      from: [{ name: 'Bob Example', email: 'bob@example.org' }],
      to: [
        { name: null, email: 'alice@lanpost.lan' },
        { name: 'Carol', email: 'carol@lanpost.lan' },
      ],
      keywords: {},
      preview: 'The meeting notes are below. Second line with the word pineapple.',
    });
    expect(reply).toMatchObject({ keywords: { $seen: true }, hasAttachment: true, preview: 'Café at ten.' });
    expect(reply.threadId).toBe(plain.threadId);
    expect(lunch.threadId).not.toBe(plain.threadId);
    expect(plain.size).toBe(Buffer.byteLength(PLAIN));
  });

  it('gives the header forms, the convenience headers and sentAt with its offset', async () => {
    const plainId = (await newest({ header: ['Message-ID', 'plain@example.org'] }))[0]!;
    const email = await getOne(plainId, {
      properties: ['messageId', 'sentAt', 'header:X-Tag', 'header:X-Tag:all', 'header:Subject:asText', 'header:Subject', 'header:To:asGroupedAddresses', 'header:X-None', 'headers'],
    });
    expect(email.messageId).toEqual(['plain@example.org']);
    expect(email.sentAt).toBe('2026-12-01T09:30:00+08:00');
    expect(email['header:X-Tag']).toBe(' two');
    expect(email['header:X-Tag:all']).toEqual([' one', ' two']);
    expect(email['header:Subject:asText']).toBe('会议 notes');
    expect(email['header:Subject']).toBe(' =?utf-8?B?5Lya6K6u?= notes');
    expect(email['header:To:asGroupedAddresses']).toEqual([{ name: null, addresses: [{ name: null, email: 'alice@lanpost.lan' }, { name: 'Carol', email: 'carol@lanpost.lan' }] }]);
    expect(email['header:X-None']).toBeNull();
    expect(email.headers[0]).toEqual({ name: 'From', value: ' "Bob Example" <bob@example.org>' });
  });

  it('gives bodyStructure, textBody, htmlBody, attachments and bodyValues (§4.1.4)', async () => {
    const replyId = (await newest({ header: ['In-Reply-To'] }))[0]!;
    const email = await getOne(replyId, {
      properties: ['bodyStructure', 'textBody', 'htmlBody', 'attachments', 'bodyValues'],
      fetchTextBodyValues: true,
      fetchHTMLBodyValues: true,
    });
    expect(email.bodyStructure.type).toBe('multipart/mixed');
    expect(email.bodyStructure.partId).toBeNull();
    expect(email.bodyStructure.subParts.map((p: Json) => p.type)).toEqual(['multipart/alternative', 'application/pdf']);
    expect(email.textBody.map((p: Json) => [p.partId, p.type])).toEqual([['1.1', 'text/plain']]);
    expect(email.htmlBody.map((p: Json) => [p.partId, p.type])).toEqual([['1.2', 'text/html']]);
    expect(email.attachments).toEqual([
      expect.objectContaining({ partId: '2', type: 'application/pdf', name: 'agenda.pdf', disposition: 'attachment', size: Buffer.byteLength('%PDF-1.4 agenda'), charset: null }),
    ]);
    expect(email.bodyValues).toEqual({
      '1.1': { value: 'Café at ten.', isEncodingProblem: false, isTruncated: false },
      '1.2': { value: '<p>Caf&eacute; at <b>ten</b>.</p>', isEncodingProblem: false, isTruncated: false },
    });
    const cut = await getOne(replyId, { properties: ['bodyValues'], fetchTextBodyValues: true, maxBodyValueBytes: 4 });
    expect(cut.bodyValues['1.1']).toEqual({ value: 'Caf', isEncodingProblem: false, isTruncated: true });
  });

  it('filters (§4.4.1) and sorts (§4.4.2), and collapses threads', async () => {
    const all = await newest();
    const [lunch, reply, plain] = all;
    expect(await newest({ from: 'bob' })).toEqual([plain]);
    expect(await newest({ text: 'pineapple' })).toEqual([plain]);
    expect(await newest({ body: 'café' })).toEqual([reply]);
    expect(await newest({ hasKeyword: '$seen' })).toEqual([reply]);
    expect(await newest({ notKeyword: '$seen', inMailbox: inbox })).toEqual([lunch, plain]);
    expect(await newest({ after: '2026-12-02T00:00:00Z', before: '2026-12-03T00:00:00Z' })).toEqual([reply]);
    expect(await newest({ hasAttachment: true })).toEqual([reply]);
    expect(await newest({ operator: 'OR', conditions: [{ subject: 'lunch' }, { from: 'bob' }] })).toEqual([lunch, plain]);
    expect(await newest({ operator: 'NOT', conditions: [{ subject: 'notes' }] })).toEqual([lunch]);
    expect(await newest({ someInThreadHaveKeyword: '$seen' })).toEqual([reply, plain]);
    expect(await newest({ inMailbox: inbox }, { collapseThreads: true })).toEqual([lunch, reply]);
    const [bySubject] = await jam.api.Email.query({ accountId, sort: [{ property: 'subject', isAscending: true }] });
    // "Re: notes" sorts as "notes" (the reply prefix is not part of the subject's order)
    expect(bySubject.ids).toEqual([lunch, reply, plain]);
    const [page] = await jam.api.Email.query({ accountId, sort: [{ property: 'receivedAt', isAscending: false }], position: 1, limit: 1, calculateTotal: true });
    expect(page).toMatchObject({ ids: [reply], position: 1, total: 3 });
    const [anchored] = await jam.api.Email.query({ accountId, sort: [{ property: 'receivedAt', isAscending: false }], anchor: reply, anchorOffset: 1 });
    expect(anchored.ids).toEqual([plain]);
  });

  it('answers unsupportedFilter and unsupportedSort', async () => {
    const answer = await jmapPost(test, alice, {
      using: [CORE, MAIL],
      methodCalls: [
        ['Email/query', { accountId, filter: { colour: 'red' } }, '0'],
        ['Email/query', { accountId, sort: [{ property: 'colour' }] }, '1'],
      ],
    });
    expect(answer.json.methodResponses.map((r: Json) => r[1].type)).toEqual(['unsupportedFilter', 'unsupportedSort']);
  });

  it('replays the query-then-get pattern of RFC 8621 §4.10 with a result reference', async () => {
    const answer = await jmapPost(test, alice, {
      using: [CORE, MAIL],
      methodCalls: [
        ['Email/query', { accountId, filter: { inMailbox: inbox }, sort: [{ property: 'receivedAt', isAscending: false }], collapseThreads: true, position: 0, limit: 30, calculateTotal: true }, '0'],
        ['Email/get', { accountId, '#ids': { resultOf: '0', name: 'Email/query', path: '/ids' }, properties: ['threadId'] }, '1'],
        ['Thread/get', { accountId, '#ids': { resultOf: '1', name: 'Email/get', path: '/list/*/threadId' } }, '2'],
        ['Email/get', { accountId, '#ids': { resultOf: '2', name: 'Thread/get', path: '/list/*/emailIds' }, properties: ['from', 'receivedAt', 'subject'] }, '3'],
      ],
    });
    const [[, query], , [, threads], [, emails]] = answer.json.methodResponses;
    expect(query.total).toBe(2);
    expect(threads.list.map((t: Json) => t.emailIds.length).sort()).toEqual([1, 2]);
    expect(emails.list.map((e: Json) => e.subject).sort()).toEqual(['Re: notes', 'lunch', '会议 notes']);
  });
});

describe('Email/set and /changes, with IMAP on the same messages', () => {
  it('sets keywords as IMAP flags, and IMAP sees them', async () => {
    const [lunch] = await newest({ subject: 'lunch' });
    const [set] = await jam.api.Email.set({ accountId, update: { [lunch!]: { 'keywords/$seen': true, 'keywords/$flagged': true, 'keywords/$important': null } } });
    expect(set.updated).toEqual({ [lunch!]: null });
    await imap.mailboxOpen('INBOX');
    const fetched = await imap.fetchOne('3', { flags: true });
    expect(fetched && [...fetched.flags!].filter((f) => f !== '\\Recent').sort()).toEqual(['\\Flagged', '\\Seen']);
    const [changes] = await jam.api.Email.changes({ accountId, sinceState: set.oldState });
    expect(changes).toMatchObject({ created: [], updated: [lunch], destroyed: [], newState: set.newState });
  });

  it('shows an IMAP STORE as an update in Email/changes, with the new keywords', async () => {
    const [before] = await jam.api.Email.get({ accountId, ids: [] });
    await imap.mailboxOpen('INBOX');
    await imap.messageFlagsAdd('1', ['\\Answered', 'Work']);
    const [plain] = await newest({ from: 'bob' });
    const [changes] = await jam.api.Email.changes({ accountId, sinceState: before.state });
    expect(changes).toMatchObject({ created: [], updated: [plain], destroyed: [] });
    expect((await getOne(plain!, { properties: ['keywords'] })).keywords).toEqual({ $answered: true, work: true });
    const [threadChanges] = await jam.api.Thread.changes({ accountId, sinceState: before.state });
    expect(threadChanges.updated).toHaveLength(1);
  });

  it('shows an IMAP APPEND as created', async () => {
    const [before] = await jam.api.Email.get({ accountId, ids: [] });
    await imap.append('INBOX', 'From: eve@example.org\r\nSubject: new\r\n\r\nnew\r\n');
    const [changes] = await jam.api.Email.changes({ accountId, sinceState: before.state });
    expect(changes.created).toHaveLength(1);
    expect(changes.updated).toEqual([]);
    const [created] = await jam.api.Email.get({ accountId, ids: changes.created, properties: ['subject'] });
    expect(created.list[0].subject).toBe('new');
  });

  it('moves an email by mailboxIds (IMAP sees it in the other folder; same email id), and destroys', async () => {
    const [lunch] = await newest({ subject: 'lunch' });
    const [moved] = await jam.api.Email.set({ accountId, update: { [lunch!]: { mailboxIds: { [archive]: true } } } });
    expect(moved.updated).toEqual({ [lunch!]: null });
    expect((await getOne(lunch!, { properties: ['mailboxIds', 'keywords'] })).mailboxIds).toEqual({ [archive]: true });
    expect(await imap.status('Archive', { messages: true })).toMatchObject({ messages: 1 });
    const [changes] = await jam.api.Email.changes({ accountId, sinceState: moved.oldState });
    expect(changes).toMatchObject({ created: [], updated: [lunch], destroyed: [] });

    const [both] = await jam.api.Email.set({ accountId, update: { [lunch!]: { [`mailboxIds/${inbox}`]: true } } });
    expect(both.updated).toEqual({ [lunch!]: null });
    expect((await getOne(lunch!, { properties: ['mailboxIds'] })).mailboxIds).toEqual({ [archive]: true, [inbox]: true });

    const [destroyed] = await jam.api.Email.set({ accountId, destroy: [lunch!, 'Mnothing'] });
    expect(destroyed.destroyed).toEqual([lunch]);
    expect(destroyed.notDestroyed.Mnothing.type).toBe('notFound');
    const [gone] = await jam.api.Email.changes({ accountId, sinceState: destroyed.oldState });
    expect(gone).toMatchObject({ created: [], updated: [], destroyed: [lunch] });
    expect(await imap.status('Archive', { messages: true })).toMatchObject({ messages: 0 });
  });

  it('refuses bad updates per email and leaves the others done', async () => {
    const [plain] = await newest({ from: 'bob' });
    const [set] = await jam.api.Email.set({
      accountId,
      update: {
        [plain!]: { 'keywords/$seen': true },
        Mnothing: { 'keywords/$seen': true },
      },
    });
    expect(set.updated).toEqual({ [plain!]: null });
    expect(set.notUpdated.Mnothing.type).toBe('notFound');
    const answer = await jmapPost(test, alice, {
      using: [CORE, MAIL],
      methodCalls: [['Email/set', { accountId, update: { [plain!]: { subject: 'changed', mailboxIds: {} } } }, '0']],
    });
    expect(answer.json.methodResponses[0][1].notUpdated[plain!].type).toBe('invalidProperties');
  });
});

describe('SearchSnippet/get, queryChanges, Email/copy', () => {
  it('marks the words of the filter in the subject and the body (RFC 8621 §5)', async () => {
    const [plain] = await newest({ from: 'bob' });
    const [snippets] = await jam.api.SearchSnippet.get({ accountId, filter: { operator: 'AND', conditions: [{ text: 'pineapple' }, { subject: 'notes' }] }, emailIds: [plain, 'Mnothing'] });
    expect(snippets.list).toEqual([{ emailId: plain, subject: '会议 <mark>notes</mark>', preview: expect.stringContaining('the word <mark>pineapple</mark>.') }]);
    expect(snippets.notFound).toEqual(['Mnothing']);
  });

  it('answers cannotCalculateChanges for queryChanges (canCalculateChanges is false) and fromAccountNotFound for Email/copy', async () => {
    const answer = await jmapPost(test, alice, {
      using: [CORE, MAIL],
      methodCalls: [
        ['Email/queryChanges', { accountId, sinceQueryState: 'x' }, '0'],
        ['Mailbox/queryChanges', { accountId, sinceQueryState: 'x' }, '1'],
        ['Email/copy', { accountId, fromAccountId: 'Aother', create: {} }, '2'],
        ['Email/copy', { accountId, fromAccountId: accountId, create: {} }, '3'],
      ],
    });
    expect(answer.json.methodResponses.map((r: Json) => r[1].type)).toEqual(['cannotCalculateChanges', 'cannotCalculateChanges', 'fromAccountNotFound', 'invalidArguments']);
  });
});

// JMAP Mailbox (RFC 8621 §2) through a real client (jmap-jam) and raw requests: the special-use
// folders as roles, counts from the mailbox counters, create/rename/destroy with creation-id
// back-references, /changes from MODSEQ-based states, and IMAP seeing what JMAP did.
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

beforeAll(async () => {
  engine = await startJmapEngine({ [alice.address]: alice.password });
  ({ test, jam, accountId } = engine);
  imap = await imapClient(test, alice);
  await imap.append('INBOX', 'Subject: one\r\nMessage-ID: <one@x>\r\n\r\nfirst\r\n');
  await imap.append('INBOX', 'Subject: two\r\nMessage-ID: <two@x>\r\n\r\nsecond\r\n', ['\\Seen']);
  await imap.append('INBOX', 'Subject: Re: one\r\nIn-Reply-To: <one@x>\r\n\r\nreply\r\n');
});
afterAll(async () => {
  await imap?.logout();
  await engine?.stop();
});

async function mailboxes(): Promise<Json[]> {
  const [got] = await jam.api.Mailbox.get({ accountId });
  return got.list;
}

describe('Mailbox/get and /query', () => {
  it('lists the mailboxes with roles from the special-use folders and counts from the counters', async () => {
    const list = await mailboxes();
    const byRole = Object.fromEntries(list.map((m: Json) => [m.role, m]));
    expect(Object.keys(byRole).sort()).toEqual(['archive', 'drafts', 'inbox', 'junk', 'sent', 'trash']);
    expect(byRole.inbox).toMatchObject({ name: 'Inbox', parentId: null, totalEmails: 3, unreadEmails: 2, totalThreads: 2, unreadThreads: 1, isSubscribed: true, sortOrder: 0 });
    expect(byRole.inbox.myRights).toMatchObject({ mayRename: false, mayDelete: false, mayReadItems: true });
    expect(byRole.sent).toMatchObject({ name: 'Sent', totalEmails: 0 });
    expect(byRole.inbox.id).toMatch(/^F[0-9a-f]{24}$/);
  });

  it('gives only the properties asked for, and notFound for unknown ids', async () => {
    const [got] = await jam.api.Mailbox.get({ accountId, ids: [(await mailboxes())[0].id, 'Fnothing'], properties: ['name'] });
    expect(Object.keys(got.list[0]).sort()).toEqual(['id', 'name']);
    expect(got.notFound).toEqual(['Fnothing']);
  });

  it('filters and sorts in /query, and result references feed /get', async () => {
    const answer = await jmapPost(test, alice, {
      using: [CORE, MAIL],
      methodCalls: [
        ['Mailbox/query', { accountId, filter: { hasAnyRole: true }, sort: [{ property: 'sortOrder' }, { property: 'name' }] }, '0'],
        ['Mailbox/get', { accountId, '#ids': { resultOf: '0', name: 'Mailbox/query', path: '/ids' }, properties: ['name', 'role'] }, '1'],
      ],
    });
    const [, [, got]] = answer.json.methodResponses;
    expect(got.list.map((m: Json) => m.name)).toEqual(['Inbox', 'Archive', 'Drafts', 'Junk', 'Sent', 'Trash']);
  });
});

describe('Mailbox/set and /changes', () => {
  it('creates a mailbox and a child by creation id, renames, and IMAP sees the names', async () => {
    const firstState = (await jam.api.Mailbox.get({ accountId, ids: [] }))[0].state;
    const answer = await jmapPost(test, alice, {
      using: [CORE, MAIL],
      methodCalls: [
        ['Mailbox/set', { accountId, create: { p: { name: 'Projects', isSubscribed: true }, c: { name: 'Lanpost', parentId: '#p' } } }, '0'],
        ['Mailbox/get', { accountId, ids: ['#c'], properties: ['name', 'parentId'] }, '1'],
      ],
    });
    const [[, set], [, got]] = answer.json.methodResponses;
    expect(Object.keys(set.created)).toEqual(['p', 'c']);
    expect(got.list[0]).toEqual({ id: set.created.c.id, name: 'Lanpost', parentId: set.created.p.id });
    const names = (await imap.list()).map((m) => m.path);
    expect(names).toEqual(expect.arrayContaining(['Projects', 'Projects/Lanpost']));

    const [changes] = await jam.api.Mailbox.changes({ accountId, sinceState: firstState });
    expect(changes.created.sort()).toEqual([set.created.p.id, set.created.c.id].sort());
    expect(changes.destroyed).toEqual([]);

    const [renamed] = await jam.api.Mailbox.set({ accountId, update: { [set.created.p.id]: { name: 'Work' } } });
    expect(renamed.updated).toEqual({ [set.created.p.id]: null });
    expect((await imap.list()).map((m) => m.path)).toEqual(expect.arrayContaining(['Work', 'Work/Lanpost']));
    const [afterRename] = await jam.api.Mailbox.changes({ accountId, sinceState: renamed.oldState });
    expect(afterRename.updated.sort()).toEqual([set.created.p.id, set.created.c.id].sort());
    expect(afterRename.updatedProperties).toBeNull();
  });

  it('refuses to destroy the Inbox, a mailbox with children or with emails, and destroys with onDestroyRemoveEmails', async () => {
    const list = await mailboxes();
    const inbox = list.find((m: Json) => m.role === 'inbox');
    const work = list.find((m: Json) => m.name === 'Work');
    const child = list.find((m: Json) => m.name === 'Lanpost');
    await imap.append('Work/Lanpost', 'Subject: filed\r\n\r\nfiled\r\n');
    const [refused] = await jam.api.Mailbox.set({ accountId, destroy: [inbox.id, work.id, child.id, 'Fnothing'] });
    expect(refused.notDestroyed[inbox.id].type).toBe('forbidden');
    expect(refused.notDestroyed[work.id].type).toBe('mailboxHasChild');
    expect(refused.notDestroyed[child.id].type).toBe('mailboxHasEmail');
    expect(refused.notDestroyed.Fnothing.type).toBe('notFound');
    const [done] = await jam.api.Mailbox.set({ accountId, destroy: [child.id], onDestroyRemoveEmails: true });
    expect(done.destroyed).toEqual([child.id]);
    const [changes] = await jam.api.Mailbox.changes({ accountId, sinceState: done.oldState });
    expect(changes.destroyed).toEqual([child.id]);
    expect((await imap.list()).map((m) => m.path)).not.toContain('Work/Lanpost');
  });

  it('reports a flag change over IMAP as a count update in /changes', async () => {
    const [before] = await jam.api.Mailbox.get({ accountId, ids: [] });
    await imap.mailboxOpen('INBOX');
    await imap.messageFlagsAdd('1', ['\\Seen']);
    const [changes] = await jam.api.Mailbox.changes({ accountId, sinceState: before.state });
    const inbox = (await mailboxes()).find((m: Json) => m.role === 'inbox');
    expect(changes).toMatchObject({ created: [], destroyed: [], updated: [inbox.id], updatedProperties: ['totalEmails', 'unreadEmails', 'totalThreads', 'unreadThreads'] });
    expect(inbox.unreadEmails).toBe(1);
    const [none] = await jam.api.Mailbox.changes({ accountId, sinceState: changes.newState });
    expect(none).toMatchObject({ created: [], updated: [], destroyed: [], oldState: changes.newState, newState: changes.newState });
  });

  it('answers cannotCalculateChanges for a state it never gave out', async () => {
    const answer = await jmapPost(test, alice, { using: [CORE, MAIL], methodCalls: [['Mailbox/changes', { accountId, sinceState: 'made-up' }, '0']] });
    expect(answer.json.methodResponses[0][1].type).toBe('cannotCalculateChanges');
  });
});

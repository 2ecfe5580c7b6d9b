// Mailbox/get, /changes, /query, /set (RFC 8621 §2): the IMAP mailboxes of the account, with their
// MAILBOXIDs as ids, the special-use folders as roles (RFC 8621 §2 → the IANA role registry of
// RFC 8457), counts from the mailbox counters and a hierarchy from the "/" in IMAP names.
import { z } from 'zod';
import { HIERARCHY_DELIMITER, type MailboxRow } from '../store/mailstore.js';
import type { MethodCall } from './call.js';
import type { JmapMethod } from './methods.js';
import { idSchema, MAIL, MethodError, parseArguments, type SetError } from './protocol.js';
import { refusalOf, refuse } from './set-refusal.js';
import { changesArguments, checkProperties, getArguments, pickProperties, queryWindowArguments, requestedIds, window } from './standard-methods.js';
import { currentMarks, currentState, parseState, stateOf } from './state.js';

const PROPERTIES = ['id', 'name', 'parentId', 'role', 'sortOrder', 'totalEmails', 'unreadEmails', 'totalThreads', 'unreadThreads', 'myRights', 'isSubscribed'] as const;
const COUNT_PROPERTIES = ['totalEmails', 'unreadEmails', 'totalThreads', 'unreadThreads'];

const ROLE_OF_SPECIAL_USE: Record<string, string> = {
  '\\sent': 'sent',
  '\\drafts': 'drafts',
  '\\trash': 'trash',
  '\\junk': 'junk',
  '\\archive': 'archive',
  '\\all': 'all',
  '\\flagged': 'flagged',
  '\\important': 'important',
};
const SPECIAL_USE_OF_ROLE = Object.fromEntries(Object.entries(ROLE_OF_SPECIAL_USE).map(([use, role]) => [role, use.replace(/^\\(.)/, (_, c: string) => '\\' + c.toUpperCase())]));

export function roleOf(mailbox: MailboxRow): string | null {
  if (mailbox.name === 'INBOX') return 'inbox';
  return mailbox.special_use ? (ROLE_OF_SPECIAL_USE[mailbox.special_use.toLowerCase()] ?? null) : null;
}

function leafName(name: string): string {
  return name.slice(name.lastIndexOf(HIERARCHY_DELIMITER) + 1);
}

function parentName(name: string): string | null {
  const at = name.lastIndexOf(HIERARCHY_DELIMITER);
  return at < 0 ? null : name.slice(0, at);
}

function mailboxObject(call: MethodCall, mailbox: MailboxRow, byName: Map<string, MailboxRow>, subscribed: Set<string>): Record<string, unknown> {
  const parent = parentName(mailbox.name);
  const threads = threadCounts(call, mailbox);
  const isInbox = mailbox.name === 'INBOX';
  const role = roleOf(mailbox);
  return {
    id: mailbox.object_id,
    name: isInbox ? 'Inbox' : leafName(mailbox.name),
    parentId: parent ? (byName.get(parent)?.object_id ?? null) : null,
    role,
    sortOrder: isInbox ? 0 : role ? 1 : 2,
    totalEmails: mailbox.message_count,
    unreadEmails: mailbox.unseen_count,
    totalThreads: threads.total,
    unreadThreads: threads.unread,
    myRights: {
      mayReadItems: true,
      mayAddItems: true,
      mayRemoveItems: true,
      maySetSeen: true,
      maySetKeywords: true,
      mayCreateChild: true,
      mayRename: !isInbox,
      mayDelete: !isInbox,
      maySubmit: true,
    },
    isSubscribed: subscribed.has(mailbox.name),
  };
}

/** §2: totalThreads counts threads with an email in the mailbox; unreadThreads those with an unread one there. */
function threadCounts(call: MethodCall, mailbox: MailboxRow): { total: number; unread: number } {
  const all = new Set<string>();
  const unread = new Set<string>();
  for (const row of call.store.listMessages(mailbox.id)) {
    all.add(row.thread_id);
    if (!/(^| )\\Seen( |$)/i.test(row.flags)) unread.add(row.thread_id);
  }
  return { total: all.size, unread: unread.size };
}

function mailboxGet(args: unknown, call: MethodCall): Record<string, unknown> {
  const { ids, properties } = parseArguments(getArguments, args);
  const wanted = checkProperties(properties, PROPERTIES, PROPERTIES);
  const mailboxes = call.store.listMailboxes(call.user.id);
  const byName = new Map(mailboxes.map((m) => [m.name, m]));
  const byId = new Map(mailboxes.map((m) => [m.object_id, m]));
  const subscribed = new Set(call.store.subscriptions(call.user.id));
  const list: Record<string, unknown>[] = [];
  const notFound: string[] = [];
  const asked = ids ? requestedIds(call, ids, 'mailbox ids') : mailboxes.map((m) => ({ asked: m.object_id, id: m.object_id }));
  for (const { asked: askedId, id } of asked) {
    const mailbox = id ? byId.get(id) : undefined;
    if (mailbox) list.push(pickProperties(mailboxObject(call, mailbox, byName, subscribed), wanted));
    else notFound.push(askedId);
  }
  return { accountId: call.accountId, state: currentState(call.store, call.user.id), list, notFound };
}

function mailboxChanges(args: unknown, call: MethodCall): Record<string, unknown> {
  const { sinceState } = parseArguments(changesArguments, args);
  const old = parseState(sinceState);
  if (!old) throw new MethodError('cannotCalculateChanges', 'this state was not given out by this server');
  const now = currentMarks(call.store, call.user.id);
  const created: string[] = [];
  const updated: string[] = [];
  let onlyCounts = true;
  for (const [id, mark] of now) {
    const before = old.get(id);
    if (!before) created.push(id);
    else if (before.digest !== mark.digest) {
      updated.push(id);
      onlyCounts = false;
    } else if (before.modseq !== mark.modseq || before.uidnext !== mark.uidnext) updated.push(id);
  }
  const destroyed = [...old.keys()].filter((id) => !now.has(id));
  const state = stateOf(now);
  return {
    accountId: call.accountId,
    oldState: sinceState,
    newState: state,
    hasMoreChanges: false,
    created,
    updated,
    destroyed,
    updatedProperties: updated.length && onlyCounts && !created.length && !destroyed.length ? COUNT_PROPERTIES : null,
  };
}

const mailboxFilter = z.strictObject({
  parentId: z.string().nullable().optional(),
  name: z.string().optional(),
  role: z.string().nullable().optional(),
  hasAnyRole: z.boolean().optional(),
  isSubscribed: z.boolean().optional(),
});

const queryArguments = z.strictObject({
  accountId: idSchema,
  filter: mailboxFilter.nullable().optional(),
  sort: z.array(z.strictObject({ property: z.enum(['name', 'sortOrder']), isAscending: z.boolean().optional(), collation: z.string().optional() })).nullable().optional(),
  ...queryWindowArguments,
  sortAsTree: z.boolean().optional(),
  filterAsTree: z.boolean().optional(),
});

function mailboxQuery(args: unknown, call: MethodCall): Record<string, unknown> {
  const { filter, sort, position = 0, limit, calculateTotal } = parseArguments(queryArguments, args);
  const mailboxes = call.store.listMailboxes(call.user.id);
  const byName = new Map(mailboxes.map((m) => [m.name, m]));
  const subscribed = new Set(call.store.subscriptions(call.user.id));
  let objects = mailboxes.map((m) => mailboxObject(call, m, byName, subscribed));
  if (filter) {
    objects = objects.filter(
      (o) =>
        (filter.parentId === undefined || o.parentId === filter.parentId) &&
        (filter.name === undefined || String(o.name).toLowerCase().includes(filter.name.toLowerCase())) &&
        (filter.role === undefined || o.role === filter.role) &&
        (filter.hasAnyRole === undefined || (o.role !== null) === filter.hasAnyRole) &&
        (filter.isSubscribed === undefined || o.isSubscribed === filter.isSubscribed),
    );
  }
  for (const { property, isAscending = true } of [...(sort ?? [])].reverse()) {
    objects.sort((a, b) => {
      const x = a[property] as string | number;
      const y = b[property] as string | number;
      const order = typeof x === 'number' ? x - (y as number) : String(x).localeCompare(String(y));
      return isAscending ? order : -order;
    });
  }
  const ids = objects.map((o) => o.id as string);
  const cut = window(ids, position, limit);
  return {
    accountId: call.accountId,
    queryState: currentState(call.store, call.user.id),
    canCalculateChanges: false,
    position: cut.position,
    ids: cut.items,
    ...(calculateTotal ? { total: ids.length } : {}),
  };
}

const mailboxCreate = z.object({
  name: z.string().min(1).max(255),
  parentId: z.string().nullable().optional(),
  isSubscribed: z.boolean().optional(),
  role: z.string().nullable().optional(),
  sortOrder: z.number().int().optional(),
});

const setArguments = z.strictObject({
  accountId: idSchema,
  ifInState: z.string().nullable().optional(),
  create: z.record(z.string(), z.unknown()).nullable().optional(),
  update: z.record(z.string(), z.record(z.string(), z.unknown())).nullable().optional(),
  destroy: z.array(z.string()).nullable().optional(),
  onDestroyRemoveEmails: z.boolean().optional(),
});

async function mailboxSet(args: unknown, call: MethodCall): Promise<Record<string, unknown>> {
  const { ifInState, create, update, destroy, onDestroyRemoveEmails = false } = parseArguments(setArguments, args);
  const oldState = currentState(call.store, call.user.id);
  if (ifInState && ifInState !== oldState) throw new MethodError('stateMismatch', 'the mailboxes changed since ifInState');
  call.checkObjectCount(Object.keys(create ?? {}).length + Object.keys(update ?? {}).length + (destroy?.length ?? 0), 'mailbox changes');
  const { store, user } = call;
  const find = (id: string | null | undefined): MailboxRow | undefined => {
    const resolved = id ? call.resolveId(id) : null;
    return resolved ? store.listMailboxes(user.id).find((m) => m.object_id === resolved) : undefined;
  };
  const fullName = (parentId: string | null | undefined, name: string): string => {
    if (name.includes(HIERARCHY_DELIMITER)) refuse('invalidProperties', `a mailbox name may not contain "${HIERARCHY_DELIMITER}"`, ['name']);
    if (!parentId) return name;
    const parent = find(parentId);
    if (!parent) refuse('invalidProperties', `no mailbox ${parentId}`, ['parentId']);
    return parent.name + HIERARCHY_DELIMITER + name;
  };
  const created: Record<string, unknown> = {};
  const notCreated: Record<string, SetError> = {};
  for (const [creationId, value] of Object.entries(create ?? {})) {
    try {
      const parsed = mailboxCreate.safeParse(value);
      if (!parsed.success) refuse('invalidProperties', parsed.error.issues[0]!.message, parsed.error.issues.map((i) => String(i.path[0])));
      const { name, parentId, isSubscribed, role } = parsed.data;
      const imapName = fullName(parentId, name);
      if (store.getMailbox(user.id, imapName) || imapName.toUpperCase() === 'INBOX') refuse('invalidProperties', `a mailbox ${imapName} exists`, ['name']);
      const specialUse = role ? SPECIAL_USE_OF_ROLE[role] : null;
      if (role && !specialUse) refuse('invalidProperties', `role ${role} is not one this server keeps`, ['role']);
      const names = imapName.split(HIERARCHY_DELIMITER).map((_, i, parts) => parts.slice(0, i + 1).join(HIERARCHY_DELIMITER));
      const rows = store.createMailboxes(user, names, specialUse ?? null);
      const row = rows[rows.length - 1]!;
      if (isSubscribed) store.subscribe(user.id, imapName);
      call.createdIds.set(creationId, row.object_id);
      created[creationId] = { id: row.object_id, totalEmails: 0, unreadEmails: 0, totalThreads: 0, unreadThreads: 0, sortOrder: specialUse ? 1 : 2, isSubscribed: !!isSubscribed };
    } catch (error) {
      notCreated[creationId] = refusalOf(error);
    }
  }
  const updated: Record<string, null> = {};
  const notUpdated: Record<string, SetError> = {};
  for (const [id, patch] of Object.entries(update ?? {})) {
    try {
      let mailbox = find(id) ?? refuse('notFound', `no mailbox ${id}`);
      const unknown = Object.keys(patch).filter((key) => !['name', 'parentId', 'isSubscribed', 'sortOrder'].includes(key));
      if (unknown.length) refuse('invalidProperties', `${unknown.join(', ')} cannot be changed`, unknown);
      if (patch.name !== undefined || patch.parentId !== undefined) {
        if (mailbox.name === 'INBOX') refuse('forbidden', 'the Inbox cannot be renamed or moved');
        const name = patch.name === undefined ? leafName(mailbox.name) : patch.name;
        if (typeof name !== 'string' || !name) refuse('invalidProperties', 'name must be a non-empty string', ['name']);
        const parentId = patch.parentId === undefined ? (parentName(mailbox.name) === null ? null : store.getMailbox(user.id, parentName(mailbox.name)!)?.object_id) : (patch.parentId as string | null);
        const target = fullName(parentId, name);
        if (target !== mailbox.name) {
          if (target === mailbox.name + HIERARCHY_DELIMITER || target.startsWith(mailbox.name + HIERARCHY_DELIMITER)) refuse('invalidProperties', 'a mailbox cannot move under itself', ['parentId']);
          if (store.getMailbox(user.id, target)) refuse('invalidProperties', `a mailbox ${target} exists`, ['name']);
          const wasSubscribed = store.subscriptions(user.id).includes(mailbox.name);
          mailbox = await store.renameMailbox(user, mailbox, target);
          if (!wasSubscribed) store.unsubscribe(user.id, target);
        }
      }
      if (patch.isSubscribed !== undefined) {
        if (patch.isSubscribed === true) store.subscribe(user.id, mailbox.name);
        else if (patch.isSubscribed === false) store.unsubscribe(user.id, mailbox.name);
        else refuse('invalidProperties', 'isSubscribed must be true or false', ['isSubscribed']);
      }
      updated[id] = null;
    } catch (error) {
      notUpdated[id] = refusalOf(error);
    }
  }
  const destroyed: string[] = [];
  const notDestroyed: Record<string, SetError> = {};
  for (const id of destroy ?? []) {
    try {
      const mailbox = find(id) ?? refuse('notFound', `no mailbox ${id}`);
      if (mailbox.name === 'INBOX') refuse('forbidden', 'the Inbox cannot be destroyed');
      if (store.listMailboxes(user.id).some((m) => m.name.startsWith(mailbox.name + HIERARCHY_DELIMITER))) refuse('mailboxHasChild', 'the mailbox has child mailboxes');
      const messages = store.listMessages(mailbox.id);
      if (messages.length && !onDestroyRemoveEmails) refuse('mailboxHasEmail', `the mailbox holds ${messages.length} emails (onDestroyRemoveEmails: true removes them)`);
      // removed one by one first, so that Email/changes can tell which emails went (a deleted mailbox's history goes with it)
      if (messages.length) store.expunge(user, mailbox, messages);
      store.unsubscribe(user.id, mailbox.name);
      store.deleteMailbox(user, mailbox);
      destroyed.push(id);
    } catch (error) {
      notDestroyed[id] = refusalOf(error);
    }
  }
  return {
    accountId: call.accountId,
    oldState,
    newState: currentState(store, user.id),
    created,
    updated,
    destroyed,
    notCreated,
    notUpdated,
    notDestroyed,
  };
}


export const mailboxMethods: Record<string, JmapMethod> = {
  'Mailbox/get': { capability: MAIL, handle: mailboxGet },
  'Mailbox/changes': { capability: MAIL, handle: mailboxChanges },
  'Mailbox/query': { capability: MAIL, handle: mailboxQuery },
  'Mailbox/set': { capability: MAIL, handle: mailboxSet },
};

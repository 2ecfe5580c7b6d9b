// Email/get, /changes and /set (RFC 8621 §4): emails are the rows of one EMAILID across the
// account's mailboxes; keywords are IMAP flags (keywords.ts), mailboxIds the mailboxes it is in
// (a change is an IMAP COPY, MOVE or EXPUNGE of the rows), and states the MODSEQs of the mailboxes,
// so that a change over IMAP is a change here and the reverse.
import { z } from 'zod';
import type { MessageRow } from '../store/mailstore.js';
import type { MethodCall } from './call.js';
import { BODY_PROPERTIES, bodyLists, bodyStructure, bodyValue, DEFAULT_BODY_PROPERTIES, partObject, type BodyPart, type BodyValue } from './email-body.js';
import { convenienceHeaders, headerProperty } from './email-headers.js';
import { createEmail } from './email-create.js';
import { emailSources, type EmailData } from './email-source.js';
import { flagsWithKeywords, isKeyword, keywordsOf } from './keywords.js';
import type { JmapMethod } from './methods.js';
import { idSchema, MAIL, MethodError, parseArguments, type SetError } from './protocol.js';
import { refusalOf, refuse } from './set-refusal.js';
import { changesArguments, checkProperties } from './standard-methods.js';
import { currentMarks, currentState, parseState, stateOf } from './state.js';

const CONVENIENCE = ['messageId', 'inReplyTo', 'references', 'sender', 'from', 'to', 'cc', 'bcc', 'replyTo', 'subject', 'sentAt'];
const BODY = ['bodyStructure', 'bodyValues', 'textBody', 'htmlBody', 'attachments', 'hasAttachment', 'preview'];
export const EMAIL_PROPERTIES = ['id', 'blobId', 'threadId', 'mailboxIds', 'keywords', 'size', 'receivedAt', 'headers', ...CONVENIENCE, ...BODY];
const DEFAULT_PROPERTIES = EMAIL_PROPERTIES.filter((p) => p !== 'headers' && p !== 'bodyStructure');

/** The arguments that say how bodies are shown (§4.2), in Email/get and Email/parse. */
export const bodyArguments = {
  properties: z.array(z.string()).nullable().optional(),
  bodyProperties: z.array(z.string()).nullable().optional(),
  fetchTextBodyValues: z.boolean().optional(),
  fetchHTMLBodyValues: z.boolean().optional(),
  fetchAllBodyValues: z.boolean().optional(),
  maxBodyValueBytes: z.number().int().min(0).optional(),
};

const getArguments = z.strictObject({
  accountId: idSchema,
  ids: z.array(z.string()).nullable().optional(),
  ...bodyArguments,
});

export interface BodyOptions {
  bodyProperties: readonly string[];
  fetchText: boolean;
  fetchHtml: boolean;
  fetchAll: boolean;
  maxBodyValueBytes: number;
}

/** An email with the properties asked for. */
export async function emailObject(source: EmailData, properties: readonly string[], options: BodyOptions): Promise<Record<string, unknown>> {
  const object: Record<string, unknown> = { id: source.id };
  let convenience: Record<string, unknown> | undefined;
  let body: { content: Buffer; root: BodyPart; lists: ReturnType<typeof bodyLists> } | undefined;
  const loadBody = async () => {
    if (!body) {
      const content = await source.content();
      const root = bodyStructure(content, await source.structure(), source.blobId);
      body = { content, root, lists: bodyLists(root) };
    }
    return body;
  };
  for (const property of properties) {
    if (property.startsWith('header:')) {
      object[property] = headerProperty(source.headers(), property);
      continue;
    }
    switch (property) {
      case 'id':
        break;
      case 'blobId':
        object.blobId = source.blobId;
        break;
      case 'threadId':
        object.threadId = source.threadId;
        break;
      case 'mailboxIds':
        object.mailboxIds = source.mailboxIds;
        break;
      case 'keywords':
        object.keywords = source.keywords;
        break;
      case 'size':
        object.size = source.size;
        break;
      case 'receivedAt':
        object.receivedAt = source.receivedAt;
        break;
      case 'headers':
        object.headers = source.headers().map(({ name, value }) => ({ name, value }));
        break;
      case 'preview':
        object.preview = await source.preview();
        break;
      case 'bodyStructure':
        object.bodyStructure = partObject((await loadBody()).root, options.bodyProperties);
        break;
      case 'textBody':
      case 'htmlBody':
      case 'attachments':
        object[property] = (await loadBody()).lists[property].map((part) => partObject(part, options.bodyProperties));
        break;
      case 'hasAttachment':
        object.hasAttachment = (await loadBody()).lists.attachments.length > 0;
        break;
      case 'bodyValues': {
        const { content, root, lists } = await loadBody();
        const values: Record<string, BodyValue> = {};
        const chosen = [...(options.fetchAll ? leaves(root) : []), ...(options.fetchText ? lists.textBody : []), ...(options.fetchHtml ? lists.htmlBody : [])];
        for (const part of chosen) if (part.type.startsWith('text/') && part.partId) values[part.partId] = bodyValue(content, part, options.maxBodyValueBytes);
        object.bodyValues = values;
        break;
      }
      default:
        object[property] = (convenience ??= convenienceHeaders(source.headers()))[property];
    }
  }
  return object;
}

function leaves(part: BodyPart): BodyPart[] {
  return part.subParts ? part.subParts.flatMap(leaves) : [part];
}

export function bodyOptionsOf(args: Pick<z.infer<typeof getArguments>, 'bodyProperties' | 'fetchTextBodyValues' | 'fetchHTMLBodyValues' | 'fetchAllBodyValues' | 'maxBodyValueBytes'>): BodyOptions {
  return {
    bodyProperties: checkProperties(args.bodyProperties, BODY_PROPERTIES, DEFAULT_BODY_PROPERTIES),
    fetchText: args.fetchTextBodyValues ?? false,
    fetchHtml: args.fetchHTMLBodyValues ?? false,
    fetchAll: args.fetchAllBodyValues ?? false,
    maxBodyValueBytes: args.maxBodyValueBytes ?? 0,
  };
}

async function emailGet(rawArgs: unknown, call: MethodCall): Promise<Record<string, unknown>> {
  const args = parseArguments(getArguments, rawArgs);
  const properties = checkProperties(args.properties, EMAIL_PROPERTIES, DEFAULT_PROPERTIES);
  const options = bodyOptionsOf(args);
  const state = currentState(call.store, call.user.id);
  let asked: Array<{ asked: string; id: string | null }>;
  let rows: MessageRow[];
  if (args.ids) {
    call.checkObjectCount(args.ids.length, 'email ids');
    asked = [...new Set(args.ids)].map((id) => ({ asked: id, id: call.resolveId(id) }));
    rows = asked.flatMap(({ id }) => (id ? call.store.jmap.emailRows(call.user.id, id) : []));
  } else {
    rows = call.store.jmap.allRows(call.user.id);
    asked = [...new Set(rows.map((r) => r.email_id))].map((id) => ({ asked: id, id }));
    call.checkObjectCount(asked.length, 'emails (ids: null asks for all of them)');
  }
  const sources = emailSources(call, rows);
  const list: Record<string, unknown>[] = [];
  const notFound: string[] = [];
  for (const { asked: askedId, id } of asked) {
    const source = id ? sources.get(id) : undefined;
    if (source) list.push(await emailObject(source, properties, options));
    else notFound.push(askedId);
  }
  return { accountId: call.accountId, state, list, notFound };
}

/** What changed since a state: emails created, updated and destroyed, and the threads they are in. */
export interface EmailChanges {
  created: string[];
  updated: string[];
  destroyed: string[];
  threads: { created: string[]; updated: string[]; destroyed: string[] };
  newState: string;
}

/**
 * The changes since `sinceState` from the index: rows written after each mailbox's MODSEQ of then,
 * and rows removed after it (remembered with their ids). A row is new when its UID is at least
 * the mailbox's UIDNEXT of then. When the history is gone (a mailbox deleted, removals from
 * before the history was kept), cannotCalculateChanges.
 */
export function changesSince(call: MethodCall, sinceState: string): EmailChanges {
  const old = parseState(sinceState);
  const cannot = (why: string) => new MethodError('cannotCalculateChanges', why);
  if (!old) throw cannot('this state was not given out by this server');
  const { store, user } = call;
  const marks = currentMarks(store, user.id);
  const mailboxes = store.listMailboxes(user.id);
  for (const [objectId, mark] of old) {
    if (!marks.has(objectId) && mark.uidnext > 1) throw cannot('a mailbox that held mail was deleted since; its history went with it');
  }
  const touchedEmails = new Set<string>();
  const touchedThreads = new Set<string>();
  /** Emails and threads that lost a row since: they were there before (a MOVE is a removal and an addition). */
  const removedEmails = new Set<string>();
  const removedThreads = new Set<string>();
  for (const mailbox of mailboxes) {
    const before = old.get(mailbox.object_id);
    const written = before ? store.jmap.writtenSince(mailbox.id, before.modseq) : store.listMessages(mailbox.id);
    for (const row of written) {
      touchedEmails.add(row.email_id);
      touchedThreads.add(row.thread_id);
    }
    if (!before) continue;
    if (before.modseq < mailbox.expunges_known_from) throw cannot(`removals from ${mailbox.name} before MODSEQ ${mailbox.expunges_known_from} are not remembered`);
    const removed = store.jmap.removedSince(mailbox.id, before.modseq);
    if (removed.unknown) throw cannot(`the ids of messages removed from ${mailbox.name} were not remembered`);
    for (const row of removed.removed) {
      touchedEmails.add(row.email_id);
      touchedThreads.add(row.thread_id);
      removedEmails.add(row.email_id);
      removedThreads.add(row.thread_id);
    }
  }
  const existedBefore = (row: MessageRow) => {
    const mailbox = mailboxes.find((m) => m.id === row.mailbox_id);
    const before = mailbox ? old.get(mailbox.object_id) : undefined;
    return !!before && row.uid < before.uidnext;
  };
  const created: string[] = [];
  const updated: string[] = [];
  const destroyed: string[] = [];
  for (const id of touchedEmails) {
    const rows = store.jmap.emailRows(user.id, id);
    if (!rows.length) destroyed.push(id);
    else if (removedEmails.has(id) || rows.some(existedBefore)) updated.push(id);
    else created.push(id);
  }
  const threads = { created: [] as string[], updated: [] as string[], destroyed: [] as string[] };
  for (const id of touchedThreads) {
    const rows = store.jmap.threadRows(user.id, id);
    if (!rows.length) threads.destroyed.push(id);
    else if (removedThreads.has(id) || rows.some(existedBefore)) threads.updated.push(id);
    else threads.created.push(id);
  }
  return { created, updated, destroyed, threads, newState: stateOf(marks) };
}

function emailChanges(rawArgs: unknown, call: MethodCall): Record<string, unknown> {
  const { sinceState } = parseArguments(changesArguments, rawArgs);
  const changes = changesSince(call, sinceState);
  return { accountId: call.accountId, oldState: sinceState, newState: changes.newState, hasMoreChanges: false, created: changes.created, updated: changes.updated, destroyed: changes.destroyed };
}

const setArguments = z.strictObject({
  accountId: idSchema,
  ifInState: z.string().nullable().optional(),
  create: z.record(z.string(), z.record(z.string(), z.unknown())).nullable().optional(),
  update: z.record(z.string(), z.record(z.string(), z.unknown())).nullable().optional(),
  destroy: z.array(z.string()).nullable().optional(),
});

/** The keywords and mailboxes an update asks for, from whole values and "keywords/$seen"-style patches (§5.3 PatchObject). */
function patched(rows: readonly MessageRow[], current: Record<string, true>, patch: Record<string, unknown>): { keywords: Set<string> | null; mailboxIds: Set<string> | null } {
  let keywords: Set<string> | null = null;
  let mailboxIds: Set<string> | null = null;
  const toSet = (value: unknown, property: string): Set<string> => {
    if (!value || typeof value !== 'object' || Array.isArray(value) || Object.values(value).some((v) => v !== true)) refuse('invalidProperties', `${property} must be an object of ids to true`, [property]);
    return new Set(Object.keys(value));
  };
  for (const [path, value] of Object.entries(patch)) {
    const [property, key, ...rest] = path.split('/');
    if (rest.length) refuse('invalidPatch', `${path} goes too deep`);
    if (property === 'keywords') {
      if (key === undefined) keywords = toSet(value, 'keywords');
      else {
        keywords ??= new Set(Object.keys(keywordsOf(rows)));
        const keyword = key.replace(/~1/g, '/').replace(/~0/g, '~').toLowerCase();
        if (value === true) keywords.add(keyword);
        else if (value === null) keywords.delete(keyword);
        else refuse('invalidPatch', `${path} must be true or null`);
      }
    } else if (property === 'mailboxIds') {
      if (key === undefined) mailboxIds = toSet(value, 'mailboxIds');
      else {
        mailboxIds ??= new Set(Object.keys(current));
        if (value === true) mailboxIds.add(key);
        else if (value === null) mailboxIds.delete(key);
        else refuse('invalidPatch', `${path} must be true or null`);
      }
    } else refuse('invalidProperties', `${property} cannot be changed; only keywords and mailboxIds can`, [property ?? path]);
  }
  for (const keyword of keywords ?? []) if (!isKeyword(keyword)) refuse('invalidProperties', `${keyword} is not a keyword`, ['keywords']);
  return { keywords, mailboxIds };
}

/** Puts an email in exactly the mailboxes `wanted`: COPY to new ones, then MOVE or EXPUNGE out of the others. */
async function placeEmail(call: MethodCall, rows: MessageRow[], wanted: Set<string>): Promise<void> {
  const { store, user } = call;
  const mailboxes = store.listMailboxes(user.id);
  const resolved = new Set([...wanted].map((id) => call.resolveId(id) ?? id));
  const targets = [...resolved].map((id) => mailboxes.find((m) => m.object_id === id) ?? refuse('invalidProperties', `no mailbox ${id}`, ['mailboxIds']));
  if (!targets.length) refuse('invalidProperties', 'an email must be in at least one mailbox', ['mailboxIds']);
  const mailboxOf = (row: MessageRow) => mailboxes.find((m) => m.id === row.mailbox_id)!;
  const leaving = rows.filter((row) => !resolved.has(mailboxOf(row).object_id));
  const arriving = targets.filter((target) => !rows.some((row) => row.mailbox_id === target.id));
  for (const target of arriving) {
    const from = leaving.shift();
    if (from) await store.moveMessages(user, mailboxOf(from), target, [from]);
    else await store.copyMessages(user, mailboxOf(rows[0]!), target, [rows[0]!]);
  }
  for (const row of leaving) store.expunge(user, mailboxOf(row), [row]);
}

export async function emailSet(rawArgs: unknown, call: MethodCall): Promise<Record<string, unknown>> {
  const { ifInState, create, update, destroy } = parseArguments(setArguments, rawArgs);
  const { store, user } = call;
  const oldState = currentState(store, user.id);
  if (ifInState && ifInState !== oldState) throw new MethodError('stateMismatch', 'the emails changed since ifInState');
  call.checkObjectCount(Object.keys(create ?? {}).length + Object.keys(update ?? {}).length + (destroy?.length ?? 0), 'email changes');
  const created: Record<string, unknown> = {};
  const notCreated: Record<string, SetError> = {};
  for (const [creationId, value] of Object.entries(create ?? {})) {
    try {
      const email = await createEmail(call, value);
      created[creationId] = email;
      call.createdIds.set(creationId, email.id as string);
    } catch (error) {
      notCreated[creationId] = refusalOf(error);
    }
  }
  const updated: Record<string, null> = {};
  const notUpdated: Record<string, SetError> = {};
  for (const [askedId, patch] of Object.entries(update ?? {})) {
    try {
      const id = call.resolveId(askedId);
      const rows = id ? store.jmap.emailRows(user.id, id) : [];
      if (!rows.length) refuse('notFound', `no email ${askedId}`);
      const source = emailSources(call, rows).get(id!)!;
      const { keywords, mailboxIds } = patched(rows, source.mailboxIds, patch);
      if (keywords) {
        const byMailbox = new Map<number, MessageRow[]>();
        for (const row of rows) byMailbox.set(row.mailbox_id, [...(byMailbox.get(row.mailbox_id) ?? []), row]);
        for (const [mailboxId, list] of byMailbox) {
          const mailbox = store.mailboxById(mailboxId)!;
          store.setFlags(user, mailbox, list.map((message) => ({ message, flags: flagsWithKeywords(message, keywords) })));
        }
      }
      if (mailboxIds) await placeEmail(call, store.jmap.emailRows(user.id, id!), mailboxIds);
      updated[askedId] = null;
    } catch (error) {
      notUpdated[askedId] = refusalOf(error);
    }
  }
  const destroyed: string[] = [];
  const notDestroyed: Record<string, SetError> = {};
  for (const askedId of destroy ?? []) {
    try {
      const id = call.resolveId(askedId);
      const rows = id ? store.jmap.emailRows(user.id, id) : [];
      if (!rows.length) refuse('notFound', `no email ${askedId}`);
      for (const row of rows) store.expunge(user, store.mailboxById(row.mailbox_id)!, [row]);
      destroyed.push(askedId);
    } catch (error) {
      notDestroyed[askedId] = refusalOf(error);
    }
  }
  return { accountId: call.accountId, oldState, newState: currentState(store, user.id), created, updated, destroyed, notCreated, notUpdated, notDestroyed };
}

export const emailMethods: Record<string, JmapMethod> = {
  'Email/get': { capability: MAIL, handle: emailGet },
  'Email/changes': { capability: MAIL, handle: emailChanges },
  'Email/set': { capability: MAIL, handle: emailSet },
};

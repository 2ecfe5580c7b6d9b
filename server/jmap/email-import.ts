// Email/import (RFC 8621 §4.8): an uploaded message stored into mailboxes, like an IMAP APPEND
// (durable before the answer, quota and free disk space checked), with its keywords and receivedAt.
import { z } from 'zod';
import { readBlob } from './blobs.js';
import type { MethodCall } from './call.js';
import { flagOf, isKeyword } from './keywords.js';
import type { JmapMethod } from './methods.js';
import { idSchema, MAIL, MethodError, parseArguments, setError, type SetError } from './protocol.js';
import { refusalOf, refuse } from './set-refusal.js';
import { currentState } from './state.js';

const importArguments = z.strictObject({
  accountId: idSchema,
  ifInState: z.string().nullable().optional(),
  emails: z.record(
    z.string(),
    z.strictObject({
      blobId: z.string(),
      mailboxIds: z.record(z.string(), z.literal(true)),
      keywords: z.record(z.string(), z.literal(true)).optional(),
      receivedAt: z.string().datetime({ offset: true }).optional(),
    }),
  ),
});

/** Stores a message in the mailboxes given (the first by APPEND, the others as copies, sharing the email id). */
export async function storeEmail(call: MethodCall, content: Buffer, mailboxIds: string[], keywords: string[], receivedAt?: Date): Promise<{ id: string; threadId: string; size: number }> {
  const { store, user, context } = call;
  if (content.length > context.settings().limits.messageSizeBytes) refuse('tooLarge', `the message has ${content.length} bytes, more than limits.messageSizeBytes (${context.settings().limits.messageSizeBytes})`);
  const mailboxes = store.listMailboxes(user.id);
  const targets = mailboxIds.map((id) => {
    const resolved = call.resolveId(id);
    return mailboxes.find((m) => m.object_id === resolved) ?? refuse('invalidProperties', `no mailbox ${id}`, ['mailboxIds']);
  });
  if (!targets.length) refuse('invalidProperties', 'an email must be in at least one mailbox', ['mailboxIds']);
  for (const keyword of keywords) if (!isKeyword(keyword)) refuse('invalidProperties', `${keyword} is not a keyword`, ['keywords']);
  if (context.accounts.overQuota(user.id, content.length * targets.length)) refuse('overQuota', 'the mailbox is full (quota)');
  if (context.disk.refuses(content.length)) refuse('overQuota', 'not enough disk space on the server');
  const [first, ...others] = targets;
  const row = await store.appendMessage(user, first!, content, { flags: keywords.map(flagOf), ...(receivedAt ? { internalDate: receivedAt } : {}) });
  for (const other of others) await store.copyMessages(user, first!, other, [row]);
  return { id: row.email_id, threadId: row.thread_id, size: row.size };
}

async function emailImport(rawArgs: unknown, call: MethodCall): Promise<Record<string, unknown>> {
  const { ifInState, emails } = parseArguments(importArguments, rawArgs);
  const oldState = currentState(call.store, call.user.id);
  if (ifInState && ifInState !== oldState) throw new MethodError('stateMismatch', 'the emails changed since ifInState');
  call.checkObjectCount(Object.keys(emails).length, 'emails to import');
  const created: Record<string, unknown> = {};
  const notCreated: Record<string, SetError> = {};
  for (const [creationId, email] of Object.entries(emails)) {
    try {
      const content = await readBlob(call, email.blobId);
      if (!content) {
        notCreated[creationId] = { ...setError('blobNotFound', `no blob ${email.blobId}`), notFound: [email.blobId] };
        continue;
      }
      const stored = await storeEmail(call, content, Object.keys(email.mailboxIds), Object.keys(email.keywords ?? {}).map((k) => k.toLowerCase()), email.receivedAt ? new Date(email.receivedAt) : undefined);
      call.createdIds.set(creationId, stored.id);
      created[creationId] = { id: stored.id, blobId: stored.id, threadId: stored.threadId, size: stored.size };
    } catch (error) {
      notCreated[creationId] = refusalOf(error);
    }
  }
  return { accountId: call.accountId, oldState, newState: currentState(call.store, call.user.id), created, notCreated };
}

export const emailImportMethods: Record<string, JmapMethod> = {
  'Email/import': { capability: MAIL, handle: emailImport },
};

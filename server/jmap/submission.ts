// EmailSubmission/get and /set (RFC 8621 §7): an email of the account sent the way SMTP submission
// sends (smtp/service.ts): the envelope sender must be an address the user may send as, so must the
// From addresses (no spoofing), recipients are resolved like RCPT TO, the message gets the same
// Received, Message-ID and Date fields, and the engine's delivery takes it — local mailboxes, the
// outbound queue with DKIM, retries and DSNs back to the sender. Then onSuccessUpdateEmail /
// onSuccessDestroyEmail run as an implicit Email/set. Submissions are remembered while the engine
// runs (for /get); they are final at once (no delayed sending, no undo).
import crypto from 'node:crypto';
import { z } from 'zod';
import type { User } from '../accounts/accounts.js';
import type { EngineContext } from '../context.js';
import { missingHeaders, receivedHeader } from '../smtp/headers.js';
import type { MethodCall } from './call.js';
import { emailSet } from './email.js';
import { convenienceHeaders } from './email-headers.js';
import { emailSources } from './email-source.js';
import { identitiesOf } from './identity.js';
import type { JmapMethod } from './methods.js';
import { idSchema, MethodError, parseArguments, setError, SUBMISSION, type SetError } from './protocol.js';
import { refusalOf, refuse, SetRefusal } from './set-refusal.js';
import { getArguments, getList } from './standard-methods.js';

interface Address {
  email: string;
  parameters: Record<string, string | null> | null;
}

interface Submission {
  id: string;
  identityId: string;
  emailId: string;
  threadId: string;
  envelope: { mailFrom: Address; rcptTo: Address[] };
  sendAt: string;
  undoStatus: 'final';
  deliveryStatus: Record<string, { smtpReply: string; delivered: 'queued' | 'yes'; displayed: 'unknown' }>;
  dsnBlobIds: string[];
  mdnBlobIds: string[];
}

/** Submissions remembered per engine and user, the newest last; at most this many per user. */
const REMEMBERED = 1000;
const submissions = new WeakMap<EngineContext, Map<number, Submission[]>>();

function remembered(call: MethodCall): Submission[] {
  let byUser = submissions.get(call.context);
  if (!byUser) submissions.set(call.context, (byUser = new Map()));
  let list = byUser.get(call.user.id);
  if (!list) byUser.set(call.user.id, (list = []));
  return list;
}

function submissionState(list: readonly Submission[]): string {
  return `n${list.length}${list.length ? `-${list[list.length - 1]!.id}` : ''}`;
}

const addressSchema = z.strictObject({ email: z.string().min(1), parameters: z.record(z.string(), z.string().nullable()).nullable().optional() });
const createSchema = z.strictObject({
  identityId: z.string(),
  emailId: z.string(),
  envelope: z.strictObject({ mailFrom: addressSchema, rcptTo: z.array(addressSchema) }).nullable().optional(),
});

const setArguments = z.strictObject({
  accountId: idSchema,
  ifInState: z.string().nullable().optional(),
  create: z.record(z.string(), z.unknown()).nullable().optional(),
  update: z.record(z.string(), z.unknown()).nullable().optional(),
  destroy: z.array(z.string()).nullable().optional(),
  onSuccessUpdateEmail: z.record(z.string(), z.record(z.string(), z.unknown())).nullable().optional(),
  onSuccessDestroyEmail: z.array(z.string()).nullable().optional(),
});

/** The message without its Bcc fields (RFC 8621 §7.5: they are not sent). */
function withoutBcc(content: Buffer): Buffer {
  const text = content.toString('binary');
  const end = text.search(/\r?\n\r?\n/);
  const head = end < 0 ? text : text.slice(0, end);
  const kept = head.split(/\r?\n(?![ \t])/).filter((field) => !/^bcc[ \t]*:/i.test(field));
  return Buffer.from(kept.join('\r\n') + (end < 0 ? '' : text.slice(end)), 'binary');
}

async function submit(call: MethodCall, value: unknown): Promise<Submission> {
  const parsed = createSchema.safeParse(value);
  if (!parsed.success) refuse('invalidProperties', parsed.error.issues[0]!.message, parsed.error.issues.map((i) => String(i.path[0])));
  const { identityId, emailId: askedEmailId, envelope: askedEnvelope } = parsed.data;
  const { context, user, store } = call;
  const identity = identitiesOf(call).find((i) => i.id === identityId) ?? refuse('invalidProperties', `no identity ${identityId}`, ['identityId']);
  const emailId = call.resolveId(askedEmailId);
  const rows = emailId ? store.jmap.emailRows(user.id, emailId) : [];
  if (!rows.length) refuse('invalidProperties', `no email ${askedEmailId}`, ['emailId']);
  const source = emailSources(call, rows).get(emailId!)!;
  const headers = convenienceHeaders(source.headers());
  const sendable = context.accounts.sendableAddresses(user);
  const owned = (address: string) => sendable.has(address.toLowerCase());
  // §7.5: the From addresses are the user's, as SMTP's MAIL FROM must be (no spoofing)
  const from = (headers.from as Array<{ email: string }> | null) ?? [];
  if (!from.length || !from.every((a) => owned(a.email))) throw new SetRefusal(setError('forbiddenFrom', `the From field (${from.map((a) => a.email).join(', ') || 'none'}) is not an address ${user.address} may send as`));
  const recipientsOf = (name: string) => ((headers[name] as Array<{ email: string }> | null) ?? []).map((a) => ({ email: a.email, parameters: null }));
  const envelope = askedEnvelope
    ? { mailFrom: { email: askedEnvelope.mailFrom.email, parameters: askedEnvelope.mailFrom.parameters ?? null }, rcptTo: askedEnvelope.rcptTo.map((r) => ({ email: r.email, parameters: r.parameters ?? null })) }
    : { mailFrom: { email: identity.email, parameters: null }, rcptTo: [...recipientsOf('to'), ...recipientsOf('cc'), ...recipientsOf('bcc')] };
  if (!owned(envelope.mailFrom.email)) throw new SetRefusal(setError('forbiddenMailFrom', `${envelope.mailFrom.email} is not an address ${user.address} may send as`));
  const unique = [...new Map(envelope.rcptTo.map((r) => [r.email.toLowerCase(), r])).values()];
  if (!unique.length) throw new SetRefusal(setError('noRecipients', 'the email has no recipients'));
  const { limits, hostname } = context.settings();
  if (unique.length > limits.recipientsPerMessage) throw new SetRefusal({ ...setError('tooManyRecipients', `${unique.length} recipients; at most ${limits.recipientsPerMessage} (limits.recipientsPerMessage)`), maxRecipients: limits.recipientsPerMessage });
  const localUsers = new Map<number, User>();
  const remote = new Set<string>();
  const invalid: string[] = [];
  for (const { email } of unique) {
    const recipient = context.accounts.resolveRecipient(email);
    if (recipient.kind === 'unknown') invalid.push(email);
    else if (recipient.kind === 'foreign') remote.add(recipient.address);
    else {
      recipient.users.forEach((u) => localUsers.set(u.id, u));
      recipient.forward.forEach((address) => remote.add(address));
    }
  }
  if (invalid.length) throw new SetRefusal({ ...setError('invalidRecipients', `no such local recipient: ${invalid.join(', ')}`), invalidRecipients: invalid });
  const body = withoutBcc(await source.content());
  if (body.length > limits.messageSizeBytes) throw new SetRefusal({ ...setError('tooLarge', `the message has ${body.length} bytes; at most ${limits.messageSizeBytes}`), maxSize: limits.messageSizeBytes });
  if (context.disk.refuses(body.length)) throw new SetRefusal(setError('forbiddenToSend', 'not enough disk space on the server; try again later'));
  const now = new Date();
  const id = `S${crypto.randomBytes(12).toString('hex')}`;
  const trace = receivedHeader({
    helo: 'jmap',
    clientAddress: call.client,
    clientHostname: '',
    hostname,
    protocol: 'HTTPSA',
    tlsCipher: null,
    authenticatedAs: user.address,
    id: id.slice(-12).toUpperCase(),
    recipients: unique.map((r) => r.email),
    date: now,
  });
  const result = await context.delivery.deliver({
    sender: envelope.mailFrom.email,
    content: Buffer.concat([Buffer.from(trace + missingHeaders(body, hostname, now)), body]),
    localUsers: [...localUsers.values()],
    remoteRecipients: [...remote],
    // the LAN web service's JMAP request (the submission's id stands for its session)
    via: { service: 'https', session: id, client: call.client, user: user.address },
  });
  const deliveryStatus: Submission['deliveryStatus'] = {};
  for (const { email } of unique) {
    const isRemote = context.accounts.resolveRecipient(email).kind === 'foreign';
    deliveryStatus[email] = isRemote
      ? { smtpReply: `250 2.0.0 Ok: queued as ${result.queuedAs ?? result.id}`, delivered: 'queued', displayed: 'unknown' }
      : { smtpReply: `250 2.0.0 Ok: delivered as ${result.id}`, delivered: 'yes', displayed: 'unknown' };
  }
  return { id, identityId, emailId: emailId!, threadId: source.threadId, envelope, sendAt: now.toISOString().replace(/\.\d{3}Z$/, 'Z'), undoStatus: 'final', deliveryStatus, dsnBlobIds: [], mdnBlobIds: [] };
}

async function submissionSet(rawArgs: unknown, call: MethodCall): Promise<Record<string, unknown>> {
  const args = parseArguments(setArguments, rawArgs);
  const list = remembered(call);
  const oldState = submissionState(list);
  if (args.ifInState && args.ifInState !== oldState) throw new MethodError('stateMismatch', 'the submissions changed since ifInState');
  call.checkObjectCount(Object.keys(args.create ?? {}).length + Object.keys(args.update ?? {}).length + (args.destroy?.length ?? 0), 'submission changes');
  const created: Record<string, unknown> = {};
  const notCreated: Record<string, SetError> = {};
  const emailOf = new Map<string, string>();
  for (const [creationId, value] of Object.entries(args.create ?? {})) {
    try {
      const submission = await submit(call, value);
      list.push(submission);
      if (list.length > REMEMBERED) list.shift();
      call.createdIds.set(creationId, submission.id);
      emailOf.set(`#${creationId}`, submission.emailId);
      emailOf.set(submission.id, submission.emailId);
      created[creationId] = { id: submission.id, threadId: submission.threadId, sendAt: submission.sendAt, undoStatus: submission.undoStatus };
    } catch (error) {
      if (!(error instanceof SetRefusal)) call.context.log.error('jmap', `submission failed: ${(error as Error).message}`, { user: call.user.address });
      notCreated[creationId] = error instanceof SetRefusal ? refusalOf(error) : setError('forbiddenToSend', 'the server could not take the message; try again later');
    }
  }
  // §7.5: nothing can be changed once sent (undoStatus is final at once)
  const notUpdated = Object.fromEntries(Object.keys(args.update ?? {}).map((id) => [id, setError('cannotUnsend', 'the message was sent already')]));
  const notDestroyed = Object.fromEntries((args.destroy ?? []).map((id) => [id, list.some((s) => s.id === id) ? setError('forbidden', 'sent submissions are kept') : setError('notFound', `no submission ${id}`)]));
  const result = { accountId: call.accountId, oldState, newState: submissionState(list), created, updated: {}, destroyed: [], notCreated, notUpdated, notDestroyed };
  // §7.5 onSuccessUpdateEmail / onSuccessDestroyEmail: an implicit Email/set after this response
  const update: Record<string, Record<string, unknown>> = {};
  for (const [key, patch] of Object.entries(args.onSuccessUpdateEmail ?? {})) {
    const emailId = emailOf.get(key);
    if (emailId) update[emailId] = patch;
  }
  const destroy = (args.onSuccessDestroyEmail ?? []).map((key) => emailOf.get(key)).filter((id): id is string => !!id);
  if (Object.keys(update).length || destroy.length) call.followUps.push(['Email/set', await emailSet({ accountId: call.accountId, update, destroy }, call), call.callId]);
  return result;
}

function submissionGet(rawArgs: unknown, call: MethodCall): Record<string, unknown> {
  const { ids, properties } = parseArguments(getArguments, rawArgs);
  const list = remembered(call);
  return { accountId: call.accountId, state: submissionState(list), ...getList(call, list, ids, properties, 'submission ids') };
}

export const submissionMethods: Record<string, JmapMethod> = {
  'EmailSubmission/get': { capability: SUBMISSION, handle: submissionGet },
  'EmailSubmission/set': { capability: SUBMISSION, handle: submissionSet },
};

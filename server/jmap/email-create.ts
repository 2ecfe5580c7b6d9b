// Email/set create (RFC 8621 §4.6): a message written from JMAP properties — addresses, subject,
// dates, ids, the text and HTML bodies from bodyValues, attachments from blobs — by nodemailer's
// MailComposer (Bcc kept: a draft keeps it; submission takes it out), then stored like an import.
import MailComposer from 'nodemailer/lib/mail-composer';
import { z } from 'zod';
import { readBlob } from './blobs.js';
import type { MethodCall } from './call.js';
import { storeEmail } from './email-import.js';
import { refuse } from './set-refusal.js';

const address = z.object({ name: z.string().nullable().optional(), email: z.string() });
const addresses = z.array(address).nullable().optional();
const partRef = z.object({ partId: z.string().optional(), blobId: z.string().optional(), type: z.string().optional(), name: z.string().nullable().optional(), disposition: z.string().nullable().optional(), cid: z.string().nullable().optional() });

const createSchema = z
  .object({
    mailboxIds: z.record(z.string(), z.literal(true)),
    keywords: z.record(z.string(), z.literal(true)).optional(),
    receivedAt: z.string().datetime({ offset: true }).optional(),
    from: addresses,
    sender: addresses,
    to: addresses,
    cc: addresses,
    bcc: addresses,
    replyTo: addresses,
    subject: z.string().nullable().optional(),
    sentAt: z.string().datetime({ offset: true }).nullable().optional(),
    messageId: z.array(z.string()).nullable().optional(),
    inReplyTo: z.array(z.string()).nullable().optional(),
    references: z.array(z.string()).nullable().optional(),
    textBody: z.array(partRef).optional(),
    htmlBody: z.array(partRef).optional(),
    attachments: z.array(partRef).optional(),
    bodyValues: z.record(z.string(), z.object({ value: z.string() }).passthrough()).optional(),
  })
  .strict();

type Addresses = z.infer<typeof addresses>;

const toNodemailer = (list: Addresses) => (list ?? []).map((a) => ({ name: a.name ?? '', address: a.email }));
const ids = (list: string[] | null | undefined) => list?.map((id) => `<${id}>`);

/** Creates one email; returns what the /set response says of it. */
export async function createEmail(call: MethodCall, value: unknown): Promise<Record<string, unknown>> {
  const parsed = createSchema.safeParse(value);
  if (!parsed.success) refuse('invalidProperties', parsed.error.issues[0]!.message, parsed.error.issues.map((i) => String(i.path[0])));
  const email = parsed.data;
  const bodyOf = (parts: z.infer<typeof partRef>[] | undefined, type: string): string | undefined => {
    const part = parts?.[0];
    if (!part) return undefined;
    const text = part.partId !== undefined ? email.bodyValues?.[part.partId]?.value : undefined;
    if (text === undefined) refuse('invalidProperties', `the ${type} body needs its text in bodyValues under partId`, [type === 'text' ? 'textBody' : 'htmlBody']);
    return text;
  };
  const attachments = [];
  for (const attachment of email.attachments ?? []) {
    const content = attachment.blobId ? await readBlob(call, attachment.blobId) : null;
    if (!content) refuse('invalidProperties', `no blob ${attachment.blobId ?? '(none given)'} for an attachment`, ['attachments']);
    attachments.push({
      content,
      contentType: attachment.type ?? 'application/octet-stream',
      ...(attachment.name ? { filename: attachment.name } : {}),
      ...(attachment.cid ? { cid: attachment.cid } : {}),
      contentDisposition: (attachment.disposition === 'inline' ? 'inline' : 'attachment') as 'inline' | 'attachment',
    });
  }
  const root = new MailComposer({
    from: toNodemailer(email.from)[0],
    sender: toNodemailer(email.sender)[0],
    to: toNodemailer(email.to),
    cc: toNodemailer(email.cc),
    bcc: toNodemailer(email.bcc),
    replyTo: toNodemailer(email.replyTo),
    subject: email.subject ?? undefined,
    date: email.sentAt ? new Date(email.sentAt) : new Date(),
    messageId: ids(email.messageId)?.[0],
    inReplyTo: ids(email.inReplyTo)?.join(' '),
    references: ids(email.references),
    text: bodyOf(email.textBody, 'text'),
    html: bodyOf(email.htmlBody, 'html'),
    attachments,
  }).compile();
  root.keepBcc = true;
  const content = await root.build();
  const stored = await storeEmail(call, content, Object.keys(email.mailboxIds), Object.keys(email.keywords ?? {}).map((k) => k.toLowerCase()), email.receivedAt ? new Date(email.receivedAt) : undefined);
  return { id: stored.id, blobId: stored.id, threadId: stored.threadId, size: stored.size };
}

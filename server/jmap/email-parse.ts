// Email/parse (RFC 8621 §4.9): a message blob (an upload, or an attached message/rfc822 part) read
// as an Email that is in no mailbox: its id, threadId, mailboxIds, keywords and receivedAt null.
import { z } from 'zod';
import { headerBlockEnd } from '../imap/mime/header-block.js';
import { previewOf } from '../imap/mime/preview.js';
import { parseMessageStructure, type MimePart } from '../imap/mime/structure.js';
import { readBlob } from './blobs.js';
import type { MethodCall } from './call.js';
import { bodyArguments, bodyOptionsOf, EMAIL_PROPERTIES, emailObject } from './email.js';
import { rawHeaders, type RawHeader } from './email-headers.js';
import type { EmailData } from './email-source.js';
import type { JmapMethod } from './methods.js';
import { idSchema, MAIL, parseArguments } from './protocol.js';
import { checkProperties } from './standard-methods.js';

const DEFAULT_PROPERTIES = ['messageId', 'inReplyTo', 'references', 'sender', 'from', 'to', 'cc', 'bcc', 'replyTo', 'subject', 'sentAt', 'hasAttachment', 'preview', 'bodyValues', 'textBody', 'htmlBody', 'attachments'];

const parseArgumentsSchema = z.strictObject({
  accountId: idSchema,
  blobIds: z.array(z.string()),
  ...bodyArguments,
});

class ParsedBlob implements EmailData {
  readonly id = null;
  readonly threadId = null;
  readonly mailboxIds = null;
  readonly keywords = null;
  readonly receivedAt = null;
  private parsed: Promise<MimePart> | undefined;

  constructor(
    readonly blobId: string,
    private readonly bytes: Buffer,
  ) {}

  get size(): number {
    return this.bytes.length;
  }

  headers(): RawHeader[] {
    return rawHeaders(this.bytes.subarray(0, headerBlockEnd(this.bytes)));
  }

  content(): Promise<Buffer> {
    return Promise.resolve(this.bytes);
  }

  structure(): Promise<MimePart> {
    return (this.parsed ??= parseMessageStructure(this.bytes));
  }

  async preview(): Promise<string> {
    return previewOf(this.bytes, await this.structure());
  }
}

async function emailParse(rawArgs: unknown, call: MethodCall): Promise<Record<string, unknown>> {
  const args = parseArguments(parseArgumentsSchema, rawArgs);
  call.checkObjectCount(args.blobIds.length, 'blob ids');
  const properties = checkProperties(args.properties, EMAIL_PROPERTIES, DEFAULT_PROPERTIES);
  const options = bodyOptionsOf(args);
  const parsed: Record<string, unknown> = {};
  const notParsable: string[] = [];
  const notFound: string[] = [];
  for (const blobId of new Set(args.blobIds)) {
    const content = await readBlob(call, blobId);
    if (!content) {
      notFound.push(blobId);
      continue;
    }
    // a message has a header block with at least one field
    if (!rawHeaders(content.subarray(0, headerBlockEnd(content))).length) {
      notParsable.push(blobId);
      continue;
    }
    parsed[blobId] = await emailObject(new ParsedBlob(blobId, content), properties, options);
  }
  return { accountId: call.accountId, parsed, notParsable, notFound };
}

export const emailParseMethods: Record<string, JmapMethod> = {
  'Email/parse': { capability: MAIL, handle: emailParse },
};

// Message paths (classroom): the recent messages, one message's whole path, and a user's mailbox
// to pick a message from.
import type { MessagePath, PathFactKey, PathStep, PathStepKind } from '../../inspector/message-path-types.js';
import { transcriptLine, z, type RoutePattern, type RouteSpec } from './common.js';

const stepKind = z.enum(['dns', 'submission', 'delivery', 'queued', 'notified', 'read', 'outbound']) satisfies z.ZodType<PathStepKind>;
const factKey = z.enum(['deliveryId', 'queueId', 'user', 'mailbox', 'uid', 'file', 'indexRow', 'recipients', 'route', 'remote', 'dkim', 'outcome']) satisfies z.ZodType<PathFactKey>;

const pathStep = z.strictObject({
  kind: stepKind,
  time: z.number(),
  session: z.strictObject({ service: transcriptLine.shape.service, session: z.string(), client: z.string() }).nullable(),
  facts: z.array(z.strictObject({ key: factKey, value: z.string() })),
  lines: z.array(transcriptLine),
}) satisfies z.ZodType<PathStep>;

const messagePath = z.strictObject({
  id: z.string(),
  time: z.number(),
  sender: z.string(),
  recipients: z.array(z.string()),
  messageId: z.string().nullable(),
  subject: z.string().nullable(),
  size: z.number(),
  steps: z.array(pathStep),
}) satisfies z.ZodType<MessagePath>;

/** A path in the list: what it is, and the kinds of its steps so far. */
const pathSummary = messagePath.omit({ steps: true }).extend({ steps: z.array(stepKind) });

const mailboxMessage = z.strictObject({
  uid: z.number(),
  time: z.number(),
  size: z.number(),
  from: z.string().nullable(),
  subject: z.string().nullable(),
  /** The id of its path while LanPost keeps it (limits.messagePathsKept), else null. */
  path: z.string().nullable(),
});

export const pathsContract = {
  /** Newest first; `kept` is limits.messagePathsKept. */
  'GET /api/paths': { response: z.strictObject({ paths: z.array(pathSummary), kept: z.number() }) },
  'GET /api/paths/:id': { params: z.object({ id: z.string() }), response: messagePath },
  /** A user's mailbox, newest messages first (at most 100), each with its path when LanPost has it. */
  'GET /api/users/:address/messages': {
    params: z.object({ address: z.string() }),
    query: z.object({ mailbox: z.string().default('INBOX') }),
    response: z.strictObject({ address: z.string(), mailbox: z.string(), mailboxes: z.array(z.string()), messages: z.array(mailboxMessage) }),
  },
} satisfies Record<RoutePattern, RouteSpec>;

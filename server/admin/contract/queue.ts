// Queue: mail waiting for other domains — list, retry now, delete.
import type { RecipientStatus } from '../../delivery/queue.js';
import { z, type RoutePattern, type RouteSpec } from './common.js';

const queueRecipient = z.strictObject({
  recipient: z.string(),
  /** pending: waiting for (another) attempt; the others are final. */
  status: z.enum(['pending', 'delivered', 'bounced', 'expired']) satisfies z.ZodType<RecipientStatus>,
  attempts: z.number(),
  nextAttemptAt: z.number().nullable(),
  lastAttemptAt: z.number().nullable(),
  /** The last answer: the remote server's reply, or what went wrong. */
  lastResponse: z.string().nullable(),
  statusCode: z.string().nullable(),
  remoteHost: z.string().nullable(),
});

const queueEntry = z.strictObject({
  id: z.string(),
  sender: z.string(),
  size: z.number(),
  createdAt: z.number(),
  recipients: z.array(queueRecipient),
});

const entry = z.object({ id: z.string() });

export const queueContract = {
  'GET /api/queue': { response: z.strictObject({ entries: z.array(queueEntry) }) },
  'POST /api/queue/:id/retry': { params: entry, response: z.strictObject({ retried: z.number() }) },
  'DELETE /api/queue/:id': { params: entry, response: z.strictObject({ deleted: z.string() }) },
} satisfies Record<RoutePattern, RouteSpec>;

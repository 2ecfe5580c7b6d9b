// Queue: mail waiting for other domains — list, retry now, delete (Postfix mailq, postqueue -i,
// postsuper -d). The outbound worker does the sending; this only looks and nudges.
import type { Handlers } from '../router.js';

export const queueRoutes = {
  'GET /api/queue': ({ state }) => ({
    entries: state.queue.list().map((entry) => ({
      id: entry.id,
      sender: entry.sender,
      size: entry.size,
      createdAt: entry.created_at,
      recipients: entry.recipients.map((r) => ({
        recipient: r.recipient,
        status: r.status,
        attempts: r.attempts,
        nextAttemptAt: r.status === 'pending' ? r.next_attempt_at : null,
        lastAttemptAt: r.last_attempt_at,
        lastResponse: r.last_response,
        statusCode: r.status_code,
        remoteHost: r.remote_host,
      })),
    })),
  }),
  'POST /api/queue/:id/retry': ({ state, params }) => ({ retried: state.queue.retry(params.id) }),
  'DELETE /api/queue/:id': ({ state, params }) => {
    state.queue.delete(params.id);
    state.context.log.info('queue', `deleted ${params.id} from the queue (from the window)`);
    return { deleted: params.id };
  },
} satisfies Partial<Handlers>;

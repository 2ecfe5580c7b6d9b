// Queue: mail waiting for other domains — list, retry now, delete (Postfix mailq, postqueue -i,
// postsuper -d). The outbound worker does the sending; this only looks and nudges.
import { json, type Route } from '../router.js';
import type { AdminState } from '../state.js';
import type { QueueResponse } from '../types.js';

const queueOf = (state: AdminState) => state.queue;

export const queueRoutes: Route[] = [
  {
    method: 'GET',
    path: '/api/queue',
    handler: ({ state }) => {
      const response: QueueResponse = {
        entries: queueOf(state)
          .list()
          .map((entry) => ({
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
      };
      return json(response);
    },
  },
  {
    method: 'POST',
    path: '/api/queue/:id/retry',
    handler: ({ state, params }) => json({ retried: queueOf(state).retry(params.id ?? '') }),
  },
  {
    method: 'DELETE',
    path: '/api/queue/:id',
    handler: ({ state, params }) => {
      queueOf(state).delete(params.id ?? '');
      state.context.log.info('queue', `deleted ${params.id} from the queue (from the window)`);
      return json({ deleted: params.id });
    },
  },
];

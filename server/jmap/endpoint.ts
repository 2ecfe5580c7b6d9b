// What JMAP keeps per engine: logins and tokens, push streams, and the requests of each account
// running now (maxConcurrentRequests and maxConcurrentUpload: one more is refused, it does not wait).
import type { User } from '../accounts/accounts.js';
import type { EngineContext } from '../context.js';
import { reply, type WebReply } from '../web/replies.js';
import { JmapAuth } from './auth.js';
import { RequestError } from './protocol.js';
import { PushHub } from './push.js';

interface Endpoint {
  auth: JmapAuth;
  running: Map<number, number>;
  push: PushHub;
}

const endpoints = new WeakMap<EngineContext, Endpoint>();

export function endpoint(context: EngineContext): Endpoint {
  let found = endpoints.get(context);
  if (!found) endpoints.set(context, (found = { auth: new JmapAuth(context), running: new Map(), push: new PushHub(context) }));
  return found;
}

export function auth(context: EngineContext): JmapAuth {
  return endpoint(context).auth;
}

/** A request-level error as the RFC's problem details (RFC 7807; RFC 8620 §3.6.1). */
export function problem(error: RequestError): WebReply {
  return reply(error.status, 'application/problem+json', JSON.stringify(error.problem));
}

/** Runs `work` as one of the account's requests at once, or refuses it with the limit error. */
export async function withSlot<T>(context: EngineContext, user: User, work: () => Promise<T>): Promise<T> {
  const { running } = endpoint(context);
  const max = context.settings().limits.jmapConcurrentRequests;
  const now = running.get(user.id) ?? 0;
  if (now >= max) throw new RequestError('limit', 400, `${now} requests of this account are running; at most ${max} at once (limits.jmapConcurrentRequests)`, { limit: 'maxConcurrentRequests' });
  running.set(user.id, now + 1);
  try {
    return await work();
  } finally {
    const left = (running.get(user.id) ?? 1) - 1;
    if (left) running.set(user.id, left);
    else running.delete(user.id);
  }
}

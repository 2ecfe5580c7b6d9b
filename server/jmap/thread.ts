// Thread/get and /changes (RFC 8621 §3): a thread is the emails sharing a THREADID (store/threads.ts:
// by References/In-Reply-To, stable), listed oldest first.
import type { MethodCall } from './call.js';
import { changesSince } from './email.js';
import type { JmapMethod } from './methods.js';
import { MAIL, parseArguments } from './protocol.js';
import { changesArguments, getArguments, requestedIds } from './standard-methods.js';
import { currentState } from './state.js';

function threadGet(rawArgs: unknown, call: MethodCall): Record<string, unknown> {
  const { ids } = parseArguments(getArguments, rawArgs);
  const state = currentState(call.store, call.user.id);
  const asked = ids ? requestedIds(call, ids, 'thread ids') : [...new Set(call.store.jmap.allRows(call.user.id).map((r) => r.thread_id))].map((id) => ({ asked: id, id }));
  if (!ids) call.checkObjectCount(asked.length, 'threads (ids: null asks for all of them)');
  const list: Array<{ id: string; emailIds: string[] }> = [];
  const notFound: string[] = [];
  for (const { asked: askedId, id } of asked) {
    const rows = id ? call.store.jmap.threadRows(call.user.id, id) : [];
    if (rows.length) list.push({ id: id!, emailIds: [...new Set(rows.map((r) => r.email_id))] });
    else notFound.push(askedId);
  }
  return { accountId: call.accountId, state, list, notFound };
}

function threadChanges(rawArgs: unknown, call: MethodCall): Record<string, unknown> {
  const { sinceState } = parseArguments(changesArguments, rawArgs);
  const { threads, newState } = changesSince(call, sinceState);
  return { accountId: call.accountId, oldState: sinceState, newState, hasMoreChanges: false, ...threads };
}

export const threadMethods: Record<string, JmapMethod> = {
  'Thread/get': { capability: MAIL, handle: threadGet },
  'Thread/changes': { capability: MAIL, handle: threadChanges },
};

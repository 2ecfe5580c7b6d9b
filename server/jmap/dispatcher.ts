// One JMAP API request (RFC 8620 §3.3–3.6): the request checked as a whole (JSON, shape, known
// capabilities, the number of calls), then each method call in order — result references resolved,
// the account checked, the method run — and its response or method-level error appended. A method
// that fails unexpectedly answers serverFail and the next calls still run.
import type { User } from '../accounts/accounts.js';
import type { EngineContext } from '../context.js';
import { accountIdOf, MethodCall } from './call.js';
import { METHODS } from './methods.js';
import { MethodError, RequestError, requestSchema, type Invocation, type JmapRequest, type JmapResponse } from './protocol.js';
import { resolveReferences } from './references.js';
import { CAPABILITIES, sessionStateOf } from './session.js';

export function parseRequest(body: Buffer, maxCalls: number): JmapRequest {
  let value: unknown;
  try {
    value = JSON.parse(body.toString('utf8'));
  } catch (error) {
    throw new RequestError('notJSON', 400, `The request is not JSON: ${(error as Error).message}`);
  }
  const parsed = requestSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new RequestError('notRequest', 400, `The request is not a JMAP Request object: ${issue.path.join('.') || 'the object'}: ${issue.message}`);
  }
  const request = parsed.data;
  const unknown = request.using.filter((capability) => !CAPABILITIES.includes(capability));
  if (unknown.length) throw new RequestError('unknownCapability', 400, `This server does not support ${unknown.join(', ')}`);
  if (request.methodCalls.length > maxCalls) {
    throw new RequestError('limit', 400, `${request.methodCalls.length} method calls; at most ${maxCalls} in one request (limits.jmapCallsPerRequest)`, { limit: 'maxCallsInRequest' });
  }
  return request;
}

export async function runRequest(request: JmapRequest, user: User, context: EngineContext, client: string): Promise<JmapResponse> {
  const accountId = accountIdOf(user);
  const createdIds = new Map(Object.entries(request.createdIds ?? {}));
  const responses: Invocation[] = [];
  for (const [name, rawArgs, callId] of request.methodCalls) {
    const call = new MethodCall(context, user, accountId, createdIds, callId, client);
    try {
      const method = METHODS[name];
      if (!method || !request.using.includes(method.capability)) throw new MethodError('unknownMethod', `${name} is not a method of the capabilities in "using"`);
      const args = resolveReferences(rawArgs, responses);
      if (name !== 'Core/echo' && args.accountId !== accountId) {
        throw new MethodError('accountNotFound', `no account ${JSON.stringify(args.accountId)} here; yours is ${accountId}`);
      }
      responses.push([name, await method.handle(args, call), callId], ...call.followUps);
    } catch (error) {
      if (error instanceof MethodError) responses.push(['error', error.response, callId]);
      else {
        context.log.error('jmap', `${name}: ${(error as Error).stack ?? error}`, { user: user.address });
        responses.push(['error', { type: 'serverFail', description: 'the server failed on this call; the error is in the LanPost log' }, callId]);
      }
    }
  }
  return {
    methodResponses: responses,
    ...(request.createdIds ? { createdIds: Object.fromEntries(createdIds) } : {}),
    sessionState: sessionStateOf(user),
  };
}

// JMAP's routes on the LAN web service, HTTPS only: the session resource (RFC 8620 §2.2, at
// /.well-known/jmap), the API endpoint (§3.1), bearer tokens for a Basic login, and per account
// the requests it may run at once.
import type { EngineContext } from '../context.js';
import { json, reply, WebError, type WebReply } from '../web/replies.js';
import type { WebRequest } from '../web/request.js';
import type { WebRoute } from '../web/router.js';
import { JmapAuth, TOKEN_SECONDS } from './auth.js';
import { parseRequest, runRequest } from './dispatcher.js';
import { RequestError } from './protocol.js';
import { API_PATH, sessionResource } from './session.js';

/** What JMAP keeps per engine: logins and tokens, and the API requests running now by user id (maxConcurrentRequests). */
interface Endpoint {
  auth: JmapAuth;
  running: Map<number, number>;
}

const endpoints = new WeakMap<EngineContext, Endpoint>();

function endpoint(context: EngineContext): Endpoint {
  let found = endpoints.get(context);
  if (!found) endpoints.set(context, (found = { auth: new JmapAuth(context), running: new Map() }));
  return found;
}

function auth(context: EngineContext): JmapAuth {
  return endpoint(context).auth;
}

/** The scheme, host and port the client used, for the URLs in the session resource. */
function originOf(request: WebRequest, context: EngineContext): string {
  const port = context.listeningPort('https');
  const host = request.host.includes(':') && !request.host.startsWith('[') ? `[${request.host}]` : request.host;
  return `https://${host}${port === 443 || port === null ? '' : `:${port}`}`;
}

function problem(error: RequestError): WebReply {
  return reply(error.status, 'application/problem+json', JSON.stringify(error.problem));
}

async function session(request: WebRequest, context: EngineContext): Promise<WebReply> {
  const user = await auth(context).user(request);
  return json(sessionResource(user, context.settings(), originOf(request, context)));
}

async function api(request: WebRequest, context: EngineContext): Promise<WebReply> {
  const user = await auth(context).user(request);
  const limits = context.settings().limits;
  const { running } = endpoint(context);
  const now = running.get(user.id) ?? 0;
  if (now >= limits.jmapConcurrentRequests) {
    return problem(new RequestError('limit', 400, `${now} requests of this account are running; at most ${limits.jmapConcurrentRequests} at once (limits.jmapConcurrentRequests)`, { limit: 'maxConcurrentRequests' }));
  }
  running.set(user.id, now + 1);
  try {
    let body: Buffer;
    try {
      body = await request.body({ bytes: limits.jmapRequestBytes, setting: 'limits.jmapRequestBytes' });
    } catch (error) {
      if (error instanceof WebError && error.status === 413) throw new RequestError('limit', 400, error.message, { limit: 'maxSizeRequest' });
      throw error;
    }
    const parsed = parseRequest(body, limits.jmapCallsPerRequest);
    return json(await runRequest(parsed, user, context));
  } catch (error) {
    if (error instanceof RequestError) return problem(error);
    throw error;
  } finally {
    const left = (running.get(user.id) ?? 1) - 1;
    if (left) running.set(user.id, left);
    else running.delete(user.id);
  }
}

async function token(request: WebRequest, context: EngineContext): Promise<WebReply> {
  const accessToken = await auth(context).issueToken(request);
  return json({ accessToken, tokenType: 'Bearer', expiresIn: TOKEN_SECONDS });
}

export const jmapRoutes: WebRoute[] = [
  { methods: ['POST'], path: '/jmap/token', httpsOnly: true, handle: token },
  { methods: ['GET'], path: '/.well-known/jmap', httpsOnly: true, handle: session },
  { methods: ['POST'], path: API_PATH, httpsOnly: true, handle: api },
];

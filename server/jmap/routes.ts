// JMAP's routes on the LAN web service, HTTPS only: the session resource (RFC 8620 §2.2, at
// /.well-known/jmap), the API endpoint (§3.1), push (§7.3), bearer tokens for a Basic login, and
// the blob routes (blob-routes.ts).
import type { EngineContext } from '../context.js';
import { json, WebError, type WebReply } from '../web/replies.js';
import type { WebRequest } from '../web/request.js';
import type { WebRoute } from '../web/router.js';
import { TOKEN_SECONDS } from './auth.js';
import { blobRoutes } from './blob-routes.js';
import { auth, endpoint, problem, withSlot } from './endpoint.js';
import { parseRequest, runRequest } from './dispatcher.js';
import { RequestError } from './protocol.js';
import { PUSH_TYPES } from './push.js';
import { API_PATH, EVENT_SOURCE_PATH, sessionResource } from './session.js';

/** The scheme, host and port the client used, for the URLs in the session resource. */
function originOf(request: WebRequest, context: EngineContext): string {
  const port = context.listeningPort('https');
  const host = request.host.includes(':') && !request.host.startsWith('[') ? `[${request.host}]` : request.host;
  return `https://${host}${port === 443 || port === null ? '' : `:${port}`}`;
}


async function session(request: WebRequest, context: EngineContext): Promise<WebReply> {
  const user = await auth(context).user(request);
  return json(sessionResource(user, context.settings(), originOf(request, context)));
}

async function api(request: WebRequest, context: EngineContext): Promise<WebReply> {
  const user = await auth(context).user(request);
  const limits = context.settings().limits;
  try {
    return await withSlot(context, user, async () => {
      let body: Buffer;
      try {
        body = await request.body({ bytes: limits.jmapRequestBytes, setting: 'limits.jmapRequestBytes' });
      } catch (error) {
        if (error instanceof WebError && error.status === 413) throw new RequestError('limit', 400, error.message, { limit: 'maxSizeRequest' });
        throw error;
      }
      const answer = await runRequest(parseRequest(body, limits.jmapCallsPerRequest), user, context, request.client);
      // a rename or a subscription changes the state without the store announcing it
      endpoint(context).push.notify(user.id);
      return json(answer);
    });
  } catch (error) {
    if (error instanceof RequestError) return problem(error);
    throw error;
  }
}

/** §7.3: GET /jmap/eventsource?types=…&closeafter=state|no&ping=N, a text/event-stream of StateChange events. */
async function eventSource(request: WebRequest, context: EngineContext): Promise<WebReply> {
  const user = await auth(context).user(request);
  const query = request.url.searchParams;
  const asked = query.get('types') ?? '*';
  const types = new Set(asked === '*' ? PUSH_TYPES : asked.split(',').map((t) => t.trim()));
  const closeafter = query.get('closeafter') ?? 'no';
  if (closeafter !== 'state' && closeafter !== 'no') throw new WebError(400, 'Bad Request: closeafter is "state" or "no"');
  const ping = Number(query.get('ping') ?? '0');
  if (!Number.isInteger(ping) || ping < 0) throw new WebError(400, 'Bad Request: ping is a whole number of seconds');
  return {
    status: 200,
    headers: { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache, no-store' },
    body: '',
    stream: (response) => endpoint(context).push.open(user.id, response, types, closeafter === 'state', ping),
  };
}

async function token(request: WebRequest, context: EngineContext): Promise<WebReply> {
  const accessToken = await auth(context).issueToken(request);
  return json({ accessToken, tokenType: 'Bearer', expiresIn: TOKEN_SECONDS });
}

export const jmapRoutes: WebRoute[] = [
  { methods: ['POST'], path: '/jmap/token', httpsOnly: true, handle: token },
  { methods: ['GET'], path: '/.well-known/jmap', httpsOnly: true, handle: session },
  { methods: ['POST'], path: API_PATH, httpsOnly: true, handle: api },
  ...blobRoutes,
  { methods: ['GET'], path: EVENT_SOURCE_PATH, httpsOnly: true, handle: eventSource },
];

// JMAP's routes on the LAN web service, HTTPS only: the session resource (RFC 8620 §2.2, at
// /.well-known/jmap), the API endpoint (§3.1), uploads and downloads (§6), bearer tokens for a Basic login, and per account
// the requests it may run at once.
import type { EngineContext } from '../context.js';
import { json, reply, WebError, type WebReply } from '../web/replies.js';
import type { WebRequest } from '../web/request.js';
import type { WebRoute } from '../web/router.js';
import { JmapAuth, TOKEN_SECONDS } from './auth.js';
import { parseRequest, runRequest } from './dispatcher.js';
import { RequestError } from './protocol.js';
import { PushHub, PUSH_TYPES } from './push.js';
import { API_PATH, DOWNLOAD_PATH, EVENT_SOURCE_PATH, sessionResource, UPLOAD_PATH } from './session.js';
import { readBlob, storeUpload } from './blobs.js';
import { accountIdOf, MethodCall } from './call.js';
import type { User } from '../accounts/accounts.js';

/** What JMAP keeps per engine: logins and tokens, and the API requests running now by user id (maxConcurrentRequests). */
interface Endpoint {
  auth: JmapAuth;
  running: Map<number, number>;
  push: PushHub;
}

const endpoints = new WeakMap<EngineContext, Endpoint>();

function endpoint(context: EngineContext): Endpoint {
  let found = endpoints.get(context);
  if (!found) endpoints.set(context, (found = { auth: new JmapAuth(context), running: new Map(), push: new PushHub(context) }));
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
    const answer = await runRequest(parsed, user, context, request.client);
    // a rename or a subscription changes the state without the store announcing it
    endpoint(context).push.notify(user.id);
    return json(answer);
  } catch (error) {
    if (error instanceof RequestError) return problem(error);
    throw error;
  } finally {
    const left = (running.get(user.id) ?? 1) - 1;
    if (left) running.set(user.id, left);
    else running.delete(user.id);
  }
}

/** A MethodCall outside of an API request (uploads, downloads). */
function callFor(user: User, context: EngineContext, client: string): MethodCall {
  const limits = context.settings().limits;
  return new MethodCall(context, user, accountIdOf(user), { maxObjects: limits.jmapObjectsPerCall, maxSizeUpload: limits.messageSizeBytes }, new Map(), '', client);
}

/** The path's parts after a prefix: /jmap/download/A1/Mx/name → ['A1', 'Mx', 'name']. */
function pathParts(request: WebRequest, prefix: string): string[] {
  return request.url.pathname.slice(prefix.length).split('/').map((part) => {
    try {
      return decodeURIComponent(part);
    } catch {
      throw new WebError(400, 'Bad Request: the path is not valid percent-encoding');
    }
  });
}

function checkAccount(user: User, accountId: string | undefined): void {
  if (accountId !== accountIdOf(user)) throw new WebError(404, `Not Found: no account ${JSON.stringify(accountId ?? '')} here; yours is ${accountIdOf(user)}`);
}

/** §6.1: POST /jmap/upload/{accountId}/ with the bytes; the blob id, type and size back. */
async function upload(request: WebRequest, context: EngineContext): Promise<WebReply> {
  const user = await auth(context).user(request);
  const [accountId] = pathParts(request, UPLOAD_PATH);
  checkAccount(user, accountId);
  const maxBytes = context.settings().limits.messageSizeBytes;
  let content: Buffer;
  try {
    content = await request.body({ bytes: maxBytes, setting: 'limits.messageSizeBytes' });
  } catch (error) {
    if (error instanceof WebError && error.status === 413) {
      return reply(413, 'application/problem+json', JSON.stringify({ type: 'urn:ietf:params:jmap:error:limit', limit: 'maxSizeUpload', status: 413, detail: error.message }));
    }
    throw error;
  }
  const blobId = storeUpload(context.dataDir, user.id, content);
  const type = (request.headers['content-type'] ?? 'application/octet-stream').split(';')[0]!.trim().toLowerCase();
  return reply(201, 'application/json; charset=utf-8', JSON.stringify({ accountId, blobId, type, size: content.length }));
}

/** A media type as a client may ask for it; anything else is sent as application/octet-stream. */
const MEDIA_TYPE = /^[a-z0-9][a-z0-9!#$&^_.+-]*\/[a-z0-9][a-z0-9!#$&^_.+-]*$/i;

/** §6.2: GET /jmap/download/{accountId}/{blobId}/{name}?type=…, always as an attachment. */
async function download(request: WebRequest, context: EngineContext): Promise<WebReply> {
  const user = await auth(context).user(request);
  const [accountId, blobId, name] = pathParts(request, DOWNLOAD_PATH);
  checkAccount(user, accountId);
  const content = blobId ? await readBlob(callFor(user, context, request.client), blobId) : null;
  if (!content) throw new WebError(404, `Not Found: no blob ${JSON.stringify(blobId ?? '')} in this account`);
  const asked = request.url.searchParams.get('type') ?? '';
  const type = MEDIA_TYPE.test(asked) ? asked.toLowerCase() : 'application/octet-stream';
  const fileName = name || 'download';
  const ascii = fileName.replace(/[^\x20-\x7e]|["\\]/g, '_');
  // RFC 6266 §4.3: the name in UTF-8 for those who read filename*, a plain one for the others
  return reply(200, type, content, { 'content-disposition': `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(fileName)}`, 'cache-control': 'private, immutable, max-age=31536000' });
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
  { methods: ['POST'], path: UPLOAD_PATH, prefix: true, httpsOnly: true, handle: upload },
  { methods: ['GET'], path: DOWNLOAD_PATH, prefix: true, httpsOnly: true, handle: download },
  { methods: ['GET'], path: EVENT_SOURCE_PATH, httpsOnly: true, handle: eventSource },
];

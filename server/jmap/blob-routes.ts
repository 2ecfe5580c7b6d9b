// Blob routes (RFC 8620 §6.1, §6.2): uploads into the account (as many at once as API requests,
// up to limits.messageSizeBytes each) and downloads of any blob of the account, always as an
// attachment with the name and type asked for.
import type { User } from '../accounts/accounts.js';
import type { EngineContext } from '../context.js';
import { reply, WebError, type WebReply } from '../web/replies.js';
import type { WebRequest } from '../web/request.js';
import type { WebRoute } from '../web/router.js';
import { readBlob, storeUpload } from './blobs.js';
import { accountIdOf, MethodCall } from './call.js';
import { auth, problem, withSlot } from './endpoint.js';
import { RequestError } from './protocol.js';
import { DOWNLOAD_PATH, UPLOAD_PATH } from './session.js';

/** A MethodCall outside of an API request (uploads, downloads). */
function callFor(user: User, context: EngineContext, client: string): MethodCall {
  return new MethodCall(context, user, accountIdOf(user), new Map(), '', client);
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
  try {
    return await withSlot(context, user, async () => {
      let content: Buffer;
      try {
        content = await request.body({ bytes: maxBytes, setting: 'limits.messageSizeBytes' });
      } catch (error) {
        if (error instanceof WebError && error.status === 413) throw new RequestError('limit', 413, error.message, { limit: 'maxSizeUpload' });
        throw error;
      }
      // below the free-space floor nothing new is written, as SMTP answers 452 and IMAP APPEND OVERQUOTA
      if (context.disk.refuses(content.length)) throw new WebError(507, 'Insufficient Storage: the server\'s disk is nearly full (limits.minFreeDiskBytes)');
      const blobId = storeUpload(context.dataDir, user.id, content);
      const type = (request.headers['content-type'] ?? 'application/octet-stream').split(';')[0]!.trim().toLowerCase();
      return reply(201, 'application/json; charset=utf-8', JSON.stringify({ accountId, blobId, type, size: content.length }));
    });
  } catch (error) {
    if (error instanceof RequestError) return problem(error);
    throw error;
  }
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

export const blobRoutes: WebRoute[] = [
  { methods: ['POST'], path: UPLOAD_PATH, prefix: true, httpsOnly: true, handle: upload },
  { methods: ['GET'], path: DOWNLOAD_PATH, prefix: true, httpsOnly: true, handle: download },
];

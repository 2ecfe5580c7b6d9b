// The LAN web service's routes as a table, and the dispatch of a request to one of them: plain
// HTTP redirects to HTTPS except the routes clients fetch over plain HTTP, a path matches one
// route (exactly, or in any letter case where the route says so), a wrong method gets 405, and
// everything else is the landing page's files or 404. Later parts (JMAP, the webmail) add routes.
import type { EngineContext } from '../context.js';
import { redirect, text, WebError, type WebReply } from './replies.js';
import type { WebRequest } from './request.js';

export interface WebRoute {
  /** GET includes HEAD. */
  methods: readonly string[];
  /** The path, without the query. */
  path: string;
  /** Every path under `path` (which ends in "/") is this route's: /jmap/download/{accountId}/{blobId}/{name}. */
  prefix?: boolean;
  /** Matched in any letter case (Outlook writes /Autodiscover/Autodiscover.xml, /autodiscover/autodiscover.xml, …). */
  anyCase?: boolean;
  /** Also answered over plain HTTP (what clients fetch that way); other routes redirect to HTTPS. */
  plainHttp?: boolean;
  /** Never over plain HTTP, not even as a redirect (a client that sent a password in the clear is told so, not sent on). */
  httpsOnly?: boolean;
  handle(request: WebRequest, context: EngineContext): WebReply | Promise<WebReply>;
}

/** What answers a path no route has (the landing page's files), or null for 404. */
export type Fallback = (request: WebRequest) => WebReply | null;

export function findRoute(routes: readonly WebRoute[], pathname: string): WebRoute | undefined {
  return routes.find((route) => route.path === pathname || (route.prefix && pathname.startsWith(route.path)) || (route.anyCase && route.path.toLowerCase() === pathname.toLowerCase()));
}

export async function dispatch(routes: readonly WebRoute[], fallback: Fallback, request: WebRequest, context: EngineContext): Promise<WebReply> {
  const route = findRoute(routes, request.url.pathname);
  if (!request.secure && route?.httpsOnly) throw new WebError(403, `Forbidden: ${request.url.pathname} is only served over HTTPS; anything sent here in the clear (a password) should be changed`);
  if (!request.secure && !route?.plainHttp) {
    const httpsPort = context.listeningPort('https');
    if (httpsPort !== null) return redirect(request.method, `https://${request.host}${httpsPort === 443 ? '' : `:${httpsPort}`}${request.url.pathname}${request.url.search}`);
  }
  if (!route) {
    const methods = ['GET', 'HEAD'];
    if (!methods.includes(request.method)) throw new WebError(405, `Method Not Allowed: only ${methods.join(' and ')} here`, { allow: methods.join(', ') });
    return fallback(request) ?? text(404, `Not Found: nothing at ${request.url.pathname} on this server`);
  }
  // RFC 9110 §9.3.2: HEAD is GET without the body (Node leaves the body out).
  if (!route.methods.includes(request.method === 'HEAD' ? 'GET' : request.method)) {
    throw new WebError(405, `Method Not Allowed: ${request.url.pathname} takes ${route.methods.join(' or ')}`, { allow: route.methods.join(', ') });
  }
  return route.handle(request, context);
}

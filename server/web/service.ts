// The LAN web service: node:http on `http` (80) and node:https on `https` (443) with the server
// certificate (renewed or imported: new connections get the new one). Each connection is
// admitted by the engine's guard like a mail connection; the limits come from the settings; a
// malformed request gets a 4xx with a sentence and the service goes on. A separate listener from
// the admin API, which shares nothing with it (DESIGN.md: two HTTP surfaces, never mixed).
import http from 'node:http';
import https from 'node:https';
import type net from 'node:net';
import type { EngineContext, Service } from '../context.js';
import { plainAddress } from '../net/interfaces.js';
import { listenTcp, type ServiceStatus } from '../net/listener.js';
import type { ServiceName } from '../settings/schema.js';
import { SECURITY_HEADERS, text, WebError, type WebReply } from './replies.js';
import { webRequest } from './request.js';
import { dispatch, type Fallback } from './router.js';
import { WEB_ROUTES } from './routes.js';
import { landingPageFiles } from './static.js';

/** An idle keep-alive connection is closed after this (Node's default). */
const KEEP_ALIVE_MS = 5000;
/** A connection over the limits is answered 503 at its first request, or closed after this. */
const REFUSED_LINGER_MS = 5000;
/** How long open requests have to finish when the service stops. */
const SHUTDOWN_GRACE_MS = 3000;

export function createWebService(context: EngineContext, name: ServiceName): Service {
  return new WebService(context, name);
}

class WebService implements Service {
  private server: http.Server | null = null;
  /** Connections over a limit, by "address port" (the same for the TLS socket of a raw one). */
  private readonly refused = new Set<string>();
  /** Replies that go on (event streams): ended when the service stops, instead of waiting out the grace time. */
  private readonly streams = new Set<http.ServerResponse>();
  private readonly secure: boolean;
  private readonly fallback: Fallback = landingPageFiles();
  private readonly onCertificate = () => (this.server as https.Server | null)?.setSecureContext(this.context.tls.pem);

  constructor(
    private readonly context: EngineContext,
    readonly name: ServiceName,
  ) {
    this.secure = name === 'https';
  }

  start(): Promise<ServiceStatus> {
    const { address, port } = this.context.settings().services[this.name];
    const limits = this.context.settings().limits;
    const timeoutMs = limits.webRequestTimeoutSeconds * 1000;
    const options: http.ServerOptions = {
      maxHeaderSize: limits.webHeaderBytes,
      requestTimeout: timeoutMs,
      headersTimeout: timeoutMs,
      keepAliveTimeout: KEEP_ALIVE_MS,
      connectionsCheckingInterval: Math.min(timeoutMs, 30_000),
    };
    const onRequest = (request: http.IncomingMessage, response: http.ServerResponse) => void this.answer(request, response);
    const server = this.secure
      ? https.createServer({ ...options, ...this.context.tls.pem, handshakeTimeout: timeoutMs }, onRequest)
      : http.createServer(options, onRequest);
    server.on('connection', (socket: net.Socket) => this.admit(socket));
    server.on('clientError', (error: NodeJS.ErrnoException, socket: net.Socket) => this.clientError(error, socket));
    server.on('tlsClientError', () => {}); // a client that gives up on the certificate: nothing to say
    server.on('error', (error) => this.context.log.error(this.name, error.message));
    if (this.secure) this.context.tls.on('change', this.onCertificate);
    this.server = server;
    return listenTcp(server, this.name, address, port);
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (!server) return;
    this.context.tls.off('change', this.onCertificate);
    for (const stream of this.streams) stream.end();
    const closed = new Promise<void>((resolve) => (server.listening ? server.close(() => resolve()) : resolve()));
    server.closeIdleConnections();
    const grace = setTimeout(() => server.closeAllConnections(), SHUTDOWN_GRACE_MS);
    await closed;
    clearTimeout(grace);
  }

  /** Counted from the TCP connection on, before any TLS: limits.connectionsPerClient and connectionsTotal, with the mail services. */
  private admit(socket: net.Socket): void {
    const client = plainAddress(socket.remoteAddress ?? '');
    const key = `${socket.remoteAddress} ${socket.remotePort}`;
    const admission = this.context.admission.admit(this.name, client);
    if (admission.ok) {
      socket.once('close', () => admission.release());
      return;
    }
    this.refused.add(key);
    socket.once('close', () => this.refused.delete(key));
    socket.setTimeout(REFUSED_LINGER_MS, () => socket.destroy());
  }

  private async answer(message: http.IncomingMessage, response: http.ServerResponse): Promise<void> {
    let answer: WebReply;
    try {
      if (this.refused.has(`${message.socket.remoteAddress} ${message.socket.remotePort}`)) {
        response.shouldKeepAlive = false;
        answer = text(503, 'Service Unavailable: too many connections from your address or in all; close some and try again', { 'retry-after': '10' });
      } else {
        const request = webRequest(message, this.secure, this.context.settings().limits.webBodyBytes);
        answer = await dispatch(WEB_ROUTES, this.fallback, request, this.context);
      }
    } catch (error) {
      if (error instanceof WebError) answer = text(error.status, error.message, error.headers);
      else {
        this.context.log.error(this.name, `${message.method} ${message.url}: ${(error as Error).stack ?? error}`, { client: plainAddress(message.socket.remoteAddress ?? '') });
        answer = text(500, 'Internal Server Error: the error is in the LanPost log');
      }
    }
    if (response.headersSent || response.destroyed) return;
    if (answer.stream) {
      response.writeHead(answer.status, { ...SECURITY_HEADERS, ...answer.headers });
      this.streams.add(response);
      response.on('close', () => this.streams.delete(response));
      return answer.stream(response);
    }
    response.writeHead(answer.status, { ...SECURITY_HEADERS, ...answer.headers, 'content-length': Buffer.byteLength(answer.body) });
    response.end(answer.body);
  }

  /** Malformed HTTP, headers over the limit, a request too slow: a status line and a sentence, then the connection closes. */
  private clientError(error: NodeJS.ErrnoException, socket: net.Socket): void {
    if (error.code === 'ECONNRESET' || !socket.writable) return void socket.destroy();
    const limits = this.context.settings().limits;
    const [status, message] =
      error.code === 'HPE_HEADER_OVERFLOW'
        ? ['431 Request Header Fields Too Large', `the request line and header fields are larger than limits.webHeaderBytes (${limits.webHeaderBytes} bytes)`]
        : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
          ? ['408 Request Timeout', `the request did not arrive whole within limits.webRequestTimeoutSeconds (${limits.webRequestTimeoutSeconds} s)`]
          : ['400 Bad Request', `the request is not valid HTTP/1.1 (${error.code ?? error.message})`];
    const body = `${status.slice(4)}: ${message}\n`;
    socket.end(`HTTP/1.1 ${status}\r\ncontent-type: text/plain; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`);
  }
}

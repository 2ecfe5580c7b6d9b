// A request to the LAN web service as its handlers see it: method, path and query, the host name
// asked for, the client, and the body read with the size limit.
import type http from 'node:http';
import { plainAddress } from '../net/interfaces.js';
import { WebError } from './replies.js';

export interface WebRequest {
  readonly method: string;
  /** Path and query as sent (the host part is not trusted: see `host`). */
  readonly url: URL;
  /** The host name of the Host header, lower case, without the port ("autoconfig.lanpost.lan", "192.168.1.20", "[fd00::1]"). */
  readonly host: string;
  /** Over HTTPS. */
  readonly secure: boolean;
  /** The client's address (IPv4-mapped IPv6 as plain IPv4). */
  readonly client: string;
  readonly headers: http.IncomingHttpHeaders;
  /** The body, at most limits.webBodyBytes (or the route's own limit, named by `setting`): a larger one is read to its end (so the client hears why) and refused with 413. */
  body(limit?: { bytes: number; setting: string }): Promise<Buffer>;
}

const HOST_HEADER = /^(\[[0-9a-f:.]+\]|[a-z0-9_-]+(?:\.[a-z0-9_-]+)*\.?)(?::(\d{1,5}))?$/i;

export function webRequest(message: http.IncomingMessage, secure: boolean, maxBodyBytes: number): WebRequest {
  const hostHeader = HOST_HEADER.exec(message.headers.host ?? '');
  // RFC 9112 §3.2: a request without a valid Host header is answered with 400.
  if (!hostHeader) throw new WebError(400, `Bad Request: the Host header ${JSON.stringify(message.headers.host ?? '')} is not a host name or address`);
  const target = message.url ?? '';
  if (!target.startsWith('/') && !/^https?:\/\//i.test(target)) throw new WebError(400, `Bad Request: ${JSON.stringify(target.slice(0, 100))} is not a path`);
  let url: URL;
  try {
    url = new URL(target, 'http://request.invalid');
  } catch {
    throw new WebError(400, 'Bad Request: the path cannot be read');
  }
  return {
    method: message.method ?? 'GET',
    url,
    host: hostHeader[1]!.toLowerCase().replace(/\.$/, ''),
    secure,
    client: plainAddress(message.socket.remoteAddress ?? ''),
    headers: message.headers,
    body: (limit = { bytes: maxBodyBytes, setting: 'limits.webBodyBytes' }) => readBody(message, limit),
  };
}

function readBody(message: http.IncomingMessage, limit: { bytes: number; setting: string }): Promise<Buffer> {
  const maxBytes = limit.bytes;
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let total = 0;
    message.on('data', (chunk: Buffer) => {
      total += chunk.length;
      if (total <= maxBytes) chunks.push(chunk);
    });
    message.on('end', () => {
      if (total > maxBytes) reject(new WebError(413, `Content Too Large: the request body has ${total} bytes, more than ${limit.setting} (${maxBytes})`));
      else resolve(Buffer.concat(chunks));
    });
    message.on('error', reject);
  });
}

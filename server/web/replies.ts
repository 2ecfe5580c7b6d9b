// The answers of the LAN web service, built by small helpers: a handler returns one of these and
// the router writes it with the security headers every answer carries.
import type http from 'node:http';
import { PAGE_HEADERS } from '../built-pages.js';

export interface WebReply {
  status: number;
  headers: Record<string, string>;
  body: string | Buffer;
  /** A reply that goes on (an event stream): after the head, the handler writes to the response itself and ends it. */
  stream?: (response: http.ServerResponse) => void;
}

/** A request the service cannot answer as asked: the status and a sentence for people. */
export class WebError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'WebError';
  }
}

/**
 * Every answer: no script, style or image from anywhere but this service, no frames, no forms
 * sent elsewhere, no inline script (the landing page's script is a file of its own).
 */
export const SECURITY_HEADERS: Record<string, string> = {
  'content-security-policy': [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "connect-src 'self'",
    "form-action 'self'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
  ].join('; '),
  ...PAGE_HEADERS,
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
};

export function reply(status: number, contentType: string, body: string | Buffer, headers: Record<string, string> = {}): WebReply {
  return { status, headers: { 'content-type': contentType, 'cache-control': 'no-store', ...headers }, body };
}

export function xml(body: string, status = 200): WebReply {
  return reply(status, 'application/xml; charset=utf-8', body);
}

export function json(value: unknown): WebReply {
  return reply(200, 'application/json; charset=utf-8', JSON.stringify(value));
}

/** A sentence for people (errors, refusals). */
export function text(status: number, message: string, headers: Record<string, string> = {}): WebReply {
  return reply(status, 'text/plain; charset=utf-8', `${message}\n`, headers);
}

/** A file to save (profile, CA certificate): `filename` is kept to safe characters. */
export function download(filename: string, contentType: string, body: string | Buffer): WebReply {
  return reply(200, contentType, body, { 'content-disposition': `attachment; filename="${filename.replace(/[^\w.@-]/g, '_')}"` });
}

/** 301 keeps GET and HEAD; 308 keeps any other method and its body (RFC 9110 §15.4.9). */
export function redirect(method: string, location: string): WebReply {
  const status = method === 'GET' || method === 'HEAD' ? 301 : 308;
  return text(status, `moved to ${location}`, { location });
}

/** After a form: the browser fetches `location` with GET (RFC 9110 §15.4.4). */
export function seeOther(location: string): WebReply {
  return text(303, `see ${location}`, { location });
}

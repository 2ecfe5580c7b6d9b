// Talking to the LAN web service of a test engine like a device on the LAN would, but on
// loopback: the Host header and the TLS server name (SNI) say which host is meant
// (autoconfig.<domain>, mail.<domain>, …), and HTTPS is verified against the engine's own CA.
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import path from 'node:path';
import type { TestEngine } from './engine.js';

export interface WebAnswer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  text: string;
}

export interface WebOptions {
  /** The host name asked for (Host header and SNI); mail.<domain> when not given. */
  host?: string;
  method?: string;
  body?: string | Buffer;
  headers?: Record<string, string>;
}

export function caPem(test: TestEngine): string {
  return fs.readFileSync(path.join(test.dataDir, 'tls', 'ca.crt'), 'utf8');
}

export function web(test: TestEngine, scheme: 'http' | 'https', pathname: string, options: WebOptions = {}): Promise<WebAnswer> {
  const host = options.host ?? `mail.${test.domain}`;
  const port = test.port(scheme);
  const request = {
    host: '127.0.0.1',
    port,
    path: pathname,
    method: options.method ?? (options.body === undefined ? 'GET' : 'POST'),
    // Node sends a DELETE's body without a length unless told
    headers: { host: `${host}:${port}`, ...(options.body === undefined ? {} : { 'content-length': String(Buffer.byteLength(options.body)) }), ...options.headers },
    timeout: 20_000,
    agent: false,
    ...(scheme === 'https' ? { servername: net.isIP(host) ? undefined : host, ca: caPem(test) } : {}),
  };
  return new Promise((resolve, reject) => {
    const sent = (scheme === 'https' ? https : http).request(request, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => {
        const body = Buffer.concat(chunks);
        resolve({ status: response.statusCode ?? 0, headers: response.headers, body, text: body.toString('utf8') });
      });
      response.on('error', reject);
    });
    sent.on('timeout', () => sent.destroy(new Error('timeout')));
    sent.on('error', reject);
    sent.end(options.body);
  });
}

/** Raw bytes to a port, and whatever comes back until the server closes (bounded). */
export function rawExchange(port: number, bytes: string | Buffer, timeoutMs = 15_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    let answer = '';
    socket.setTimeout(timeoutMs, () => socket.destroy(new Error(`no close within ${timeoutMs} ms; got ${JSON.stringify(answer.slice(0, 200))}`)));
    socket.on('data', (chunk) => (answer += chunk.toString('utf8')));
    socket.on('close', () => resolve(answer));
    socket.on('error', reject);
    socket.write(bytes);
  });
}

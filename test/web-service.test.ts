// The LAN web service as a service: nothing of the admin API (paths, Host headers, methods, the
// token, the WebSocket, the window's files) is reachable through it; malformed HTTP, oversized
// headers, slow requests and too many connections get a 4xx/5xx with words and the service goes
// on; a port in use or refused is diagnosed with its fix, like the mail services'.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { adminBase } from './helpers/admin.js';
import { LANPOST_BIN } from './helpers/cli.js';
import { changeSettings, prepareDataDir, startTestEngine, tempDataDir, type TestEngine } from './helpers/engine.js';
import { ensureRendererBuilt } from './helpers/renderer-build.js';
import { caPem, rawExchange, web } from './helpers/web.js';

let test: TestEngine;
const domain = 'lanpost.lan';

beforeAll(async () => {
  await ensureRendererBuilt();
  test = await startTestEngine();
});
afterAll(async () => {
  await test?.stop();
});

const stillServing = async () => {
  const answer = await web(test, 'http', '/mail/config-v1.1.xml', { host: `autoconfig.${domain}` });
  expect(answer.status).toBe(200);
};

describe('the admin API is not reachable through the LAN web service', () => {
  it('answers no admin path, whatever the Host header, the method or the token', async () => {
    const adminHost = new URL(adminBase(test)).host;
    const token = { authorization: `Bearer ${test.engine.adminToken}` };
    // The admin API answers these (so they are the right paths and token)...
    expect((await fetch(`${adminBase(test)}/api/overview`, { headers: token })).status).toBe(200);
    const paths = ['/api/overview', '/api/users', '/api/settings', '/api/certificate/ca.crt', `/api/users/admin%40${domain}/mobileconfig`, '/api/events', '/api/', '/API/OVERVIEW'];
    const hosts = [adminHost, `localhost:${adminHost.split(':')[1]}`, `mail.${domain}`, '127.0.0.1'];
    let asked = 0;
    for (const scheme of ['http', 'https'] as const) {
      for (const pathname of paths) {
        for (const host of hosts) {
          for (const method of ['GET', 'POST', 'PATCH', 'DELETE']) {
            const answer = await web(test, scheme, pathname, { method, headers: { ...token, host, 'content-type': 'application/json' }, body: method === 'GET' ? undefined : '{}' });
            asked++;
            const what = `${method} ${scheme}://${host}${pathname}`;
            // ...the LAN service only redirects to itself (HTTP), or has nothing there.
            if (scheme === 'http') expect([301, 308], what).toContain(answer.status);
            else expect([404, 405], what).toContain(answer.status);
            expect(answer.headers['content-type'], what).toBe('text/plain; charset=utf-8');
            expect(answer.text, what).not.toMatch(/"services"|"users"|"settings"|BEGIN CERTIFICATE|<div id="root">/);
          }
        }
      }
    }
    expect(asked).toBe(2 * paths.length * hosts.length * 4);
  });

  it('opens no WebSocket for the live events, with or without the token', async () => {
    for (const scheme of ['ws', 'wss'] as const) {
      for (const protocols of [['lanpost.v1', `token.${test.engine.adminToken}`], []]) {
        const port = test.port(scheme === 'ws' ? 'http' : 'https');
        const socket = new WebSocket(`${scheme}://127.0.0.1:${port}/api/events`, protocols, { ca: caPem(test), handshakeTimeout: 10_000 });
        const outcome = await new Promise<string>((resolve) => {
          socket.once('open', () => resolve('opened'));
          socket.once('unexpected-response', (_request, response) => resolve(`refused ${response.statusCode}`));
          socket.once('error', (error) => resolve(`error ${error.message}`));
        });
        socket.terminate();
        expect(outcome).toBe(scheme === 'ws' ? 'refused 301' : 'refused 404');
      }
    }
  });

  it("serves the landing page's files, and none of the window's", async () => {
    const dist = path.join(import.meta.dirname, '..', 'renderer', 'dist');
    const windowAssets = fs.readdirSync(path.join(dist, 'assets'));
    const landingAssets = fs.readdirSync(path.join(dist, 'lan', 'assets'));
    expect(windowAssets.length).toBeGreaterThan(0);
    for (const name of windowAssets) expect((await web(test, 'https', `/assets/${name}`)).status, name).toBe(404);
    for (const name of landingAssets) expect((await web(test, 'https', `/assets/${name}`)).status, name).toBe(200);
    expect((await web(test, 'https', '/lan/index.html')).status).toBe(404);
    for (const escape of ['/assets/..%2f..%2findex.html', '/assets/..%2F..%2F..%2Fpackage.json', '/%2e%2e/%2e%2e/package.json']) {
      expect((await web(test, 'https', escape)).status, escape).toBe(404);
    }
  });
});

describe('the landing page', () => {
  it('sends a strict Content-Security-Policy and nothing from outside', async () => {
    const page = await web(test, 'https', '/');
    expect(page.status).toBe(200);
    expect(page.headers['content-security-policy']).toBe(
      "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
    );
    expect(page.text).not.toMatch(/<script(?![^>]*\bsrc="\/assets\/)/); // no inline script
    expect(page.text).not.toMatch(/(src|href)="(https?:)?\/\//);
  });
});

describe('bad input gets a clear answer and the service keeps running', () => {
  it('answers malformed HTTP with 400, oversized headers with 431 and a bad Host with 400, in words', async () => {
    const http = test.port('http');
    expect(await rawExchange(http, 'NONSENSE\r\n\r\n')).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n[\s\S]*\r\n\r\nBad Request: the request is not valid HTTP\/1\.1 \(HPE_/);
    const big = await rawExchange(http, `GET / HTTP/1.1\r\nHost: mail.${domain}\r\nX-Big: ${'b'.repeat(20_000)}\r\n\r\n`);
    expect(big).toMatch(/^HTTP\/1\.1 431 Request Header Fields Too Large\r\n[\s\S]*\r\n\r\nRequest Header Fields Too Large: the request line and header fields are larger than limits\.webHeaderBytes \(16384 bytes\)\n$/);
    const badHost = await web(test, 'https', '/', { headers: { host: 'evil host/../x' } });
    expect(badHost.status).toBe(400);
    expect(badHost.text).toBe('Bad Request: the Host header "evil host/../x" is not a host name or address\n');
    const unknown = await web(test, 'https', '/nothing-here');
    expect(unknown.status).toBe(404);
    expect(unknown.text).toBe('Not Found: nothing at /nothing-here on this server\n');
    await stillServing();
  });

  it('answers a request that does not arrive whole within limits.webRequestTimeoutSeconds with 408', async () => {
    await changeSettings(test, (settings) => void (settings.limits.webRequestTimeoutSeconds = 1));
    try {
      const answer = await rawExchange(test.port('http'), `GET /mail/config-v1.1.xml HTTP/1.1\r\nHost: autoconfig.${domain}\r\nX-Half`);
      expect(answer).toMatch(/^HTTP\/1\.1 408 Request Timeout\r\n[\s\S]*Request Timeout: the request did not arrive whole within limits\.webRequestTimeoutSeconds \(1 s\)\n$/);
    } finally {
      await changeSettings(test, (settings) => void (settings.limits.webRequestTimeoutSeconds = 30));
    }
    await stillServing();
  });

  it('answers a connection over limits.connectionsPerClient with 503, and serves again once they close', async () => {
    await changeSettings(test, (settings) => void (settings.limits.connectionsPerClient = 3));
    const held: net.Socket[] = [];
    try {
      for (let i = 0; i < 3; i++) {
        const socket = net.connect(test.port('http'), '127.0.0.1');
        await new Promise((resolve) => socket.once('connect', resolve));
        held.push(socket);
      }
      const refused = await rawExchange(test.port('http'), `GET /onboarding.json HTTP/1.1\r\nHost: mail.${domain}\r\nConnection: close\r\n\r\n`);
      expect(refused).toMatch(/^HTTP\/1\.1 503 Service Unavailable\r\n[\s\S]*retry-after: 10\r\n[\s\S]*Service Unavailable: too many connections from your address or in all; close some and try again\n$/);
      expect(test.engine.context.log.recent().some((e) => e.source === 'http' && e.message.includes('limits.connectionsPerClient'))).toBe(true);
    } finally {
      for (const socket of held) socket.destroy();
      await changeSettings(test, (settings) => void (settings.limits.connectionsPerClient = 20));
    }
    await stillServing();
  });
});

describe('the listener', () => {
  it('says a port in use and how to fix it', async () => {
    const squatter = net.createServer();
    await new Promise<void>((resolve) => squatter.listen(0, '127.0.0.1', resolve));
    const taken = (squatter.address() as net.AddressInfo).port;
    try {
      await changeSettings(test, (settings) => void (settings.services.https.port = taken));
      const status = test.engine.status('https');
      expect(status.state).toBe('in-use');
      expect(status.detail).toMatch(new RegExp(`^port in use by node \\(pid ${process.pid}\\) — fix: stop node \\(pid ${process.pid}\\) or lanpost settings set services\\.https\\.port ${taken + 1}$`));
      // HTTP does not redirect to an HTTPS that does not listen
      expect((await web(test, 'http', '/')).status).toBe(200);
    } finally {
      squatter.close();
      await changeSettings(test, (settings) => void (settings.services.https.port = 0));
    }
    expect(test.engine.status('https').state).toBe('listening');
  });

  const canDropPrivileges = process.getuid?.() === 0 && spawnSync('setpriv', ['--version']).status === 0 && Number(fs.readFileSync('/proc/sys/net/ipv4/ip_unprivileged_port_start', 'utf8')) > 443;
  it.skipIf(!canDropPrivileges)('says "blocked: permission denied" with the fix for ports 80 and 443 without the privilege (run as nobody; needs root and setpriv)', async () => {
    const dataDir = tempDataDir();
    try {
      prepareDataDir(dataDir, (settings) => {
        settings.services.http.port = 80;
        settings.services.https.port = 443;
      });
      fs.chmodSync(dataDir, 0o777);
      fs.chmodSync(path.join(dataDir, 'settings.json'), 0o666);
      const child = spawn('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, LANPOST_BIN, 'serve', '--data', dataDir], {
        env: { ...process.env, HOME: dataDir },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => (output += chunk));
      child.stderr.on('data', (chunk: Buffer) => (output += chunk));
      const exited = new Promise((resolve) => child.once('exit', resolve));
      await expect.poll(() => output, { timeout: 45_000 }).toMatch(/^admin http/m);
      child.kill('SIGTERM');
      await exited;
      for (const [name, alternate] of [['http', 8080], ['https', 8443]] as const) {
        const line = output.split('\n').find((l) => l.startsWith(`${name} `));
        expect(line).toMatch(new RegExp(`^${name} 127\\.0\\.0\\.1:${name === 'http' ? 80 : 443} blocked: permission denied — fix: .*sysctl -w net\\.ipv4\\.ip_unprivileged_port_start=25, or lanpost settings set services\\.${name}\\.port ${alternate}$`));
      }
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

// The LAN web service under the load of an office arriving at once: Thunderbird autoconfig over
// HTTP and HTTPS (kept-alive connections), Outlook autodiscover POSTs, and a new TLS connection
// per request (the handshake is the cost of a device's first contact). Loopback only; figures,
// no verdict. npm run bench -- web [--requests=2000] [--concurrency=16]
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { startEngine } from '../server/engine.js';
import { loadSettings, saveSettings } from '../server/settings/file.js';
import { SERVICE_NAMES } from '../server/settings/schema.js';
import { AUTODISCOVER_PATH, OUTLOOK_SCHEMA, REQUEST_SCHEMA } from '../server/web/onboarding/autodiscover.js';

function option(options: string[], name: string, fallback: number): number {
  const found = options.find((o) => o.startsWith(`--${name}=`));
  return found ? Number(found.split('=')[1]) : fallback;
}

interface Load {
  scheme: 'http' | 'https';
  port: number;
  path: string;
  host: string;
  body?: string;
  keepAlive: boolean;
}

/** `requests` requests from `concurrency` clients; requests per second and the 50th/99th percentile latency. */
async function drive(load: Load, requests: number, concurrency: number, ca: string): Promise<{ perSecond: number; p50: number; p99: number }> {
  const module = load.scheme === 'https' ? https : http;
  const agent = new module.Agent({ keepAlive: load.keepAlive, maxSockets: concurrency });
  const once = () =>
    new Promise<void>((resolve, reject) => {
      const request = module.request(
        { host: '127.0.0.1', port: load.port, path: load.path, method: load.body ? 'POST' : 'GET', agent, headers: { host: load.host }, servername: load.host, ca },
        (response) => {
          response.resume();
          response.on('end', () => (response.statusCode === 200 ? resolve() : reject(new Error(`status ${response.statusCode}`))));
        },
      );
      request.on('error', reject);
      request.end(load.body);
    });
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < requests) {
        next++;
        const begin = performance.now();
        await once();
        latencies.push(performance.now() - begin);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const at = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))]!;
  return { perSecond: requests / seconds, p50: at(0.5), p99: at(0.99) };
}

export async function run(options: string[]): Promise<void> {
  const requests = option(options, 'requests', 2000);
  const concurrency = option(options, 'concurrency', 16);
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lanpost-bench-web-'));
  const { settings } = loadSettings(dataDir);
  for (const name of SERVICE_NAMES) settings.services[name] = { enabled: name === 'http' || name === 'https' || name === 'imaps' || name === 'smtps', address: '127.0.0.1', port: 0 };
  // the whole load comes from one address: let it in
  settings.limits.connectionsPerClient = concurrency * 2;
  saveSettings(dataDir, settings);
  const engine = await startEngine({ dataDir, print: null });
  const ca = fs.readFileSync(path.join(dataDir, 'tls', 'ca.crt'), 'utf8');
  const autoconfig = '/mail/config-v1.1.xml?emailaddress=bench%40lanpost.lan';
  const autodiscover = `<?xml version="1.0" encoding="utf-8"?><Autodiscover xmlns="${REQUEST_SCHEMA}"><Request><EMailAddress>bench@lanpost.lan</EMailAddress><AcceptableResponseSchema>${OUTLOOK_SCHEMA}</AcceptableResponseSchema></Request></Autodiscover>`;
  const loads: Array<[string, Load, number]> = [
    ['autoconfig, HTTP, kept alive', { scheme: 'http', port: engine.status('http').port, path: autoconfig, host: 'autoconfig.lanpost.lan', keepAlive: true }, requests],
    ['autoconfig, HTTPS, kept alive', { scheme: 'https', port: engine.status('https').port, path: autoconfig, host: 'autoconfig.lanpost.lan', keepAlive: true }, requests],
    ['autodiscover POST, HTTPS, kept alive', { scheme: 'https', port: engine.status('https').port, path: AUTODISCOVER_PATH, host: 'autodiscover.lanpost.lan', body: autodiscover, keepAlive: true }, requests],
    ['autoconfig, HTTPS, new TLS connection each', { scheme: 'https', port: engine.status('https').port, path: autoconfig, host: 'autoconfig.lanpost.lan', keepAlive: false }, Math.ceil(requests / 4)],
  ];
  try {
    console.log(`${concurrency} clients on loopback, ${os.cpus().length} cores`);
    for (const [label, load, count] of loads) {
      await drive(load, Math.min(100, count), concurrency, ca); // warm-up
      const { perSecond, p50, p99 } = await drive(load, count, concurrency, ca);
      console.log(`${label.padEnd(44)} ${count} requests: ${perSecond.toFixed(0)}/s, latency p50 ${p50.toFixed(1)} ms, p99 ${p99.toFixed(1)} ms`);
    }
  } finally {
    await engine.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

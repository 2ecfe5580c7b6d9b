// What an open window costs: SMTP delivery throughput with no window, then with W windows
// following the live stream (every transcript and log line goes to each), and how fast the
// Overview answers meanwhile. npm run bench -- admin [--messages=400] [--concurrency=8] [--windows=3]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import nodemailer from 'nodemailer';
import WebSocket from 'ws';
import { startEngine, type Engine } from '../server/engine.js';
import { loadSettings, saveSettings } from '../server/settings/file.js';
import { SERVICE_NAMES } from '../server/settings/schema.js';

function option(options: string[], name: string, fallback: number): number {
  const found = options.find((o) => o.startsWith(`--${name}=`));
  return found ? Number(found.split('=')[1]) : fallback;
}

async function send(engine: Engine, messages: number, concurrency: number): Promise<number> {
  const transport = nodemailer.createTransport({ host: '127.0.0.1', port: engine.status('smtp').port, secure: false, ignoreTLS: true, pool: true, maxConnections: concurrency, maxMessages: Infinity });
  const text = 'The quick brown fox jumps over the lazy dog.\n'.repeat(40);
  const started = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < messages) {
        next++;
        await transport.sendMail({ from: 'bench@example.org', to: 'bench@lanpost.lan', subject: `bench ${next}`, text });
      }
    }),
  );
  transport.close();
  return messages / ((performance.now() - started) / 1000);
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

export async function run(options: string[]): Promise<void> {
  const messages = option(options, 'messages', 400);
  const concurrency = option(options, 'concurrency', 8);
  const windows = option(options, 'windows', 3);
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lanpost-bench-admin-'));
  const { settings } = loadSettings(dataDir);
  for (const name of SERVICE_NAMES) settings.services[name] = { enabled: name.startsWith('smtp'), address: '127.0.0.1', port: 0 };
  saveSettings(dataDir, settings);
  const engine = await startEngine({ dataDir, print: null });
  await engine.context.accounts.addUser('bench@lanpost.lan', 'bench password');
  try {
    await send(engine, Math.min(50, messages), concurrency); // warm-up
    const alone = await send(engine, messages, concurrency);

    const origin = new URL(engine.adminUrl).origin;
    let events = 0;
    const sockets = await Promise.all(
      Array.from({ length: windows }, () => {
        const socket = new WebSocket(`${origin.replace('http:', 'ws:')}/api/events`, ['lanpost.v1', `token.${engine.adminToken}`]);
        socket.on('message', () => events++);
        return new Promise<WebSocket>((resolve, reject) => {
          socket.once('open', () => resolve(socket));
          socket.once('error', reject);
        });
      }),
    );
    const latencies: number[] = [];
    let polling = true;
    const poller = (async () => {
      while (polling) {
        const started = performance.now();
        await (await fetch(`${origin}/api/overview`, { headers: { authorization: `Bearer ${engine.adminToken}` } })).text();
        latencies.push(performance.now() - started);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    })();
    const watched = await send(engine, messages, concurrency);
    polling = false;
    await poller;
    for (const socket of sockets) socket.close();

    console.log(`SMTP delivery, ${messages} messages of ~1.8 KB over ${concurrency} connections (shared machine; figures vary):`);
    console.log(`  no window open:        ${alone.toFixed(0)} messages/s`);
    console.log(`  ${windows} windows following: ${watched.toFixed(0)} messages/s (${((watched / alone) * 100).toFixed(0)} % of alone), ${(events / windows / messages).toFixed(1)} live events per message per window`);
    console.log(`  GET /api/overview meanwhile: p50 ${percentile(latencies, 50).toFixed(1)} ms, p99 ${percentile(latencies, 99).toFixed(1)} ms over ${latencies.length} requests`);
    console.log(`  peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`);
    console.log('  (no peer figure: Postfix/Dovecot have no admin window to compare with)');
  } finally {
    await engine.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

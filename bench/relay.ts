// npm run bench -- relay [--count=2000] [--sessions=10] [--size=4096]
//
// Relaying: N messages submitted over 587 (STARTTLS + AUTH, nodemailer pool of S sessions) to a
// domain routed to a local sink (an smtp-server in this process). Measures
//   - submission: messages/s until the last 250 on 587, p50/p99 per message;
//   - relay: messages/s from the first submission to the sink's last 250 (queue, DKIM signing,
//     outbound SMTP with connection reuse), p50/p99 submission → remote acceptance;
//   - the engine's peak RSS (a `lanpost serve` child process).
// Peer: Postfix on 587 (STARTTLS + AUTH) in the same run, when the peer stack runs. The peer is
// configured with defer_transports=smtp (it never sends off-box, and must not be reconfigured),
// so for Postfix only the submission half (accept + queue) is measured; our messages are then
// removed from its queue by queue ID. LanPost's submission is measured both while it relays and,
// like the peer, with its deliveries deferred (a domain routed to a port nobody listens on).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import nodemailer from 'nodemailer';
import { freePort } from '../test/helpers/admin.js';
import { runCli, spawnServe } from '../test/helpers/cli.js';
import { prepareDataDir, tempDataDir } from '../test/helpers/engine.js';
import { startSink } from '../test/helpers/smtp-sink.js';
import { processMemoryMb } from './_machine.js';

interface Options {
  count: number;
  sessions: number;
  size: number;
}

function parse(args: string[]): Options {
  const get = (name: string) => args.find((a) => a.startsWith(`--${name}=`))?.split('=')[1];
  return { count: Number(get('count') ?? 2000), sessions: Number(get('sessions') ?? 10), size: Number(get('size') ?? 4096) };
}

const fmt = (n: number, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : '-');

function percentile(values: number[], p: number): number {
  if (!values.length) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

function message(from: string, to: string, n: number, size: number): string {
  const head = `From: <${from}>\r\nTo: <${to}>\r\nSubject: relay ${n}\r\nMessage-ID: <${n}.${Date.now()}@bench>\r\nDate: ${new Date().toUTCString()}\r\n\r\n`;
  const line = 'The quick brown fox jumps over the lazy dog 0123456789 abcdefghij\r\n';
  return head + line.repeat(Math.max(1, Math.ceil((size - head.length) / line.length)));
}

interface Submission {
  seconds: number;
  started: number;
  submittedAt: Map<string, number>;
  latenciesMs: number[];
  failures: number;
}

/** S pooled sessions with STARTTLS and AUTH, N messages to u<i>@domain. */
async function submit(port: number, auth: { user: string; pass: string }, domain: string, options: Options): Promise<Submission> {
  const transport = nodemailer.createTransport({
    host: '127.0.0.1',
    port,
    pool: true,
    maxConnections: options.sessions,
    maxMessages: Infinity,
    auth,
    tls: { rejectUnauthorized: false },
  });
  const submittedAt = new Map<string, number>();
  const latenciesMs: number[] = [];
  let failures = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: options.count }, async (_, i) => {
      const to = `u${i}@${domain}`;
      const t0 = performance.now();
      try {
        await transport.sendMail({ envelope: { from: auth.user, to: [to] }, raw: message(auth.user, to, i, options.size) });
        const t1 = performance.now();
        latenciesMs.push(t1 - t0);
        submittedAt.set(to, t1);
      } catch {
        failures++;
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  transport.close();
  return { seconds, started, submittedAt, latenciesMs, failures };
}

/** Postfix queue IDs of messages to @domain (postqueue -j: one JSON object per line). */
function postfixQueueIds(domain: string): string[] {
  const out = spawnSync('postqueue', ['-j'], { encoding: 'utf8' }).stdout ?? '';
  return out
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as { queue_id: string; recipients: Array<{ address: string }> })
    .filter((entry) => entry.recipients.every((r) => r.address.endsWith(`@${domain}`)))
    .map((entry) => entry.queue_id);
}

async function postfixPeer(options: Options): Promise<number | null> {
  if (!fs.existsSync('/tmp/refstack/READY') || spawnSync('which', ['postqueue']).status !== 0) return null;
  const domain = `relay-bench-${process.pid}.test`;
  const result = await submit(587, { user: 'admin', pass: 'LysharkRef2024' }, domain, options);
  // Remove exactly our messages from the peer's queue (they would wait there for good).
  const deadline = Date.now() + 60_000;
  let ids = postfixQueueIds(domain);
  while (ids.length < options.count - result.failures && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 500));
    ids = postfixQueueIds(domain);
  }
  spawnSync('postsuper', ['-d', '-'], { input: ids.join('\n') + '\n' });
  console.log(
    `Postfix 587 (STARTTLS + AUTH, accept + queue): ${fmt(options.count / result.seconds)} msg/s, p50 ${fmt(percentile(result.latenciesMs, 50), 2)} ms, p99 ${fmt(percentile(result.latenciesMs, 99), 2)} ms, ${result.failures} failures; ${ids.length} removed from its queue`,
  );
  return options.count / result.seconds;
}

export async function run(args: string[]): Promise<void> {
  const options = parse(args);
  const sink = await startSink();
  const acceptedAt = new Map<string, number>();
  const record = setInterval(() => {
    for (const m of sink.messages.splice(0)) for (const to of m.to) acceptedAt.set(to, performance.now());
  }, 5);
  const closedPort = await freePort();
  const dataDir = tempDataDir('lanpost-bench-relay-');
  prepareDataDir(dataDir, (settings) => {
    settings.routes = { 'sink.test': `127.0.0.1:${sink.port}`, 'parked.test': `127.0.0.1:${closedPort}` };
  });
  await runCli(['user', 'add', 'bench@lanpost.lan', '--data', dataDir], { input: 'bench password 1\n' });
  const serve = await spawnServe(dataDir);
  const pid = serve.child.pid!;
  try {
    await new Promise((resolve) => setTimeout(resolve, 1000));
    console.log(`relay: ${options.count} messages of ${options.size} bytes, ${options.sessions} sessions on 587 (STARTTLS + AUTH), routed to a local sink`);
    console.log(`LanPost engine idle RSS ${fmt(processMemoryMb(pid).rssMb)} MB`);
    const result = await submit(serve.ports.submission!, { user: 'bench@lanpost.lan', pass: 'bench password 1' }, 'sink.test', options);
    const deadline = Date.now() + 300_000;
    while (acceptedAt.size < result.submittedAt.size && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    clearInterval(record);
    for (const m of sink.messages.splice(0)) for (const to of m.to) acceptedAt.set(to, performance.now());
    const last = Math.max(...acceptedAt.values());
    const relayLatencies = [...result.submittedAt].filter(([to]) => acceptedAt.has(to)).map(([to, at]) => acceptedAt.get(to)! - at);
    const submissionRate = options.count / result.seconds;
    console.log(
      `LanPost submission (587, accept + queue, relaying at the same time): ${fmt(submissionRate)} msg/s, p50 ${fmt(percentile(result.latenciesMs, 50), 2)} ms, p99 ${fmt(percentile(result.latenciesMs, 99), 2)} ms, ${result.failures} failures`,
    );
    console.log(
      `LanPost relay (first submission → last remote 250): ${fmt(acceptedAt.size / ((last - result.started) / 1000))} msg/s; ` +
        `queued → remote 250 p50 ${fmt(percentile(relayLatencies, 50), 2)} ms, p99 ${fmt(percentile(relayLatencies, 99), 2)} ms; ` +
        `${acceptedAt.size}/${options.count} at the sink over ${sink.connections} connection(s)`,
    );
    console.log(`LanPost peak RSS ${fmt(processMemoryMb(pid).peakMb)} MB`);
    // What the peer does: accept and queue only. parked.test is routed to a port where nothing
    // listens, so every delivery is deferred at once and the queue holds the messages.
    const parked = await submit(serve.ports.submission!, { user: 'bench@lanpost.lan', pass: 'bench password 1' }, 'parked.test', options);
    const parkedRate = options.count / parked.seconds;
    console.log(`LanPost submission (587, accept + queue only, deliveries deferred): ${fmt(parkedRate)} msg/s, ${parked.failures} failures`);
    const postfix = await postfixPeer(options);
    if (postfix === null) console.log('Peer stack not running (/tmp/refstack/READY missing): no side-by-side figure.');
    else {
      console.log(
        `submission ratio LanPost / Postfix: ${fmt(parkedRate / postfix, 2)} accept + queue only (Postfix here never sends), ${fmt(submissionRate / postfix, 2)} while relaying (one run, shared 2-core machine)`,
      );
    }
  } finally {
    clearInterval(record);
    await serve.stop();
    await sink.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

// npm run bench -- imap [--count=10000] [--size=1024] [--runs=3] [--idle=200]
//
// IMAP on a folder of `count` messages of ~`size` bytes, warm (after one untimed pass), as the
// peer stack's anchors.sh measures Dovecot: SELECT, FETCH 1:* (FLAGS ENVELOPE RFC822.SIZE),
// FETCH 1:* (BODY.PEEK[]), SEARCH SUBJECT / FROM / BODY — seconds (median of `runs`) and
// messages/s; the server's peak RSS. Then `idle` concurrent sessions in IDLE on LanPost and the
// time until every one of them has seen a new delivery. LanPost runs as `lanpost serve` in its
// own process, its folder filled through MailStore.appendMessage before it starts. When the peer
// stack runs (/tmp/refstack/READY), Dovecot gets the same commands from the same client in the
// same run, on a folder written by the peer stack's own populate tool (anchors.py) into the
// Maildir of its user admin, and removed afterwards.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { Accounts } from '../server/accounts/accounts.js';
import { loadSettings } from '../server/settings/file.js';
import { openDatabase } from '../server/store/db.js';
import { MailStore } from '../server/store/mailstore.js';
import { spawnServe } from '../test/helpers/cli.js';
import { prepareDataDir, tempDataDir } from '../test/helpers/engine.js';

interface Options {
  count: number;
  size: number;
  runs: number;
  idle: number;
  /** Measure Dovecot too when the peer stack runs (--peer=0 skips it). */
  peer: boolean;
  /** Print the server's RSS after every step (--verbose). */
  verbose: boolean;
}

const PASSWORD = 'bench password 1';
const FOLDER = 'bench10k';
const PEER = { user: 'admin', password: 'LysharkRef2024', port: 143, tool: path.join('..', 'shared', 'peers', 'anchors.py') };
const CLIENT_SOURCE = '127.0.0.2'; // as anchors.sh: away from Dovecot's auth penalty of 127.0.0.1

function parse(args: string[]): Options {
  const get = (name: string) => args.find((a) => a.startsWith(`--${name}=`))?.split('=')[1];
  return {
    count: Number(get('count') ?? 10000),
    size: Number(get('size') ?? 1024),
    runs: Number(get('runs') ?? 3),
    idle: Number(get('idle') ?? 200),
    peer: get('peer') !== '0',
    verbose: args.includes('--verbose'),
  };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

/** The same messages as anchors.py's populate: needles in 1 of 100 subjects and 1 of 250 bodies. */
function message(i: number, size: number, rcpt: string): Buffer {
  const two = (n: number) => String(n).padStart(2, '0');
  let head =
    `Return-Path: <sender${i % 100}@example.org>\r\nDelivered-To: ${rcpt}\r\n` +
    `From: "Sender ${i % 100}" <sender${i % 100}@example.org>\r\nTo: <${rcpt}>\r\n` +
    `Subject: Bench message ${i} topic ${i % 50}${i % 100 === 0 ? ' needle' : ''}\r\n` +
    `Date: Mon, 01 Jan 2024 ${two(Math.floor(i / 3600) % 24)}:${two(Math.floor(i / 60) % 60)}:${two(i % 60)} +0000\r\n` +
    `Message-ID: <bench-${i}@example.org>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n`;
  let body = '';
  for (let line = 0; head.length + body.length < size; line++) {
    const word = i % 250 === 0 && line === 3 ? 'bodyneedle' : 'haystack';
    body += `line ${String(line).padStart(3, '0')} of message ${i}: ${word} lorem ipsum dolor sit amet\r\n`;
  }
  head += body;
  return Buffer.from(head);
}

// ── a minimal IMAP client: counts responses, skips literal bytes without copying them ──────────

export class Client {
  private socket!: net.Socket;
  private parts: Buffer[] = [];
  private literalLeft = 0;
  private continuing = false;
  private counter = 0;
  private waiting: {
    tag: string;
    resolve: (r: { count: number; lines: string[] }) => void;
    reject: (error: Error) => void;
    count: number;
    lines: string[];
  } | null = null;
  onUntagged: (line: string) => void = () => {};

  static async open(port: number): Promise<Client> {
    const client = new Client();
    client.socket = net.connect({ host: '127.0.0.1', port, localAddress: CLIENT_SOURCE });
    client.socket.on('data', (chunk: Buffer) => client.onData(chunk));
    await new Promise<void>((resolve, reject) => {
      client.onUntagged = () => resolve();
      client.socket.once('error', reject);
    });
    client.onUntagged = () => {};
    return client;
  }

  private onData(chunk: Buffer): void {
    let i = 0;
    while (i < chunk.length) {
      if (this.literalLeft > 0) {
        const take = Math.min(this.literalLeft, chunk.length - i);
        this.literalLeft -= take;
        i += take;
        if (!this.literalLeft) this.continuing = true;
        continue;
      }
      const lf = chunk.indexOf(0x0a, i);
      if (lf < 0) {
        this.parts.push(chunk.subarray(i));
        break;
      }
      this.parts.push(chunk.subarray(i, lf + 1));
      i = lf + 1;
      const line = (this.parts.length === 1 ? this.parts[0]! : Buffer.concat(this.parts)).toString('latin1');
      this.parts = [];
      this.onLine(line);
    }
  }

  private onLine(line: string): void {
    const start = !this.continuing;
    this.continuing = false;
    const literal = /\{(\d+)\}\r\n$/.exec(line);
    if (literal) this.literalLeft = Number(literal[1]);
    if (!start) return;
    const waiting = this.waiting;
    if (line.startsWith('* ') || line.startsWith('+ ')) {
      if (waiting) {
        waiting.count++;
        if (waiting.lines.length < 20) waiting.lines.push(line);
      }
      this.onUntagged(line);
    } else if (waiting && line.startsWith(`${waiting.tag} `)) {
      this.waiting = null;
      if (!line.startsWith(`${waiting.tag} OK`)) waiting.reject(new Error(`IMAP: ${line.trim()}`));
      else waiting.resolve({ count: waiting.count, lines: waiting.lines });
    }
  }

  command(text: string): Promise<{ count: number; lines: string[] }> {
    const tag = `b${++this.counter}`;
    return new Promise((resolve, reject) => {
      this.waiting = { tag, resolve, reject, count: 0, lines: [] };
      this.socket.write(`${tag} ${text}\r\n`);
    });
  }

  write(text: string): void {
    this.socket.write(text);
  }

  close(): void {
    this.socket.destroy();
  }
}

interface Figures {
  select: number;
  fetchEnvelope: number;
  fetchBody: number;
  searchSubject: number;
  searchFrom: number;
  searchBody: number;
  peakMb: number;
}

const STEPS: Array<[keyof Omit<Figures, 'peakMb'>, string, (count: number) => number]> = [
  ['select', `SELECT ${FOLDER}`, () => 0],
  ['fetchEnvelope', 'FETCH 1:* (FLAGS ENVELOPE RFC822.SIZE)', (n) => n],
  ['fetchBody', 'FETCH 1:* (BODY.PEEK[])', (n) => n],
  ['searchSubject', 'SEARCH SUBJECT "needle"', (n) => n / 100],
  ['searchFrom', 'SEARCH FROM "sender17@"', (n) => n / 100],
  ['searchBody', 'SEARCH BODY "bodyneedle"', (n) => Math.ceil(n / 250)],
];

async function measure(name: string, port: number, user: string, password: string, options: Options, rssKb: () => number): Promise<Figures> {
  // one untimed pass first: warm caches (Dovecot's index, LanPost's MIME structures)
  const warm = await Client.open(port);
  await warm.command(`LOGIN "${user}" "${password}"`);
  await warm.command(`EXAMINE ${FOLDER}`);
  await warm.command('FETCH 1:* (FLAGS ENVELOPE RFC822.SIZE)');
  await warm.command('SEARCH BODY "bodyneedle"');
  warm.close();
  let peak = rssKb();
  const sampler = setInterval(() => (peak = Math.max(peak, rssKb())), 20);
  const runs: Array<Record<string, number>> = [];
  try {
    for (let run = 0; run < options.runs; run++) {
      const c = await Client.open(port);
      await c.command(`LOGIN "${user}" "${password}"`);
      const times: Record<string, number> = {};
      for (const [key, command, expected] of STEPS) {
        const started = process.hrtime.bigint();
        const result = await c.command(command);
        times[key] = Number(process.hrtime.bigint() - started) / 1e9;
        if (options.verbose) console.log(`  ${name} ${command}: ${times[key]!.toFixed(3)} s, server RSS ${(rssKb() / 1024).toFixed(0)} MB`);
        if (key === 'select') {
          const exists = Number(/\* (\d+) EXISTS/.exec(result.lines.join('\n'))?.[1]);
          if (exists !== options.count) throw new Error(`${name}: SELECT says ${exists} messages, expected ${options.count}`);
        } else if (key.startsWith('fetch')) {
          if (result.count !== expected(options.count)) throw new Error(`${name}: ${command} gave ${result.count} responses`);
        } else {
          const hits = result.lines[0]!.trim().split(' ').length - 2;
          if (hits !== expected(options.count)) throw new Error(`${name}: ${command} found ${hits}, expected ${expected(options.count)}`);
        }
      }
      c.close();
      runs.push(times);
    }
  } finally {
    clearInterval(sampler);
  }
  const figure = (key: string) => median(runs.map((r) => r[key]!));
  return {
    select: figure('select'),
    fetchEnvelope: figure('fetchEnvelope'),
    fetchBody: figure('fetchBody'),
    searchSubject: figure('searchSubject'),
    searchFrom: figure('searchFrom'),
    searchBody: figure('searchBody'),
    peakMb: Math.max(peak, rssKb()) / 1024,
  };
}

/** `sessions` connections in IDLE on INBOX; one delivery; seconds until all saw EXISTS. */
async function idleLoad(port: number, sessions: number, deliver: () => Promise<void>, rssKb: () => number): Promise<{ seconds: number; rssMb: number; beforeMb: number }> {
  const beforeMb = rssKb() / 1024;
  const clients: Client[] = [];
  for (let i = 0; i < sessions; i++) {
    const c = await Client.open(port);
    await c.command(`LOGIN "idle@lanpost.lan" "${PASSWORD}"`);
    await c.command('SELECT INBOX');
    clients.push(c);
  }
  const idling = clients.map(
    (c) =>
      new Promise<void>((resolve) => {
        c.onUntagged = (line) => {
          if (line.startsWith('+ ')) resolve();
        };
        c.write('idle IDLE\r\n');
      }),
  );
  await Promise.all(idling);
  const rssMb = rssKb() / 1024;
  const seen = clients.map(
    (c) =>
      new Promise<void>((resolve) => {
        c.onUntagged = (line) => {
          if (/EXISTS/.test(line)) resolve();
        };
      }),
  );
  const started = process.hrtime.bigint();
  await deliver();
  await Promise.all(seen);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  clients.forEach((c) => c.close());
  return { seconds, rssMb, beforeMb };
}

// ── LanPost ─────────────────────────────────────────────────────────────────────────────────

async function fillLanPost(dataDir: string, options: Options): Promise<void> {
  const settings = loadSettings(dataDir).settings;
  // the IMAP clients come from 127.0.0.2, the IDLE sessions are many: make room
  settings.limits.connectionsPerClient = Math.max(settings.limits.connectionsPerClient, options.idle + 10);
  settings.limits.connectionsTotal = Math.max(settings.limits.connectionsTotal, options.idle + 20);
  fs.writeFileSync(path.join(dataDir, 'settings.json'), JSON.stringify(settings, null, 2));
  const db = openDatabase(dataDir);
  try {
    const store = new MailStore(db, dataDir);
    const accounts = new Accounts(db, dataDir, store, () => settings);
    const user = await accounts.addUser('bench@lanpost.lan', PASSWORD);
    await accounts.addUser('idle@lanpost.lan', PASSWORD);
    const folder = store.createMailbox(user, FOLDER);
    for (let start = 0; start < options.count; start += 200) {
      const batch = Array.from({ length: Math.min(200, options.count - start) }, (_, k) => message(start + k, options.size, 'bench@lanpost.lan'));
      await Promise.all(batch.map((content) => store.appendMessage(user, folder, content, { inNew: true })));
    }
  } finally {
    db.close();
  }
}

function processRssKb(pid: number, field: 'VmRSS' | 'VmHWM' = 'VmRSS'): number {
  try {
    return Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
  } catch {
    return 0;
  }
}

// ── Dovecot ─────────────────────────────────────────────────────────────────────────────────

/** RSS of Dovecot's master and every process below it. */
function dovecotRssKb(): number {
  let master: number;
  try {
    master = Number(fs.readFileSync('/run/dovecot/master.pid', 'utf8').trim());
  } catch {
    return 0;
  }
  const children = new Map<number, number[]>();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(parent, [...(children.get(parent) ?? []), Number(entry)]);
    } catch {
      // gone
    }
  }
  let total = 0;
  const stack = [master];
  while (stack.length) {
    const pid = stack.pop()!;
    total += processRssKb(pid);
    stack.push(...(children.get(pid) ?? []));
  }
  return total;
}

function peerAvailable(): boolean {
  return fs.existsSync('/tmp/refstack/READY') && fs.existsSync(PEER.tool) && spawnSync('id', [PEER.user]).status === 0;
}

function peerFolder(): string {
  const home = spawnSync('getent', ['passwd', PEER.user], { encoding: 'utf8' }).stdout.split(':')[5]!.trim();
  return path.join(home, 'Maildir', `.${FOLDER}`);
}

// ── report ──────────────────────────────────────────────────────────────────────────────────

function report(options: Options, lanpost: Figures, peer: Figures | null): void {
  const rows: Array<[string, keyof Figures, number]> = [
    ['SELECT', 'select', 0],
    ['FETCH 1:* (FLAGS ENVELOPE RFC822.SIZE)', 'fetchEnvelope', options.count],
    ['FETCH 1:* (BODY.PEEK[])', 'fetchBody', options.count],
    ['SEARCH SUBJECT "needle"', 'searchSubject', options.count],
    ['SEARCH FROM "sender17@"', 'searchFrom', options.count],
    ['SEARCH BODY "bodyneedle"', 'searchBody', options.count],
  ];
  console.log(`\n${options.count} messages of ~${options.size} B, warm, median of ${options.runs} runs (seconds; messages/s)`);
  console.log(`${'command'.padEnd(42)} ${'LanPost'.padStart(18)} ${'Dovecot'.padStart(18)} ${'LanPost/Dovecot'.padStart(16)}`);
  for (const [label, key, n] of rows) {
    const cell = (f: Figures | null) => (f ? `${f[key].toFixed(3)} s${n ? ` ${Math.round(n / f[key]).toLocaleString('en')}/s` : ''}` : '-');
    const ratio = peer ? `${(lanpost[key] / peer[key]).toFixed(2)}× time` : '-';
    console.log(`${label.padEnd(42)} ${cell(lanpost).padStart(18)} ${cell(peer).padStart(18)} ${ratio.padStart(16)}`);
  }
  console.log(`${'peak RSS of the server during these'.padEnd(42)} ${`${lanpost.peakMb.toFixed(0)} MB`.padStart(18)} ${(peer ? `${peer.peakMb.toFixed(0)} MB` : '-').padStart(18)}`);
}

export async function run(args: string[]): Promise<void> {
  const options = parse(args);
  const dataDir = tempDataDir('lanpost-bench-imap-');
  prepareDataDir(dataDir);
  console.log(`filling LanPost: ${options.count} messages through MailStore.appendMessage …`);
  const filled = Date.now();
  await fillLanPost(dataDir, options);
  console.log(`  ${((Date.now() - filled) / 1000).toFixed(1)} s`);
  const server = await spawnServe(dataDir, 60_000);
  const pid = server.child.pid!;
  let lanpost: Figures;
  let idle: { seconds: number; rssMb: number; beforeMb: number } | null = null;
  try {
    lanpost = await measure('LanPost', server.ports.imap!, 'bench@lanpost.lan', PASSWORD, options, () => processRssKb(pid));
    if (options.idle > 0) {
      const sender = await import('nodemailer');
      const transport = sender.default.createTransport({ host: '127.0.0.1', port: server.ports.smtp!, secure: false, ignoreTLS: true });
      idle = await idleLoad(
        server.ports.imap!,
        options.idle,
        async () => {
          await transport.sendMail({ envelope: { from: 'a@example.org', to: ['idle@lanpost.lan'] }, raw: 'Subject: wake up\r\n\r\nnew mail\r\n' });
        },
        () => processRssKb(pid),
      );
      transport.close();
    }
  } finally {
    await server.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }

  let peer: Figures | null = null;
  if (options.peer && peerAvailable()) {
    const folder = peerFolder();
    console.log(`filling Dovecot's ${FOLDER} for ${PEER.user} with the peer stack's populate tool …`);
    const populate = spawnSync('python3', [PEER.tool, 'populate', '--folder', folder, '--owner', PEER.user, '--rcpt', `${PEER.user}@lyshark.com`, '--count', String(options.count), '--size', String(options.size)], { encoding: 'utf8' });
    if (populate.status !== 0) console.log(`  peer not measured: ${populate.stderr.trim()}`);
    else {
      try {
        peer = await measure('Dovecot', PEER.port, PEER.user, PEER.password, options, dovecotRssKb);
      } catch (error) {
        console.log(`  peer not measured: ${(error as Error).message}`);
      } finally {
        fs.rmSync(folder, { recursive: true, force: true });
      }
    }
  } else console.log('peer stack not running (/tmp/refstack/READY missing): LanPost figures only');

  report(options, lanpost, peer);
  if (idle) {
    console.log(`\n${options.idle} sessions in IDLE on LanPost: all saw a new SMTP delivery within ${(idle.seconds * 1000).toFixed(0)} ms; server RSS ${idle.beforeMb.toFixed(0)} MB before their logins, ${idle.rssMb.toFixed(0)} MB with them idling`);
  }
  console.log('(figures from a shared 2-core machine; ratios from one run are what count)');
}

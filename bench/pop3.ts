// npm run bench -- pop3 [--count=1000] [--size=4096] [--sessions=20] [--per-session=100] [--runs=5] [--warmup=3]
//
// POP3 retrieval: (1) one session RETRs `count` messages of ~`size` bytes one after another, as the
// peer stack's anchors.sh measures Dovecot; (2) `sessions` concurrent sessions each LIST and RETR
// `per-session` messages. Messages/s and the server's peak RSS during each load. LanPost runs as
// `lanpost serve` (its own process); its mailboxes are filled through MailStore.appendMessage
// before it starts. When the peer stack runs (/tmp/refstack/READY), Dovecot's POP3 on
// 127.0.0.1:110 gets the same loads from the same client in the same run (Maildir of user admin,
// filled with the same messages and emptied of them afterwards).
//
// Each load runs `warmup` times per server before the measured runs: a freshly started Node engine
// spends its first few thousand messages compiling its hot paths (V8's optimizing compiler, on
// helper threads: up to twice the CPU per message of the steady state on this machine); a mail
// server runs for days, so what is compared is the steady state. --warmup=1 shows the difference.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
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
  sessions: number;
  perSession: number;
  runs: number;
  warmup: number;
}

interface Target {
  name: string;
  port: number;
  /** The single-session user and the users of the concurrent sessions (Dovecot: the same one, it does not lock). */
  single: { user: string; password: string };
  concurrent: Array<{ user: string; password: string }>;
  /** Resident memory (kB) and CPU time used so far (clock ticks) of the server's processes. */
  usage: () => Usage;
}

interface Usage {
  rssKb: number;
  cpuTicks: number;
}

/** One run of one load against one server. */
interface Sample {
  rate: number;
  /** RSS when the retrieval started (after the logins) and its peak during it. */
  startMb: number;
  peakMb: number;
  /** Server CPU (all its processes and threads) per message retrieved. */
  cpuUsPerMessage: number;
  messages: number;
  cpuTicks: number;
}

const TICK_US = 1e6 / 100; // USER_HZ

const PASSWORD = 'bench password 1';
const PEER = { user: 'admin', password: 'LysharkRef2024', maildir: '/home/admin/Maildir', port: 110 };
/** Peer messages carry this in their file names, so that exactly they are removed afterwards. */
const PEER_MARK = 'lanpostpop3bench';
/** As anchors.sh: away from Dovecot's auth penalty of 127.0.0.1; concurrent sessions use 127.0.1.k. */
const CLIENT_SOURCE = '127.0.0.2';

function parse(args: string[]): Options {
  const get = (name: string) => args.find((a) => a.startsWith(`--${name}=`))?.split('=')[1];
  return {
    count: Number(get('count') ?? 1000),
    size: Number(get('size') ?? 4096),
    sessions: Number(get('sessions') ?? 20),
    perSession: Number(get('per-session') ?? 100),
    runs: Number(get('runs') ?? 5),
    warmup: Number(get('warmup') ?? 3),
  };
}

const fmt = (n: number, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : '-');
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

/** A message of about `size` bytes, CRLF (as LanPost stores what SMTP delivered) or LF (as Postfix writes Maildir files). */
function message(i: number, size: number, lineEnd: '\r\n' | '\n'): Buffer {
  const head = [
    `Return-Path: <sender${i % 100}@example.org>`,
    `From: "Sender ${i % 100}" <sender${i % 100}@example.org>`,
    'To: <bench@example.org>',
    `Subject: POP3 bench message ${i}`,
    `Date: Mon, 01 Jan 2024 ${String(Math.floor(i / 3600) % 24).padStart(2, '0')}:${String(Math.floor(i / 60) % 60).padStart(2, '0')}:${String(i % 60).padStart(2, '0')} +0000`,
    `Message-ID: <pop3-bench-${i}@example.org>`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=us-ascii',
    '',
  ];
  const lines = [...head];
  let length = head.join('\r\n').length;
  for (let n = 0; length < size - 70; n++) {
    const line = n % 17 === 5 ? `.line ${n} of message ${i} starts with a dot, lorem ipsum` : `line ${n} of message ${i}: haystack lorem ipsum dolor sit amet`;
    lines.push(line);
    length += line.length + 2;
  }
  return Buffer.from(lines.join(lineEnd) + lineEnd);
}

// ── the client (Python, the same for both servers, in its own processes) ─────────────────────

const CLIENT = String.raw`
import json, multiprocessing as mp, socket, sys, time
A = json.loads(sys.argv[1])

class Pop3:
    def __init__(self, source=None):
        self.s = socket.create_connection(('127.0.0.1', A['port']), timeout=120, source_address=(source or A['source'], 0))
        self.f = self.s.makefile('rb', buffering=1 << 16)
        self.ok(self.f.readline())
    @staticmethod
    def ok(line):
        if not line.startswith(b'+OK'):
            raise RuntimeError('POP3: %r' % line)
        return line
    def cmd(self, text):
        self.s.sendall(text.encode() + b'\r\n')
        return self.ok(self.f.readline())
    def multi(self, text):
        self.cmd(text)
        n = 0
        while True:
            line = self.f.readline()
            if not line:
                raise RuntimeError('connection closed')
            if line == b'.\r\n':
                return n
            n += len(line)
    def login(self, user, password):
        self.cmd('USER ' + user)
        self.cmd('PASS ' + password)
    def close(self):
        self.cmd('QUIT')
        self.s.close()

def go():
    sys.stdout.write('GO\n')
    sys.stdout.flush()

def single():
    c = Pop3()
    c.login(A['user'], A['password'])
    count = min(int(c.cmd('STAT').split()[1]), A['count'])
    go()
    t0 = time.monotonic()
    total = sum(c.multi('RETR %d' % i) for i in range(1, count + 1))
    seconds = time.monotonic() - t0
    c.close()
    print(json.dumps(dict(messages=count, seconds=seconds, bytes=total)))

def worker(user, password, source, barrier, results):
    try:
        c = Pop3(source)
        c.login(user, password)
    except Exception as e:
        barrier.abort()
        raise
    barrier.wait()
    c.multi('LIST')
    total = sum(c.multi('RETR %d' % i) for i in range(1, A['per_session'] + 1))
    c.close()
    results.put(total)

def concurrent():
    users = A['users']
    barrier = mp.Barrier(len(users) + 1)
    results = mp.Queue()
    # one source address per session: Dovecot allows 10 connections per user and address
    procs = [mp.Process(target=worker, args=(u['user'], u['password'], '127.0.1.%d' % (k + 1), barrier, results))
             for k, u in enumerate(users)]
    for p in procs:
        p.start()
    barrier.wait()
    go()
    t0 = time.monotonic()
    total = sum(results.get(timeout=300) for _ in procs)
    seconds = time.monotonic() - t0
    for p in procs:
        p.join()
    print(json.dumps(dict(messages=len(users) * A['per_session'], seconds=seconds, bytes=total)))

single() if A['mode'] == 'single' else concurrent()
`;

interface ClientResult {
  messages: number;
  seconds: number;
  bytes: number;
}

/**
 * Runs the client while sampling the server's RSS and CPU from the client's GO (after the
 * logins: LanPost's scrypt takes 16 MB per password being checked, the accounts' cost, not POP3's).
 */
function drive(target: Target, args: Record<string, unknown>): Promise<Sample> {
  return new Promise((resolve, reject) => {
    let start: Usage | null = null;
    let peakKb = 0;
    const sampler = setInterval(() => {
      if (start) peakKb = Math.max(peakKb, target.usage().rssKb);
    }, 25);
    const child = spawn('python3', ['-c', CLIENT, JSON.stringify({ port: target.port, source: CLIENT_SOURCE, ...args })], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => {
      stdout += c;
      if (!start && stdout.includes('GO\n')) {
        start = target.usage();
        peakKb = start.rssKb;
      }
    });
    child.stderr.on('data', (c: Buffer) => (stderr += c));
    const timer = setTimeout(() => child.kill('SIGKILL'), 600_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      clearInterval(sampler);
      const end = target.usage();
      if (code !== 0 || !start) return reject(new Error(`${target.name}: client failed (${code}): ${stderr}`));
      const result = JSON.parse(stdout.slice(stdout.indexOf('GO\n') + 3)) as ClientResult;
      resolve({
        rate: result.messages / result.seconds,
        startMb: start.rssKb / 1024,
        peakMb: Math.max(peakKb, end.rssKb) / 1024,
        cpuUsPerMessage: ((end.cpuTicks - start.cpuTicks) * TICK_US) / result.messages,
        messages: result.messages,
        cpuTicks: end.cpuTicks - start.cpuTicks,
      });
    });
  });
}

type Load = 'single' | 'concurrent';

function loadArgs(target: Target, load: Load, options: Options): Record<string, unknown> {
  return load === 'single'
    ? { mode: 'single', count: options.count, ...target.single }
    : { mode: 'concurrent', per_session: options.perSession, users: target.concurrent };
}

/** Each load: warm-up passes per server, then the runs alternating between the servers. */
async function measure(targets: Target[], options: Options): Promise<Map<string, Map<Load, Sample[]>>> {
  const samples = new Map(targets.map((t) => [t.name, new Map<Load, Sample[]>([['single', []], ['concurrent', []]])]));
  for (const load of ['single', 'concurrent'] as const) {
    for (let pass = 0; pass < options.warmup; pass++) for (const target of targets) await drive(target, loadArgs(target, load, options));
    for (let run = 0; run < options.runs; run++) {
      for (const target of targets) samples.get(target.name)!.get(load)!.push(await drive(target, loadArgs(target, load, options)));
    }
  }
  return samples;
}

// ── LanPost ─────────────────────────────────────────────────────────────────────────────────

async function fillLanPost(dataDir: string, options: Options): Promise<void> {
  const settings = loadSettings(dataDir).settings;
  const db = openDatabase(dataDir);
  try {
    const store = new MailStore(db, dataDir);
    const accounts = new Accounts(db, dataDir, store, () => settings);
    const fill = async (address: string, count: number) => {
      const user = await accounts.addUser(address, PASSWORD);
      const inbox = store.getMailbox(user.id, 'INBOX')!;
      for (let start = 0; start < count; start += 100) {
        const batch = Array.from({ length: Math.min(100, count - start) }, (_, k) => message(start + k, options.size, '\r\n'));
        await Promise.all(batch.map((content) => store.appendMessage(user, inbox, content, { inNew: true })));
      }
    };
    await fill('single@lanpost.lan', options.count);
    for (let s = 1; s <= options.sessions; s++) await fill(`pop${s}@lanpost.lan`, options.perSession);
  } finally {
    db.close();
  }
}

/** Fields of /proc/PID/stat after the command name: [0] state, [1] ppid, [11] utime … [21] rss. */
function statFields(pid: number): string[] | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return null; // gone meanwhile
  }
}

const PAGE_KB = 4;

function processUsage(pid: number): Usage {
  const f = statFields(pid);
  return f ? { rssKb: Number(f[21]) * PAGE_KB, cpuTicks: Number(f[11]) + Number(f[12]) } : { rssKb: 0, cpuTicks: 0 };
}

// ── Dovecot ─────────────────────────────────────────────────────────────────────────────────

/**
 * Dovecot's master and every process below it (pop3-login, pop3, auth, …): RSS summed; CPU of the
 * live ones plus what their parents collected from children that have exited.
 */
function dovecotUsage(): Usage {
  const master = Number(fs.readFileSync('/run/dovecot/master.pid', 'utf8').trim());
  const children = new Map<number, number[]>();
  const stats = new Map<number, string[]>();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const fields = statFields(Number(entry));
    if (!fields) continue;
    const ppid = Number(fields[1]);
    children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
    stats.set(Number(entry), fields);
  }
  const usage: Usage = { rssKb: 0, cpuTicks: 0 };
  const stack = [master];
  while (stack.length) {
    const pid = stack.pop()!;
    const f = stats.get(pid);
    if (f) {
      usage.rssKb += Number(f[21]) * PAGE_KB;
      usage.cpuTicks += Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]);
    }
    stack.push(...(children.get(pid) ?? []));
  }
  return usage;
}

function peerAvailable(): boolean {
  return fs.existsSync('/tmp/refstack/READY') && fs.existsSync('/run/dovecot/master.pid') && fs.existsSync(PEER.maildir);
}

function removePeerMessages(): number {
  let removed = 0;
  for (const sub of ['new', 'cur', 'tmp']) {
    const dir = path.join(PEER.maildir, sub);
    for (const name of fs.existsSync(dir) ? fs.readdirSync(dir) : []) {
      if (!name.includes(PEER_MARK)) continue;
      fs.rmSync(path.join(dir, name), { force: true });
      removed++;
    }
  }
  return removed;
}

function fillPeer(options: Options): void {
  removePeerMessages();
  const owner = spawnSync('stat', ['-c', '%u:%g', PEER.maildir], { encoding: 'utf8' }).stdout.trim().split(':').map(Number);
  const base = Math.floor(Date.now() / 1000) - options.count;
  for (let i = 0; i < options.count; i++) {
    const file = path.join(PEER.maildir, 'new', `${base + i}.M${i}P${process.pid}.${PEER_MARK}`);
    fs.writeFileSync(file, message(i, options.size, '\n'), { mode: 0o600 });
    fs.chownSync(file, owner[0]!, owner[1]!);
  }
}

// ── run ─────────────────────────────────────────────────────────────────────────────────────

interface Summary {
  rate: number;
  rates: [number, number];
  /** CPU of all runs over their messages (finer than one run's 10 ms ticks), and the range per run. */
  cpuUsPerMessage: number;
  cpuRange: [number, number];
  startMb: number;
  peakMb: number;
}

const range = (values: number[]): [number, number] => [Math.min(...values), Math.max(...values)];

function summary(samples: Sample[]): Summary {
  const messages = samples.reduce((a, s) => a + s.messages, 0);
  return {
    rate: median(samples.map((s) => s.rate)),
    rates: range(samples.map((s) => s.rate)),
    cpuUsPerMessage: (samples.reduce((a, s) => a + s.cpuTicks, 0) * TICK_US) / messages,
    cpuRange: range(samples.map((s) => s.cpuUsPerMessage)),
    startMb: median(samples.map((s) => s.startMb)),
    peakMb: Math.max(...samples.map((s) => s.peakMb)),
  };
}

const fmtRange = ([low, high]: [number, number], digits = 0) => `${fmt(low, digits)}–${fmt(high, digits)}`;

function report(results: Map<string, Map<Load, Sample[]>>, options: Options): void {
  const titles: Record<Load, string> = {
    single: `one session, RETR ${options.count} in a row`,
    concurrent: `${options.sessions} sessions at once, LIST + RETR ${options.perSession} each`,
  };
  for (const load of ['single', 'concurrent'] as const) {
    console.log(`\n${titles[load]}`);
    console.log('server     msg/s median (range)     server CPU µs/msg all runs (range)   RSS at start MB   peak RSS MB');
    const rows = new Map([...results].map(([name, loads]) => [name, summary(loads.get(load)!)]));
    for (const [name, s] of rows) {
      console.log(
        `${name.padEnd(9)} ${fmt(s.rate, 0).padStart(7)} (${fmtRange(s.rates)})`.padEnd(37) +
          `${fmt(s.cpuUsPerMessage, 0).padStart(5)} (${fmtRange(s.cpuRange)})`.padEnd(38) +
          `${fmt(s.startMb).padStart(15)} ${fmt(s.peakMb).padStart(13)}`,
      );
    }
    const ours = results.get('LanPost')?.get(load);
    const peer = results.get('Dovecot')?.get(load);
    if (ours && peer) {
      // Run k of each server ran back to back: their ratio is the fairest on a shared machine.
      const ratios = ours.map((s, k) => s.rate / peer[k]!.rate);
      const cpu = rows.get('LanPost')!.cpuUsPerMessage / rows.get('Dovecot')!.cpuUsPerMessage;
      console.log(
        `LanPost/Dovecot, run by run: ${ratios.map((r) => fmt(r, 2)).join(' ')} × the messages/s (median ${fmt(median(ratios), 2)}; above 1: LanPost faster); ${fmt(cpu, 2)}× the CPU per message`,
      );
    }
  }
}

export async function run(args: string[]): Promise<void> {
  const options = parse(args);
  console.log(
    `POP3: (1) one session RETRs ${options.count} messages of ~${options.size} B one after another; (2) ${options.sessions} sessions at once, each LIST + RETR ${options.perSession}.`,
  );
  console.log(
    `Client: Python (one process per session, readline per line as anchors.sh), from 127.0.0.2 / 127.0.1.k; ${options.runs} runs after ${options.warmup} warm-up pass(es), servers alternating; shared 2-core machine, CPU in ticks of 10 ms.`,
  );

  const dataDir = tempDataDir('lanpost-bench-pop3-');
  prepareDataDir(dataDir);
  await fillLanPost(dataDir, options);
  const serve = await spawnServe(dataDir);
  const peer = peerAvailable();
  try {
    const pid = serve.child.pid!;
    await new Promise((r) => setTimeout(r, 1000));
    console.log(`LanPost engine pid ${pid} (every service, one process), idle RSS ${fmt(processUsage(pid).rssKb / 1024)} MB`);
    const targets: Target[] = [
      {
        name: 'LanPost',
        port: serve.ports.pop3!,
        single: { user: 'single@lanpost.lan', password: PASSWORD },
        concurrent: Array.from({ length: options.sessions }, (_, s) => ({ user: `pop${s + 1}@lanpost.lan`, password: PASSWORD })),
        usage: () => processUsage(pid),
      },
    ];
    if (peer) {
      fillPeer(options);
      targets.push({
        name: 'Dovecot',
        port: PEER.port,
        single: { user: PEER.user, password: PEER.password },
        // Dovecot does not lock POP3 sessions (pop3_lock_session = no): 20 sessions on one mailbox.
        concurrent: Array.from({ length: options.sessions }, () => ({ user: PEER.user, password: PEER.password })),
        usage: dovecotUsage,
      });
      console.log(`Dovecot (peer stack) on 127.0.0.1:${PEER.port}, user ${PEER.user}, idle RSS ${fmt(dovecotUsage().rssKb / 1024)} MB (process tree)`);
    } else {
      console.log('Peer stack absent (/tmp/refstack/READY or Dovecot missing): LanPost figures only.');
    }
    report(await measure(targets, options), options);
    console.log(
      `\nRSS: LanPost is one process running every service; Dovecot is the sum of its process tree. LanPost's "RSS at start" of the` +
        `\n${options.sessions}-session load is mostly what ${options.sessions} concurrent scrypt logins (16 MB each) left in the thread pool's` +
        `\nmalloc arenas (UV_THREADPOOL_SIZE=${process.env.UV_THREADPOOL_SIZE ?? 4}, as the tray app sets 16): the accounts' cost; retrieving adds peak − start.`,
    );
  } finally {
    if (peer) removePeerMessages();
    await serve.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

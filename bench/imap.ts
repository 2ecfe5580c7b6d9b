// npm run bench -- imap [--count=10000] [--size=1024] [--runs=5] [--cold=4] [--idle=1000] [--peer=0] [--verbose]
//
// IMAP on a folder of `count` messages of ~`size` bytes, as the peer stack's anchors.sh measures
// Dovecot. Cold: SELECT and FETCH 1:* (FLAGS ENVELOPE RFC822.SIZE) of a mailbox never opened,
// `cold` rounds — LanPost: round 0 on the engine just started, the others on further folders
// nobody opened yet, on the running engine (its JIT warm: how a LanPost that has been serving
// meets a new folder); Dovecot: its index files dropped before each round (anchors.py's way).
// Warm (after one untimed pass): SELECT, FETCH ENVELOPE, FETCH 1:* (BODY.PEEK[]), SEARCH
// SUBJECT / FROM / BODY, THREAD REFERENCES, SORT (FROM), `runs` rounds. The two servers take turns within every round, so that a
// busy moment of this shared machine hits both. Per step: seconds (median and range),
// LanPost/Dovecot per round (median and range), each server's CPU time per message (all
// LanPost's threads; Dovecot's imap processes); the servers' peak RSS. Then `idle` concurrent
// sessions in IDLE on LanPost and the time until every one has seen a new delivery. And QRESYNC
// (RFC 7162): reopening the folder after 100 flag changes with EXAMINE … (QRESYNC …) vs EXAMINE and
// FETCH 1:* (UID FLAGS), `runs` rounds on each server. LanPost runs
// as `lanpost serve` in its own process, its folders filled through MailStore.appendMessage
// before it starts. When the peer stack runs (/tmp/refstack/READY), Dovecot gets the same
// commands from the same client, on a folder written by the peer stack's own populate tool
// (anchors.py) into the Maildir of its user admin, and removed afterwards.
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
import { processCpuSeconds, processMemoryMb } from './_machine.js';

interface Options {
  count: number;
  size: number;
  runs: number;
  /** Cold rounds (a never-opened mailbox each time). */
  cold: number;
  idle: number;
  /** Measure Dovecot too when the peer stack runs (--peer=0 skips it). */
  peer: boolean;
  /** Print the server's RSS after every step (--verbose). */
  verbose: boolean;
}

const PASSWORD = 'bench password 1';
const FOLDER = 'bench10k';
export const PEER = { user: 'admin', password: 'LysharkRef2024', port: 143, tool: path.join('..', 'shared', 'peers', 'anchors.py') };
const CLIENT_SOURCE = '127.0.0.2'; // as anchors.sh: away from Dovecot's auth penalty of 127.0.0.1

function parse(args: string[]): Options {
  const get = (name: string) => args.find((a) => a.startsWith(`--${name}=`))?.split('=')[1];
  return {
    count: Number(get('count') ?? 10000),
    size: Number(get('size') ?? 1024),
    runs: Number(get('runs') ?? 5),
    cold: Number(get('cold') ?? 4),
    idle: Number(get('idle') ?? 1000),
    peer: get('peer') !== '0',
    verbose: args.includes('--verbose'),
  };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

/** The same messages as anchors.py's populate: needles in 1 of 100 subjects and 1 of 250 bodies. */
export function message(i: number, size: number, rcpt: string): Buffer {
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

/** A server under test: where it listens, who logs in, what it costs, how to make it cold again. */
interface Target {
  name: string;
  port: number;
  user: string;
  password: string;
  /** CPU seconds so far of the server's processes (all threads; exited children included). */
  cpuSeconds(): number;
  rssKb(): number;
  /**
   * A mailbox never opened, for cold round `round` (1, 2, …): its name. LanPost: another folder
   * nobody opened yet, on the running engine; Dovecot: its index files dropped.
   */
  makeCold(round: number): string;
}

/** One timed step: wall seconds and the server's CPU seconds. */
interface Step {
  seconds: number;
  cpu: number;
}

const WARM_STEPS: Array<[label: string, command: string, expected: (count: number) => number]> = [
  ['SELECT', `SELECT ${FOLDER}`, () => 0],
  ['FETCH ENVELOPE', 'FETCH 1:* (FLAGS ENVELOPE RFC822.SIZE)', (n) => n],
  ['FETCH BODY[]', 'FETCH 1:* (BODY.PEEK[])', (n) => n],
  ['SEARCH SUBJECT "needle"', 'SEARCH SUBJECT "needle"', (n) => n / 100],
  ['SEARCH FROM "sender17@"', 'SEARCH FROM "sender17@"', (n) => n / 100],
  ['SEARCH BODY "bodyneedle"', 'SEARCH BODY "bodyneedle"', (n) => Math.ceil(n / 250)],
  // every message once, in threads (RFC 5256) or sorted by the sender's mailbox
  ['THREAD REFERENCES', 'THREAD REFERENCES UTF-8 ALL', (n) => n],
  ['SORT (FROM)', 'SORT (FROM) UTF-8 ALL', (n) => n],
];
/** Round 0 runs on a LanPost engine just started, the others on one that has served IMAP already. */
function coldSteps(folder: string, round: number): typeof WARM_STEPS {
  const when = round === 0 ? 'just started' : 'running';
  return [
    [`cold SELECT, engine ${when}`, `SELECT ${folder}`, () => 0],
    [`cold FETCH ENVELOPE, engine ${when}`, 'FETCH 1:* (FLAGS ENVELOPE RFC822.SIZE)', (n) => n],
  ];
}

async function login(target: Target): Promise<Client> {
  const c = await Client.open(target.port);
  await c.command(`LOGIN "${target.user}" "${target.password}"`);
  return c;
}

/** Runs the steps in one session; checks every answer (response count, hits, EXISTS). */
async function timedSteps(target: Target, steps: typeof WARM_STEPS, options: Options): Promise<Step[]> {
  // the previous session's server process may still be ending: not into this one's figures
  await new Promise((resolve) => setTimeout(resolve, 100));
  const c = await login(target);
  const out: Step[] = [];
  try {
    for (const [label, command, expected] of steps) {
      const cpu = target.cpuSeconds();
      const started = process.hrtime.bigint();
      const result = await c.command(command);
      const step = { seconds: Number(process.hrtime.bigint() - started) / 1e9, cpu: target.cpuSeconds() - cpu };
      out.push(step);
      if (options.verbose) console.log(`  ${target.name} ${label}: ${step.seconds.toFixed(3)} s, CPU ${step.cpu.toFixed(2)} s, RSS ${(target.rssKb() / 1024).toFixed(0)} MB`);
      if (command.startsWith('SELECT')) {
        const exists = Number(/\* (\d+) EXISTS/.exec(result.lines.join('\n'))?.[1]);
        if (exists !== options.count) throw new Error(`${target.name}: SELECT says ${exists} messages, expected ${options.count}`);
      } else if (command.startsWith('FETCH')) {
        if (result.count !== expected(options.count)) throw new Error(`${target.name}: ${command} gave ${result.count} responses`);
      } else {
        const hits = result.lines[0]!.match(/\d+/g)?.length ?? 0;
        if (hits !== expected(options.count)) throw new Error(`${target.name}: ${command} found ${hits}, expected ${expected(options.count)}`);
      }
    }
  } finally {
    c.close();
  }
  return out;
}

/** One untimed pass: what a client's first visit leaves in the caches (Dovecot's index, LanPost's envelopes). */
async function warmUp(target: Target): Promise<void> {
  const c = await login(target);
  await c.command(`EXAMINE ${FOLDER}`);
  await c.command('FETCH 1:* (FLAGS ENVELOPE RFC822.SIZE)');
  await c.command('SEARCH BODY "bodyneedle"');
  c.close();
}

interface Results {
  /** Per target name, per step label: one Step per round. */
  steps: Map<string, Map<string, Step[]>>;
  peakKb: Map<string, number>;
}

function record(results: Results, target: Target, labels: string[], steps: Step[]): void {
  let byLabel = results.steps.get(target.name);
  if (!byLabel) results.steps.set(target.name, (byLabel = new Map()));
  labels.forEach((label, i) => byLabel!.set(label, [...(byLabel!.get(label) ?? []), steps[i]!]));
}

/**
 * Cold rounds, then one warm-up pass, then the warm rounds; the targets take turns within each
 * round (and the first of a round alternates), while a sampler notes each one's peak RSS.
 */
async function measureAll(targets: Target[], options: Options): Promise<Results> {
  const results: Results = { steps: new Map(), peakKb: new Map(targets.map((t) => [t.name, 0])) };
  const sampler = setInterval(() => {
    for (const t of targets) results.peakKb.set(t.name, Math.max(results.peakKb.get(t.name)!, t.rssKb()));
  }, 20);
  try {
    for (let round = 0; round < options.cold; round++) {
      for (const target of round % 2 ? [...targets].reverse() : targets) {
        const steps = coldSteps(round > 0 ? target.makeCold(round) : FOLDER, round);
        record(results, target, steps.map(([label]) => label), await timedSteps(target, steps, options));
      }
    }
    for (const target of targets) await warmUp(target);
    for (let round = 0; round < options.runs; round++) {
      for (const target of round % 2 ? [...targets].reverse() : targets) {
        record(results, target, WARM_STEPS.map(([label]) => label), await timedSteps(target, WARM_STEPS, options));
      }
    }
  } finally {
    clearInterval(sampler);
  }
  return results;
}

/** Per round: seconds of a QRESYNC reopen after 100 changes, and of a full FLAGS fetch instead. */
interface Resync {
  qresync: number[];
  full: number[];
}

/**
 * QRESYNC (RFC 7162 §3.2.5): a client that knew the folder at some MODSEQ reopens it after another
 * client changed the flags of 100 messages, with EXAMINE … (QRESYNC (uidvalidity modseq)): only
 * the 100 changed come back; versus what a client without it does: EXAMINE, then
 * FETCH 1:* (UID FLAGS) of every message. `runs` rounds; each round's changes undo the last's.
 */
async function measureResync(target: Target, options: Options): Promise<Resync> {
  const result: Resync = { qresync: [], full: [] };
  const timed = async <T>(work: () => Promise<T>): Promise<[number, T]> => {
    const started = process.hrtime.bigint();
    const value = await work();
    return [Number(process.hrtime.bigint() - started) / 1e9, value];
  };
  for (let round = 0; round < options.runs; round++) {
    const known = await login(target);
    await known.command('ENABLE QRESYNC');
    const opened = (await known.command(`EXAMINE ${FOLDER}`)).lines.join('\n');
    known.close();
    const uidValidity = /UIDVALIDITY (\d+)/.exec(opened)?.[1];
    const modSeq = /HIGHESTMODSEQ (\d+)/.exec(opened)?.[1];
    if (!uidValidity || !modSeq) throw new Error(`${target.name}: EXAMINE gave no UIDVALIDITY/HIGHESTMODSEQ`);
    const changer = await login(target);
    await changer.command(`SELECT ${FOLDER}`);
    await changer.command(`STORE 1:100 ${round % 2 ? '-' : '+'}FLAGS.SILENT (\\Flagged)`);
    changer.close();
    const resyncing = await login(target);
    await resyncing.command('ENABLE QRESYNC');
    const [qresync, answer] = await timed(() => resyncing.command(`EXAMINE ${FOLDER} (QRESYNC (${uidValidity} ${modSeq}))`));
    resyncing.close();
    if (answer.count < 100) throw new Error(`${target.name}: QRESYNC EXAMINE gave ${answer.count} responses, expected the 100 changes`);
    const fetching = await login(target);
    const [full, fetched] = await timed(async () => {
      await fetching.command(`EXAMINE ${FOLDER}`);
      return fetching.command('FETCH 1:* (UID FLAGS)');
    });
    fetching.close();
    if (fetched.count !== options.count) throw new Error(`${target.name}: FETCH 1:* (UID FLAGS) gave ${fetched.count} responses`);
    result.qresync.push(qresync);
    result.full.push(full);
  }
  return result;
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

/** LanPost's folder for cold round `round`: the benchmark's own first, then never-opened copies. */
const coldFolder = (round: number) => (round === 0 ? FOLDER : `${FOLDER}-cold${round}`);

async function fillLanPost(dataDir: string, options: Options): Promise<void> {
  const settings = loadSettings(dataDir).settings;
  // the IMAP clients all come from 127.0.0.2 and the IDLE sessions are many: the defaults (20 per
  // address, 500 in all, an office's worth) would refuse them, so the bench raises both here
  settings.limits.connectionsPerClient = Math.max(settings.limits.connectionsPerClient, options.idle + 10);
  settings.limits.connectionsTotal = Math.max(settings.limits.connectionsTotal, options.idle + 20);
  fs.writeFileSync(path.join(dataDir, 'settings.json'), JSON.stringify(settings, null, 2));
  const db = openDatabase(dataDir);
  try {
    const store = new MailStore(db, dataDir);
    const accounts = new Accounts(db, dataDir, store, () => settings);
    const user = await accounts.addUser('bench@lanpost.lan', PASSWORD);
    await accounts.addUser('idle@lanpost.lan', PASSWORD);
    // the benchmark's folder, and one more never-opened copy for each further cold round
    for (let round = 0; round < Math.max(1, options.cold); round++) {
      const folder = store.createMailbox(user, coldFolder(round));
      for (let start = 0; start < options.count; start += 200) {
        const batch = Array.from({ length: Math.min(200, options.count - start) }, (_, k) => message(start + k, options.size, 'bench@lanpost.lan'));
        await Promise.all(batch.map((content) => store.appendMessage(user, folder, content, { inNew: true })));
      }
    }
  } finally {
    db.close();
  }
}

/** Every process below `root` (itself included) with its command name. */
function processTree(root: number): Array<{ pid: number; command: string }> {
  const children = new Map<number, Array<{ pid: number; command: string }>>();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const command = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      children.set(parent, [...(children.get(parent) ?? []), { pid: Number(entry), command }]);
    } catch {
      // gone
    }
  }
  const out: Array<{ pid: number; command: string }> = [];
  const stack = [{ pid: root, command: 'root' }];
  while (stack.length) {
    const node = stack.pop()!;
    out.push(node);
    stack.push(...(children.get(node.pid) ?? []));
  }
  return out;
}

// ── Dovecot ─────────────────────────────────────────────────────────────────────────────────

function dovecotMaster(): number {
  try {
    return Number(fs.readFileSync('/run/dovecot/master.pid', 'utf8').trim());
  } catch {
    return 0;
  }
}

export function peerAvailable(): boolean {
  return fs.existsSync('/tmp/refstack/READY') && fs.existsSync(PEER.tool) && spawnSync('id', [PEER.user]).status === 0;
}

/** The Maildir++ folder `folder` of the peer's user. */
export function peerFolder(folder = FOLDER): string {
  const home = spawnSync('getent', ['passwd', PEER.user], { encoding: 'utf8' }).stdout.split(':')[5]!.trim();
  return path.join(home, 'Maildir', `.${folder}`);
}

/** As anchors.py does for its cold runs: Dovecot's index files of the folder gone, cur/ back to new/. */
function dropDovecotIndex(folder: string): void {
  for (const name of fs.readdirSync(folder)) {
    if (/^(dovecot\.index|dovecot-uidlist|dovecot-keywords)/.test(name)) fs.rmSync(path.join(folder, name), { force: true });
  }
  for (const name of fs.readdirSync(path.join(folder, 'cur'))) {
    fs.renameSync(path.join(folder, 'cur', name), path.join(folder, 'new', name.split(':')[0]!));
  }
}

/**
 * Dovecot serving IMAP: CPU is its imap processes' (one per session, where FETCH and SEARCH run);
 * RSS is the master, its helpers, one auth process and the IMAP processes — not the POP3 ones or
 * the extra auth processes someone else's POP3 load on this shared peer may have started.
 */
function dovecotTarget(folder: string): Target {
  const tree = () => processTree(dovecotMaster());
  return {
    name: 'Dovecot',
    port: PEER.port,
    user: PEER.user,
    password: PEER.password,
    cpuSeconds: () =>
      tree()
        .filter((p) => p.command === 'imap')
        .reduce((sum, p) => sum + processCpuSeconds(p.pid), 0),
    rssKb: () => {
      let auth = false;
      let total = 0;
      for (const p of tree().sort((a, b) => a.pid - b.pid)) {
        if (p.command.startsWith('pop3')) continue;
        if (p.command === 'auth') {
          if (auth) continue;
          auth = true;
        }
        total += processMemoryMb(p.pid).rssMb * 1024;
      }
      return total;
    },
    makeCold() {
      dropDovecotIndex(folder);
      return FOLDER;
    },
  };
}

// ── report ──────────────────────────────────────────────────────────────────────────────────

const range = (values: number[], digits: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length > 1 ? `${sorted[0]!.toFixed(digits)}-${sorted[sorted.length - 1]!.toFixed(digits)}` : sorted[0]!.toFixed(digits);
};

function report(options: Options, results: Results): void {
  const names = [...results.steps.keys()];
  const [lanpost, peer] = names;
  const labels = [...coldSteps(FOLDER, 0), ...(options.cold > 1 ? coldSteps(FOLDER, 1) : []), ...WARM_STEPS].map(([label]) => label);
  console.log(
    `\n${options.count} messages of ~${options.size} B: ${options.cold} cold round(s), then ${options.runs} warm rounds after one untimed pass. ` +
      `FETCH ENVELOPE = FETCH 1:* (FLAGS ENVELOPE RFC822.SIZE), FETCH BODY[] = FETCH 1:* (BODY.PEEK[]). ` +
      `Seconds: median (range)${peer ? '; LanPost/Dovecot: time ratio per round, median (range)' : ''}; CPU: the server's, per message (SELECT: in all), median.`,
  );
  console.log(
    `${'command'.padEnd(38)} ${names.map((n) => `${n} s`.padStart(22)).join(' ')}${peer ? ` ${'LanPost/Dovecot'.padStart(20)}` : ''} ${names.map((n) => `${n} CPU`.padStart(12)).join(' ')}`,
  );
  for (const label of labels) {
    const cells: string[] = [];
    const cpus: string[] = [];
    for (const name of names) {
      const steps = results.steps.get(name)!.get(label)!;
      const seconds = steps.map((s) => s.seconds);
      cells.push(`${median(seconds).toFixed(3)} (${range(seconds, 3)})`.padStart(22));
      const perMessage = label.includes('SELECT') ? null : median(steps.map((s) => s.cpu)) / options.count;
      cpus.push((perMessage === null ? `${(median(steps.map((s) => s.cpu)) * 1000).toFixed(0)} ms` : `${(perMessage * 1e6).toFixed(1)} µs`).padStart(12));
    }
    let ratio = '';
    if (peer) {
      const mine = results.steps.get(lanpost!)!.get(label)!;
      const theirs = results.steps.get(peer)!.get(label)!;
      const ratios = mine.map((s, i) => s.seconds / theirs[i]!.seconds);
      ratio = ` ${`${median(ratios).toFixed(2)}× (${range(ratios, 2)})`.padStart(20)}`;
    }
    console.log(`${label.padEnd(38)} ${cells.join(' ')}${ratio} ${cpus.join(' ')}`);
  }
  console.log(`${'peak RSS of the server during these'.padEnd(38)} ${names.map((n) => `${(results.peakKb.get(n)! / 1024).toFixed(0)} MB`.padStart(22)).join(' ')}`);
}

function reportResync(resyncs: Map<string, Resync>): void {
  console.log(`\nQRESYNC: reopening the folder after 100 flag changes by another client; seconds, median (range), of ${[...resyncs.values()][0]!.full.length} rounds`);
  for (const [name, { qresync, full }] of resyncs) {
    const ratios = qresync.map((q, i) => q / full[i]!);
    console.log(
      `${name.padEnd(10)} EXAMINE (QRESYNC …) ${median(qresync).toFixed(4)} (${range(qresync, 4)}) · EXAMINE + FETCH 1:* (UID FLAGS) ${median(full).toFixed(4)} (${range(full, 4)}) · ratio ${median(ratios).toFixed(3)}×`,
    );
  }
}

export async function run(args: string[]): Promise<void> {
  const options = parse(args);
  const dataDir = tempDataDir('lanpost-bench-imap-');
  prepareDataDir(dataDir);
  console.log(`filling LanPost: ${Math.max(1, options.cold)} × ${options.count} messages through MailStore.appendMessage …`);
  const filled = Date.now();
  await fillLanPost(dataDir, options);
  console.log(`  ${((Date.now() - filled) / 1000).toFixed(1)} s`);
  const server = await spawnServe(dataDir, 60_000);
  const lanpost: Target = {
    name: 'LanPost',
    port: server.ports.imap!,
    user: 'bench@lanpost.lan',
    password: PASSWORD,
    cpuSeconds: () => processCpuSeconds(server.child.pid!),
    rssKb: () => processMemoryMb(server.child.pid!).rssMb * 1024,
    makeCold: (round) => coldFolder(round),
  };
  const targets = [lanpost];
  const folder = options.peer && peerAvailable() ? peerFolder() : null;
  let idle: { seconds: number; rssMb: number; beforeMb: number } | null = null;
  try {
    if (folder) {
      console.log(`filling Dovecot's ${FOLDER} for ${PEER.user} with the peer stack's populate tool …`);
      const populate = spawnSync('python3', [PEER.tool, 'populate', '--folder', folder, '--owner', PEER.user, '--rcpt', `${PEER.user}@lyshark.com`, '--count', String(options.count), '--size', String(options.size)], { encoding: 'utf8' });
      if (populate.status !== 0) console.log(`  peer not measured: ${populate.stderr.trim()}`);
      else targets.push(dovecotTarget(folder));
    } else console.log('peer stack not running (/tmp/refstack/READY missing) or --peer=0: LanPost figures only');
    const results = await measureAll(targets, options);
    report(options, results);
    const resyncs = new Map<string, Resync>();
    for (const target of targets) resyncs.set(target.name, await measureResync(target, options));
    reportResync(resyncs);
    if (options.idle > 0) {
      const sender = await import('nodemailer');
      const transport = sender.default.createTransport({ host: '127.0.0.1', port: server.ports.smtp!, secure: false, ignoreTLS: true });
      idle = await idleLoad(
        server.ports.imap!,
        options.idle,
        async () => {
          await transport.sendMail({ envelope: { from: 'a@example.org', to: ['idle@lanpost.lan'] }, raw: 'Subject: wake up\r\n\r\nnew mail\r\n' });
        },
        () => lanpost.rssKb(),
      );
      transport.close();
    }
  } finally {
    await server.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
    if (folder) fs.rmSync(folder, { recursive: true, force: true });
  }
  if (idle) {
    console.log(`\n${options.idle} sessions in IDLE on LanPost: all saw a new SMTP delivery within ${(idle.seconds * 1000).toFixed(0)} ms; server RSS ${idle.beforeMb.toFixed(0)} MB before their logins, ${idle.rssMb.toFixed(0)} MB with them idling`);
  }
  console.log('(a shared 2-core machine: wall times vary from run to run; the ratios of one round and the CPU per message say more)');
}

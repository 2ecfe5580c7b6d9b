// npm run bench -- smtp [--count=2000] [--sessions=1,10,50] [--size=4096] [--rounds=3] [--target=HOST:PORT --rcpt=ADDR]
//
// SMTP accept + durable local delivery of ~4 KB messages over 1, 10 and 50 sessions, with
// connections reused and with one message per connection: messages/s, p50/p99 latency per
// message, the engine's idle and peak RSS. With --target, the same load against any SMTP server.
// When the peer stack runs (/tmp/refstack/READY), Postfix and LanPost are also driven by
// Postfix's own smtp-source in the same run, taking turns over --rounds=3 rounds, and the ratio
// is printed with what each spent per message: the machine's CPU and the disk's write requests.
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCli, spawnServe } from '../test/helpers/cli.js';
import { directorySync } from '../server/store/fsync.js';
import { ensureMaildir, fileNameFor, newBaseName, writeMessageFile } from '../server/store/maildir.js';
import { prepareDataDir } from '../test/helpers/engine.js';
import { measure, processMemoryMb, type Spent } from './_machine.js';
import { messageOfSize, percentile, runLoad, type LoadOptions } from './_smtp-load.js';

interface Options {
  count: number;
  sessions: number[];
  size: number;
  target: string | null;
  rcpt: string;
  rounds: number;
}

function parse(args: string[]): Options {
  const get = (name: string) => args.find((a) => a.startsWith(`--${name}=`))?.split('=')[1];
  return {
    count: Number(get('count') ?? 2000),
    sessions: (get('sessions') ?? '1,10,50').split(',').map(Number),
    size: Number(get('size') ?? 4096),
    target: get('target') ?? null,
    rcpt: get('rcpt') ?? 'bench@lanpost.lan',
    rounds: Math.max(1, Number(get('rounds') ?? 3)),
  };
}

const fmt = (n: number, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : '-');

async function nodeLoad(label: string, base: Omit<LoadOptions, 'sessions' | 'count' | 'reuse'>, options: Options): Promise<Map<string, number>> {
  const rates = new Map<string, number>();
  console.log(`\n${label}: ${options.size}-byte messages, our load generator (pipelined MAIL/RCPT/DATA)`);
  console.log('mode        sessions  messages   msg/s   p50 ms   p99 ms  failures');
  for (const reuse of [true, false]) {
    for (const sessions of options.sessions) {
      // One message per connection: fewer messages (a connection and a greeting each; loopback is
      // a trusted network, so no greeting pause).
      const count = reuse ? options.count : Math.min(options.count, sessions * 100);
      const result = await runLoad({ ...base, sessions, count, reuse });
      rates.set(`${reuse ? 'reuse' : 'connect'}:${sessions}`, result.messagesPerSecond);
      console.log(
        `${(reuse ? 'reused' : 'per-conn').padEnd(10)} ${String(sessions).padStart(9)} ${String(count).padStart(9)} ${fmt(result.messagesPerSecond).padStart(7)} ${fmt(percentile(result.latenciesMs, 50), 2).padStart(8)} ${fmt(percentile(result.latenciesMs, 99), 2).padStart(8)} ${String(result.failures).padStart(9)}`,
      );
    }
  }
  return rates;
}

/**
 * Postfix's smtp-source against host:port; for Postfix, waits until the Maildir holds every message.
 * Earlier rounds' files stay until the end, as LanPost's do: removing them here would make this
 * round's file creations slower (ext4 without a journal steps over recently freed inodes).
 */
function smtpSource(port: number, rcpt: string, sessions: number, count: number, size: number, reuse: boolean, maildirNew?: string): number {
  const expected = maildirNew ? fs.readdirSync(maildirNew).length + count : 0;
  const args = ['-s', String(sessions), '-m', String(count), '-l', String(size), '-f', 'src@example.org', '-t', rcpt, ...(reuse ? ['-d'] : []), `127.0.0.1:${port}`];
  const started = performance.now();
  const result = spawnSync('smtp-source', args, { timeout: 120_000, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`smtp-source failed: ${result.stdout}${result.stderr}`);
  if (maildirNew) {
    const deadline = Date.now() + 120_000;
    while (fs.readdirSync(maildirNew).length < expected && Date.now() < deadline) execFileSync('sleep', ['0.02']);
  }
  return (performance.now() - started) / 1000;
}

/** Totals of one server over the rounds of a side-by-side mode. */
interface Tally {
  seconds: number;
  messages: number;
  cpu: number;
  writes: number;
}

const addTo = (tally: Tally, seconds: number, messages: number, spent: Spent) => {
  tally.seconds += seconds;
  tally.messages += messages;
  tally.cpu += spent.machineCpuSeconds;
  tally.writes += spent.diskWrites;
};

/**
 * LanPost's durable write alone, without SMTP or the index: `sessions` writers putting `count`
 * files into a Maildir through the engine's own tmp/ → durable write → new/ → folder fsync: how much
 * of a message's time the disk itself takes on this machine.
 */
async function durableWritesAlone(root: string, sessions: number, count: number, size: number): Promise<number> {
  const folder = fs.mkdtempSync(path.join(root, 'bare-'));
  ensureMaildir(folder, false);
  const content = Buffer.from(messageOfSize(size, 0));
  let started = 0;
  const begin = performance.now();
  await Promise.all(
    Array.from({ length: sessions }, async () => {
      while (started++ < count) {
        const base = newBaseName();
        await writeMessageFile(folder, content, base, fileNameFor(base, content.length, [], true));
        await directorySync.sync(path.join(folder, 'new'));
      }
    }),
  );
  // Left in place until the end: removing thousands of files now would slow the file creations
  // that follow on this file system (see the data folder note in run()).
  return count / ((performance.now() - begin) / 1000);
}

function peerMaildir(): string | null {
  if (!fs.existsSync('/tmp/refstack/READY') || spawnSync('which', ['smtp-source']).status !== 0) return null;
  if (spawnSync('id', ['bench']).status !== 0) spawnSync('useradd', ['-m', '-s', '/usr/sbin/nologin', 'bench']);
  const maildir = '/home/bench/Maildir';
  for (const sub of ['', '/cur', '/new', '/tmp']) fs.mkdirSync(maildir + sub, { recursive: true });
  spawnSync('chown', ['-R', 'bench:bench', maildir]);
  return `${maildir}/new`;
}

export async function run(args: string[]): Promise<void> {
  const options = parse(args);
  if (options.target) {
    const [host, port] = options.target.split(':');
    await nodeLoad(`target ${options.target}`, { host: host!, port: Number(port), size: options.size, sender: 'bench@example.org', recipient: options.rcpt }, options);
    return;
  }

  // The data folder goes into the checkout, where `lanpost serve` keeps its own by default
  // (./lanpost-data), not into the temp folder: tests create and delete thousands of files there,
  // and ext4 then skips recently freed inodes on every file creation for a minute or more
  // (measured here: 0.4–0.6 ms per new file in /tmp, 0.014 ms elsewhere), which no installation sees.
  const checkout = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
  const dataDir = fs.mkdtempSync(path.join(checkout, 'lanpost-bench-'));
  // 50 sessions from one address: the load generator is not an abuser (Postfix's peer set-up
  // exempts loopback from its per-client limits in the same way).
  prepareDataDir(dataDir, (s) => (s.limits.connectionsPerClient = 100));
  await runCli(['user', 'add', 'bench@lanpost.lan', '--data', dataDir], { input: 'bench password 1\n' });
  const serve = await spawnServe(dataDir);
  const pid = serve.child.pid!;
  try {
    await new Promise((r) => setTimeout(r, 3000));
    const idle = processMemoryMb(pid);
    console.log(`LanPost engine (pid ${pid}), every service enabled, idle RSS ${fmt(idle.rssMb)} MB (Postfix + Dovecot + BIND idle: ~97 MB)`);
    const port = serve.ports.smtp!;
    await nodeLoad('LanPost', { host: '127.0.0.1', port, size: options.size, sender: 'bench@example.org', recipient: 'bench@lanpost.lan' }, options);
    console.log(`LanPost peak RSS during the load: ${fmt(processMemoryMb(pid).peakMb)} MB`);

    const postfixNew = peerMaildir();
    if (!postfixNew) {
      console.log('\nPeer stack not running (/tmp/refstack/READY missing) or smtp-source absent: no side-by-side figure.');
      return;
    }
    console.log(`\nSide by side, one run, Postfix's smtp-source as the client (${options.count} messages of ${options.size} bytes in ${options.rounds} rounds, Postfix and LanPost taking turns; accept + delivery into the Maildir)`);
    console.log('mode        sessions   Postfix msg/s   LanPost msg/s   ratio   rounds           CPU ms/msg (machine)   disk writes/msg');
    for (const reuse of [true, false]) {
      for (const sessions of options.sessions) {
        const count = Math.ceil((reuse ? options.count : Math.min(options.count, sessions * 100)) / options.rounds);
        const postfix: Tally = { seconds: 0, messages: 0, cpu: 0, writes: 0 };
        const lanpost: Tally = { seconds: 0, messages: 0, cpu: 0, writes: 0 };
        const ratios: string[] = [];
        for (let round = 0; round < options.rounds; round++) {
          const p = measure(() => smtpSource(25, 'bench@lyshark.com', sessions, count, options.size, reuse, postfixNew));
          addTo(postfix, p.result, count, p.spent);
          const l = measure(() => smtpSource(port, 'bench@lanpost.lan', sessions, count, options.size, reuse));
          addTo(lanpost, l.result, count, l.spent);
          ratios.push(fmt(p.result / l.result, 2));
        }
        const rate = (t: Tally) => t.messages / t.seconds;
        const perMessage = (t: Tally, value: number, scale = 1) => fmt((value * scale) / t.messages, 2);
        console.log(
          `${(reuse ? 'reused' : 'per-conn').padEnd(10)} ${String(sessions).padStart(9)} ${fmt(rate(postfix)).padStart(15)} ${fmt(rate(lanpost)).padStart(15)} ${fmt(rate(lanpost) / rate(postfix), 2).padStart(7)}   ${ratios.join(' ').padEnd(16)} ${perMessage(postfix, postfix.cpu, 1000).padStart(7)} / ${perMessage(lanpost, lanpost.cpu, 1000).padEnd(13)} ${perMessage(postfix, postfix.writes).padStart(6)} / ${perMessage(lanpost, lanpost.writes)}`,
        );
        if (reuse && sessions === 10) {
          const bare = await durableWritesAlone(dataDir, sessions, options.count, options.size);
          console.log(`           (LanPost's durable Maildir write alone, 10 at once, no SMTP, no index: ${fmt(bare)} files/s on this disk)`);
        }
      }
    }
    console.log('  ratio = LanPost msg/s ÷ Postfix msg/s (rounds: each round\'s ratio). CPU: the whole machine, client included.');
    console.log('  Disk writes: write requests the disk completed per message (Postfix fsyncs a queue file and the Maildir file).');
    for (const f of fs.readdirSync(postfixNew)) fs.unlinkSync(path.join(postfixNew, f));
    console.log(`LanPost peak RSS: ${fmt(processMemoryMb(pid).peakMb)} MB`);
  } finally {
    await serve.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

// npm run bench -- dns [--seconds=10] [--rounds=5] [--clients=4] [--outstanding=100]
//
// Queries/second over UDP with dnsperf (Debian's) for a mix of MX, SOA, A, AAAA, SRV and A
// questions, and the server's peak RSS: LanPost (`lanpost serve`, its own process, the whole
// engine) side by side with dnsmasq (started here in authoritative mode with the same records on
// a free loopback port) and, when the peer stack runs (/tmp/refstack/READY), BIND serving
// lyshark.com on 127.0.0.1:53 (the same kinds of questions about its zone). Each server gets
// `seconds` of load in all, in `rounds` turns taken one after the other (so that a busy moment of
// a shared machine does not fall on one server only); the ratios are what count. A bare Node UDP
// echo (no DNS at all, one process like LanPost) shows the ceiling of Node's dgram on this machine,
// and the CPU time each server's processes spent per query shows why.
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import dgram from 'node:dgram';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnServe } from '../test/helpers/cli.js';
import { prepareDataDir, tempDataDir } from '../test/helpers/engine.js';
import { processCpuSeconds, processMemoryMb } from './_machine.js';

interface Options {
  seconds: number;
  rounds: number;
  clients: number;
  outstanding: number;
}

interface Target {
  name: string;
  port: number;
  queries: string[];
  /** Answers with an answer section (checked with dig before the load). */
  answers: boolean;
  /** The server's processes, for memory. */
  pids: () => number[];
}

interface Figures {
  completed: number;
  runSeconds: number;
  /** CPU seconds the server's processes spent during the run. */
  cpuSeconds: number;
  qps: number;
  lost: string;
  latency: string;
  peakRssMb: number;
}

const DOMAIN = 'lanpost.lan';
const LANPOST_QUERIES = [`${DOMAIN} MX`, `${DOMAIN} SOA`, `mail.${DOMAIN} A`, `mail.${DOMAIN} AAAA`, `_imaps._tcp.${DOMAIN} SRV`, `dns.${DOMAIN} A`];
const PEER_QUERIES = ['lyshark.com MX', 'lyshark.com SOA', 'mail.lyshark.com A', 'lyshark.com AAAA', 'lyshark.com NS', 'dns.lyshark.com A'];

function parse(args: string[]): Options {
  const get = (name: string) => args.find((a) => a.startsWith(`--${name}=`))?.split('=')[1];
  return { seconds: Number(get('seconds') ?? 10), rounds: Math.max(1, Number(get('rounds') ?? 5)), clients: Number(get('clients') ?? 4), outstanding: Number(get('outstanding') ?? 100) };
}

function has(command: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${command}`]).status === 0;
}

function freeUdpPort(): Promise<number> {
  return new Promise((resolve) => {
    const socket = dgram.createSocket('udp4');
    socket.bind(0, '127.0.0.1', () => {
      const { port } = socket.address();
      socket.close(() => resolve(port));
    });
  });
}

function pidsByName(name: string): number[] {
  return fs
    .readdirSync('/proc')
    .filter((p) => /^\d+$/.test(p))
    .filter((p) => {
      try {
        return fs.readFileSync(`/proc/${p}/comm`, 'utf8').trim() === name;
      } catch {
        return false;
      }
    })
    .map(Number);
}

function dnsperf(target: Target, options: Options, queryFile: string): Figures {
  const cpu = () => target.pids().reduce((sum, pid) => sum + processCpuSeconds(pid), 0);
  const cpuBefore = cpu();
  const result = spawnSync(
    'dnsperf',
    ['-s', '127.0.0.1', '-p', String(target.port), '-d', queryFile, '-l', String(options.seconds), '-c', String(options.clients), '-T', '1', '-q', String(options.outstanding), '-t', '2'],
    { encoding: 'utf8', timeout: (options.seconds + 30) * 1000 },
  );
  const text = `${result.stdout}${result.stderr}`;
  const qps = Number(/Queries per second:\s+([\d.]+)/.exec(text)?.[1] ?? 0);
  const completed = Number(/Queries completed:\s+(\d+)/.exec(text)?.[1] ?? 0);
  const runSeconds = Number(/Run time \(s\):\s+([\d.]+)/.exec(text)?.[1] ?? 0);
  const codes = /Response codes:\s+(.*)/.exec(text)?.[1] ?? '';
  if (!qps || /SERVFAIL|REFUSED|NXDOMAIN|FORMERR/.test(codes)) throw new Error(`dnsperf against ${target.name} failed:\n${text.slice(-1500)}`);
  const peakMb = target.pids().reduce((sum, pid) => sum + processMemoryMb(pid).peakMb, 0);
  return {
    completed,
    runSeconds,
    cpuSeconds: cpu() - cpuBefore,
    qps,
    lost: /Queries lost:\s+(\d+)/.exec(text)?.[1] ?? '?',
    latency: `${(Number(/Average Latency \(s\):\s+([\d.]+)/.exec(text)?.[1] ?? 0) * 1000).toFixed(2)} ms`,
    peakRssMb: peakMb,
  };
}

/** Every question answered NOERROR with an answer, checked with dig before the load. */
function check(target: Target): void {
  for (const line of target.queries) {
    const [name, type] = line.split(' ') as [string, string];
    const out = execFileSync('dig', ['@127.0.0.1', '-p', String(target.port), '+time=2', '+tries=1', name, type], { encoding: 'utf8' });
    if (!/status: NOERROR/.test(out) || /ANSWER: 0,/.test(out)) throw new Error(`${target.name} does not answer ${line}:\n${out}`);
  }
}

/** Sends each datagram back with QR set: Node's UDP receive+send path and nothing else. */
const ECHO_SOURCE = `
const dgram = require('node:dgram');
const socket = dgram.createSocket({ type: 'udp4', lookup: (host, options, callback) => callback(null, host, 4) });
socket.on('message', (msg, rinfo) => {
  const out = Buffer.allocUnsafe(msg.length);
  msg.copy(out);
  out[2] |= 0x80;
  socket.send(out, rinfo.port, rinfo.address);
});
socket.bind(Number(process.argv[1]), '127.0.0.1');
`;

function startDnsmasq(port: number, pidFile: string): ChildProcess {
  return spawn(
    'dnsmasq',
    [
      '--conf-file=/dev/null',
      `--port=${port}`,
      '--listen-address=127.0.0.1',
      '--bind-interfaces',
      '--no-resolv',
      '--no-hosts',
      '--no-poll',
      '--keep-in-foreground',
      `--pid-file=${pidFile}`,
      `--auth-server=dns.${DOMAIN},127.0.0.1`,
      `--auth-zone=${DOMAIN}`,
      `--auth-soa=2026010101,postmaster.${DOMAIN},3600,900,604800`,
      '--auth-ttl=300',
      `--mx-host=${DOMAIN},mail.${DOMAIN},10`,
      `--host-record=mail.${DOMAIN},127.0.0.1,::1`,
      `--host-record=dns.${DOMAIN},127.0.0.1`,
      `--srv-host=_imaps._tcp.${DOMAIN}`,
    ],
    { stdio: 'ignore' },
  );
}

export async function run(args: string[]): Promise<void> {
  const options = parse(args);
  if (!has('dnsperf') || !has('dig')) {
    console.log('dnsperf and dig are needed (apt-get install dnsperf dnsutils); skipped');
    return;
  }
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'lanpost-dns-bench-'));
  const dataDir = tempDataDir();
  // The same records as the dnsmasq below: MX, SOA, A and AAAA of the mail host, A of dns, an SRV.
  prepareDataDir(dataDir, (settings) => {
    settings.dns.hostAddresses = ['127.0.0.1', '::1'];
    settings.services.imaps.enabled = false;
  });
  const serve = await spawnServe(dataDir);
  let dnsmasq: ChildProcess | null = null;
  let echo: ChildProcess | null = null;
  try {
    const targets: Target[] = [{ name: 'LanPost', port: serve.ports.dns!, queries: LANPOST_QUERIES, answers: true, pids: () => [serve.child.pid!] }];
    if (has('dnsmasq')) {
      const port = await freeUdpPort();
      dnsmasq = startDnsmasq(port, path.join(work, 'dnsmasq.pid'));
      await new Promise((r) => setTimeout(r, 500));
      targets.push({ name: 'dnsmasq', port, queries: LANPOST_QUERIES, answers: true, pids: () => (dnsmasq?.pid ? [dnsmasq.pid] : []) });
    } else console.log('dnsmasq not installed: no dnsmasq figures');
    if (fs.existsSync('/tmp/refstack/READY')) targets.push({ name: 'BIND (peer)', port: 53, queries: PEER_QUERIES, answers: true, pids: () => pidsByName('named') });
    else console.log('peer stack not running (/tmp/refstack/READY missing): no BIND figures');
    const echoPort = await freeUdpPort();
    echo = spawn(process.execPath, ['-e', ECHO_SOURCE, String(echoPort)], { stdio: 'ignore' });
    await new Promise((r) => setTimeout(r, 300));
    targets.push({ name: 'Node echo', port: echoPort, queries: LANPOST_QUERIES, answers: false, pids: () => (echo?.pid ? [echo.pid] : []) });

    for (const target of targets) if (target.answers) check(target);
    const files = new Map(targets.map((t) => [t.name, path.join(work, `${t.name.split(' ')[0]}.queries`)]));
    for (const target of targets) fs.writeFileSync(files.get(target.name)!, target.queries.join('\n') + '\n');
    // Warm-up: the JIT, and whatever the engine does in its first seconds.
    dnsperf({ ...targets[0]!, pids: () => [] }, { ...options, seconds: 2 }, files.get('LanPost')!);

    console.log(`dnsperf, ${options.rounds} turns of ${Math.max(1, Math.round(options.seconds / options.rounds))} s per server, -c ${options.clients} -q ${options.outstanding}, UDP, ${os.cpus().length} cores, load average ${os.loadavg()[0]!.toFixed(1)} at start`);
    const figures = new Map<string, Figures>();
    const turn = { ...options, seconds: Math.max(1, Math.round(options.seconds / options.rounds)) };
    for (let round = 0; round < options.rounds; round++) {
      for (const target of targets) {
        const result = dnsperf(target, turn, files.get(target.name)!);
        const sum = figures.get(target.name);
        figures.set(
          target.name,
          sum
            ? { ...result, completed: sum.completed + result.completed, runSeconds: sum.runSeconds + result.runSeconds, cpuSeconds: sum.cpuSeconds + result.cpuSeconds, lost: String(Number(sum.lost) + Number(result.lost)) }
            : result,
        );
      }
    }
    for (const [name, result] of figures) {
      result.qps = result.completed / result.runSeconds;
      const cpuMicros = (result.cpuSeconds * 1e6) / result.completed;
      console.log(`  ${name.padEnd(12)} ${Math.round(result.qps).toString().padStart(7)} queries/s   ${cpuMicros.toFixed(1).padStart(5)} µs CPU/query   lost ${result.lost}   avg latency ${result.latency} (last turn)   peak RSS ${result.peakRssMb.toFixed(1)} MB`);
    }
    const ours = figures.get('LanPost')!.qps;
    for (const [name, result] of figures) {
      if (name !== 'LanPost') console.log(`  LanPost / ${name}: ${(ours / result.qps).toFixed(2)}${name === 'Node echo' ? '   (the share of Node\'s bare UDP path that the DNS logic leaves)' : ''}`);
    }
    console.log('  (LanPost\'s RSS is the whole engine: SMTP, POP3, IMAP, admin API and DNS in one process)');
    console.log(`  load average ${os.loadavg()[0]!.toFixed(1)} at the end; figures from a shared machine drift from run to run`);
  } finally {
    dnsmasq?.kill();
    echo?.kill();
    await serve.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
    fs.rmSync(work, { recursive: true, force: true });
  }
}

// What the machine spent during a measurement, from Linux's /proc (zeros elsewhere): CPU time of
// a process or of the whole machine, a process's memory, and write requests that reached the disks.
import fs from 'node:fs';

const TICKS_PER_SECOND = 100; // USER_HZ, 100 on every Linux that Node runs on

function read(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

/** User + system CPU seconds of a process (all its threads) so far; 0 once it is gone. */
export function processCpuSeconds(pid: number): number {
  const stat = read(`/proc/${pid}/stat`);
  if (!stat) return 0;
  // utime and stime, fields 14 and 15 of proc(5): 12 and 13 after the command name, which is in
  // parentheses and may itself contain spaces and parentheses.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
}

/** Resident memory of a process now and at its peak (VmRSS, VmHWM), in MB; 0 once it is gone. */
export function processMemoryMb(pid: number): { rssMb: number; peakMb: number } {
  const status = read(`/proc/${pid}/status`);
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0);
  return { rssMb: kb('VmRSS') / 1024, peakMb: kb('VmHWM') / 1024 };
}

/** CPU seconds the whole machine spent busy (every core, every process) so far. */
export function machineBusySeconds(): number {
  const [, ...ticks] = read('/proc/stat').split('\n')[0]!.trim().split(/\s+/).map(Number);
  if (ticks.length < 5) return 0;
  const idle = ticks[3]! + ticks[4]!; // idle + iowait
  return (ticks.reduce((sum, t) => sum + t, 0) - idle) / TICKS_PER_SECOND;
}

/** Write requests completed by the whole disks (not their partitions) so far. */
export function diskWrites(): number {
  let total = 0;
  for (const line of read('/proc/diskstats').split('\n')) {
    const fields = line.trim().split(/\s+/);
    const name = fields[2] ?? '';
    if (!/^(sd[a-z]+|vd[a-z]+|xvd[a-z]+|nvme\d+n\d+|mmcblk\d+)$/.test(name)) continue;
    total += Number(fields[7] ?? 0);
  }
  return total;
}

export interface Spent {
  machineCpuSeconds: number;
  diskWrites: number;
}

/** Runs `work` and returns what it took from the machine besides its own result. */
export function measure<T>(work: () => T): { result: T; spent: Spent } {
  const cpu = machineBusySeconds();
  const writes = diskWrites();
  const result = work();
  return { result, spent: { machineCpuSeconds: machineBusySeconds() - cpu, diskWrites: diskWrites() - writes } };
}

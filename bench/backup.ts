// npm run bench -- backup [--messages=50000] [--size=4096] [--runs=2]
//
// Backup and restore of a data folder holding `messages` messages of about `size` bytes, all
// through the `lanpost` command as an admin runs it: (1) `lanpost import mbox` of one mbox file
// with them (messages/s: each one durable, indexed, with its checkpoint); (2) `lanpost backup`
// (MB/s of the archive) against `tar -cf` of the same data folder in the same run, alternately
// `runs` times each (both read from the page cache after the first); (3) `lanpost restore` into a
// new folder (seconds; every file checked against the manifest, then synced to disk).
import { execFileSync, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { LANPOST_BIN } from '../test/helpers/cli.js';
import { prepareDataDir, tempDataDir } from '../test/helpers/engine.js';

const USER = 'bench@lanpost.lan';

function option(options: string[], name: string, fallback: number): number {
  const found = options.find((o) => o.startsWith(`--${name}=`));
  return found ? Number(found.split('=')[1]) : fallback;
}

/** Runs `lanpost ARGS`; returns the seconds it took (throws with its output when it fails). */
function lanpost(args: string[], input = ''): number {
  const started = process.hrtime.bigint();
  const result = spawnSync(process.execPath, [LANPOST_BIN, ...args], { input, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (result.status !== 0) throw new Error(`lanpost ${args.join(' ')} failed:\n${result.stdout}\n${result.stderr}`);
  return seconds;
}

function timed(run: () => void): number {
  const started = process.hrtime.bigint();
  run();
  return Number(process.hrtime.bigint() - started) / 1e9;
}

/** An mbox of `count` messages of about `size` bytes (base64 text, so nothing needs quoting). */
function writeMbox(file: string, count: number, size: number): number {
  const fd = fs.openSync(file, 'w');
  let bytes = 0;
  try {
    for (let i = 0; i < count; i++) {
      const body = crypto.randomBytes(Math.ceil((size * 3) / 4)).toString('base64').replace(/.{76}/g, '$&\n');
      const text = `From sender@example.org Mon Jan  8 10:00:00 2024\nFrom: sender@example.org\nTo: ${USER}\nSubject: message ${i}\nMessage-ID: <${i}@bench.example>\n\n${body}\n\n`;
      bytes += fs.writeSync(fd, text);
    }
  } finally {
    fs.closeSync(fd);
  }
  return bytes;
}

const mb = (bytes: number) => bytes / 1048576;

export async function run(options: string[]): Promise<void> {
  const count = option(options, 'messages', 50_000);
  const size = option(options, 'size', 4096);
  const runs = option(options, 'runs', 2);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'lanpost-bench-backup-'));
  const dataDir = tempDataDir('lanpost-bench-data-');
  try {
    prepareDataDir(dataDir);
    lanpost(['user', 'add', USER, '--data', dataDir], 'bench password 1\n');
    const mbox = path.join(work, 'old.mbox');
    const mboxBytes = writeMbox(mbox, count, size);
    console.log(`${count} messages of ~${size} bytes (${mb(mboxBytes).toFixed(0)} MB of mbox)`);

    const importSeconds = lanpost(['import', 'mbox', mbox, '--user', USER, '--data', dataDir]);
    console.log(`import mbox: ${importSeconds.toFixed(1)} s, ${(count / importSeconds).toFixed(0)} messages/s`);
    fs.rmSync(mbox);

    const backupRates: number[] = [];
    const tarRates: number[] = [];
    let archive = '';
    for (let i = 0; i < runs; i++) {
      const tarFile = path.join(work, `tar-${i}.tar`);
      const tarSeconds = timed(() => execFileSync('tar', ['-cf', tarFile, '-C', dataDir, '.']));
      tarRates.push(mb(fs.statSync(tarFile).size) / tarSeconds);
      fs.rmSync(tarFile);
      archive = path.join(work, `backup-${i}.tar`);
      const backupSeconds = lanpost(['backup', '--data', dataDir, '--out', archive]);
      backupRates.push(mb(fs.statSync(archive).size) / backupSeconds);
      if (i < runs - 1) fs.rmSync(archive);
    }
    const best = (rates: number[]) => Math.max(...rates);
    console.log(`backup: ${mb(fs.statSync(archive).size).toFixed(0)} MB archive; lanpost backup ${backupRates.map((r) => r.toFixed(0)).join(' / ')} MB/s, tar -cf ${tarRates.map((r) => r.toFixed(0)).join(' / ')} MB/s`);
    console.log(`backup / tar -cf (best of ${runs}): ${(best(backupRates) / best(tarRates)).toFixed(2)}`);

    const target = path.join(work, 'restored');
    const restoreSeconds = lanpost(['restore', archive, '--data', target]);
    console.log(`restore: ${restoreSeconds.toFixed(1)} s (${(count / restoreSeconds).toFixed(0)} messages/s, every file checked, then synced to disk)`);
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

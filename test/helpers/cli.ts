// The `lanpost` command as a child process, as scripts and admins run it.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const LANPOST_BIN = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'bin', 'lanpost.js');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function runCli(args: string[], options: { input?: string; timeoutMs?: number } = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [LANPOST_BIN, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c));
    child.stderr.on('data', (c: Buffer) => (stderr += c));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`lanpost ${args.join(' ')} timed out\n${stdout}\n${stderr}`));
    }, options.timeoutMs ?? 30_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(options.input ?? '');
  });
}

export interface ServeProcess {
  child: ChildProcess;
  output: () => string;
  ports: Record<string, number>;
  adminUrl: string;
  /** SIGTERM and wait for the exit code. */
  stop(): Promise<number | null>;
}

/** `lanpost serve --data DIR`, resolved once it printed its admin URL. */
export function spawnServe(dataDir: string, timeoutMs = 30_000): Promise<ServeProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [LANPOST_BIN, 'serve', '--data', dataDir], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const ports: Record<string, number> = {};
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`serve did not start:\n${output}`));
    }, timeoutMs);
    const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
    const onData = (chunk: Buffer) => {
      output += chunk;
      for (const match of output.matchAll(/^(\w+) \S+:(\d+) listening$/gm)) ports[match[1]!] = Number(match[2]);
      const admin = /^admin (http:\S+)$/m.exec(output);
      if (admin) {
        clearTimeout(timer);
        child.stdout!.off('data', onData);
        child.stdout!.on('data', (c: Buffer) => (output += c));
        resolve({
          child,
          output: () => output,
          ports,
          adminUrl: admin[1]!,
          stop: () => {
            child.kill('SIGTERM');
            return exited;
          },
        });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (c: Buffer) => (output += c));
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`serve exited with ${code}:\n${output}`));
    });
  });
}

// A small tmpfs, for a real full disk: it needs root on Linux (mount); elsewhere the tests that use
// it are skipped, saying why.
import { execFileSync } from 'node:child_process';

/** Mounts a tmpfs of `size` (e.g. "20m") on `dir`; null when done, else why it could not be. */
export function mountTmpfs(dir: string, size: string): string | null {
  if (process.platform !== 'linux' || process.getuid?.() !== 0) return 'needs root on Linux to mount a small tmpfs';
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir], { stdio: 'pipe' });
    return null;
  } catch (error) {
    return `mount refused: ${(error as Error).message}`;
  }
}

export function unmount(dir: string): void {
  execFileSync('umount', ['-l', dir]);
}

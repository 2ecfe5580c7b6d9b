// Progress bars on the terminal for the long commands (backup, restore, import): drawn on stderr
// when it is a terminal, nothing otherwise (scripts read the summary line on stdout).
import cliProgress from 'cli-progress';

export interface Progress {
  /** `total` null: not known yet (the bar shows the count only). */
  update(done: number, total: number | null, label?: string): void;
  /** Takes the bar off the terminal (again: nothing). */
  stop(): void;
}

export function terminalProgress(what: string): Progress {
  const bar = new cliProgress.SingleBar(
    { format: `${what} [{bar}] {value}/{total} {label}`, stream: process.stderr, hideCursor: true, clearOnComplete: true, etaBuffer: 50 },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  return {
    update(done, total, label = '') {
      if (!process.stderr.isTTY) return;
      if (!started) bar.start(total ?? done, done, { label });
      started = true;
      if (total !== null) bar.setTotal(total);
      else if (done > bar.getTotal()) bar.setTotal(done);
      bar.update(done, { label });
    },
    stop() {
      if (started) bar.stop();
      started = false;
    },
  };
}

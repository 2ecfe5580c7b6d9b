// lanpost serve: every enabled service and the admin API, one line per service, stop on SIGTERM.
import { startEngine } from '../engine.js';
import { describeStatus } from '../net/listener.js';

export async function serve(dataDir: string): Promise<number> {
  const print = (line: string) => process.stdout.write(line + '\n');
  // Listen for a stop from the very start: one that arrives while starting is obeyed once started.
  let requested: string | null = null;
  let stop = (reason: string) => void (requested ??= reason);
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('message', (message: { type?: string }) => message?.type === 'stop' && stop('stop requested'));

  const engine = await startEngine({ dataDir, print });
  print(`data ${dataDir}`);
  for (const status of engine.statuses()) print(describeStatus(status));
  if (engine.firstStart) {
    print(`first start: created the mailbox ${engine.firstStart.address} with the password ${engine.firstStart.password}`);
    print(`  (shown only this once; change it with: lanpost user passwd ${engine.firstStart.address})`);
  }
  print(`admin ${engine.adminUrl}`);
  process.send?.({ type: 'ready', adminUrl: engine.adminUrl, services: engine.statuses() });
  return new Promise((resolve) => {
    let stopping = false;
    stop = (reason: string) => {
      if (stopping) return;
      stopping = true;
      print(`${reason}: stopping`);
      engine.stop().then(
        () => resolve(0),
        (error: Error) => {
          process.stderr.write(`lanpost: stop failed: ${error.message}\n`);
          resolve(1);
        },
      );
    };
    if (requested) stop(requested);
  });
}

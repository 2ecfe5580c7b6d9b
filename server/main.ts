// The engine's entry when started as a process of its own: the desktop app forks it (Electron's
// utilityProcess, or the system Node), `node server/main.js --data DIR` runs it by hand. The
// process itself is engine-process.ts, the same that `lanpost serve` runs.
import path from 'node:path';
import { parseArgs } from 'node:util';
import { runEngineProcess } from './engine-process.js';

const USAGE = 'Usage: node server/main.js [--data DIR]   (the data folder: --data, else $LANPOST_DATA, else ./lanpost-data)';

let dataDir: string;
try {
  const { values } = parseArgs({ args: process.argv.slice(2), options: { data: { type: 'string' } } });
  dataDir = path.resolve(values.data ?? process.env.LANPOST_DATA ?? 'lanpost-data');
} catch (error) {
  process.stderr.write(`lanpost engine: ${(error as Error).message}\n${USAGE}\n`);
  process.exit(2);
}

try {
  process.exit(await runEngineProcess(dataDir, { parent: true }));
} catch (error) {
  process.stderr.write(`lanpost engine: could not start: ${(error as Error).message}\n`);
  process.exit(1);
}

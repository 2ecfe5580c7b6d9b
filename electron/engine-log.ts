// The engine's output under the desktop app goes to <logs>/engine.log (Electron's logs folder);
// a file past the size limit is kept as engine.log.1 when the next engine process starts.
import fs from 'node:fs';
import path from 'node:path';

export const ENGINE_LOG = 'engine.log';
const MAX_BYTES = 5 * 1024 * 1024;

export function openEngineLog(dir: string, maxBytes = MAX_BYTES): fs.WriteStream {
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, ENGINE_LOG);
  try {
    if (fs.statSync(file).size > maxBytes) fs.renameSync(file, `${file}.1`);
  } catch {
    // no log yet
  }
  const stream = fs.createWriteStream(file, { flags: 'a', mode: 0o600 });
  stream.on('error', () => {}); // a full disk must not take the app down
  return stream;
}

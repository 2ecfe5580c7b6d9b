// Is the compiled engine (dist/) at least as new as every TypeScript source of server/?
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
export const compiledCli = path.join(root, 'dist', 'server', 'cli.js');

function newestSource(dir) {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestSource(full) : entry.name.endsWith('.ts') ? fs.statSync(full).mtimeMs : 0);
  }
  return newest;
}

export function compiledIsFresh() {
  try {
    return fs.statSync(compiledCli).mtimeMs >= newestSource(path.join(root, 'server'));
  } catch {
    return false;
  }
}

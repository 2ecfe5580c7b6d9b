#!/usr/bin/env node
// The `lanpost` command. Runs the compiled engine (dist/, made by `npm run build:server`, which
// `npm ci` runs through `prepare`) when it is at least as new as every source file; otherwise the
// TypeScript sources through tsx, so an edit never runs stale code.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const compiled = path.join(root, 'dist', 'server', 'cli.js');

function newestSource(dir) {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestSource(full) : entry.name.endsWith('.ts') ? fs.statSync(full).mtimeMs : 0);
  }
  return newest;
}

function compiledIsFresh() {
  try {
    return fs.statSync(compiled).mtimeMs >= newestSource(path.join(root, 'server'));
  } catch {
    return false;
  }
}

let entry = compiled;
if (!compiledIsFresh()) {
  const { register } = await import('tsx/esm/api');
  register();
  entry = path.join(root, 'server', 'cli.ts');
}
const { main } = await import(pathToFileURL(entry).href);
process.exit(await main(process.argv.slice(2)));

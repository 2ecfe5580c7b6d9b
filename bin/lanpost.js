#!/usr/bin/env node
// The `lanpost` command. Runs the compiled engine (dist/, made by `npm run build:server`, which
// `npm ci` runs through `prepare`) when it is at least as new as every source file; otherwise the
// TypeScript sources through tsx, so an edit never runs stale code.
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { compiledCli, compiledIsFresh, root } from './compiled.js';

let entry = compiledCli;
if (!compiledIsFresh()) {
  const { register } = await import('tsx/esm/api');
  register();
  entry = path.join(root, 'server', 'cli.ts');
}
const { main } = await import(pathToFileURL(entry).href);
process.exit(await main(process.argv.slice(2)));

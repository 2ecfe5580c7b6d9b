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
let args = process.argv.slice(2);
// `npm run serve` alone, or with options only (`-- --data DIR`), means `lanpost serve`.
const onlyOptions = args.every((arg, i) => arg.startsWith('-') || args[i - 1] === '--data');
if (process.env.npm_lifecycle_event === 'serve' && onlyOptions) args = ['serve', ...args];
process.exit(await main(args));

#!/usr/bin/env node
// npm run bench -- [NAME ...] [--options]: runs bench/NAME.ts (every benchmark when no name is given).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { compiledIsFresh, root } from './compiled.js';
// Benchmarks measure the engine as it ships: compiled, not through tsx.
if (!compiledIsFresh()) {
  console.log('compiling the engine (npm run build:server) ...');
  execFileSync('npm', ['run', '-s', 'build:server'], { cwd: root, stdio: 'inherit' });
}
const { register } = await import('tsx/esm/api');
register();
const benchDir = new URL('../bench/', import.meta.url);
const available = fs.readdirSync(benchDir).filter((f) => f.endsWith('.ts') && !f.startsWith('_')).map((f) => f.slice(0, -3)).sort();
const args = process.argv.slice(2);
const names = args.filter((a) => !a.startsWith('-') && available.includes(a));
const unknown = args.filter((a) => !a.startsWith('-') && !available.includes(a) && !a.includes('='));
if (unknown.length) {
  console.error(`unknown benchmark(s): ${unknown.join(', ')}; available: ${available.join(', ')}`);
  process.exit(2);
}
const options = args.filter((a) => a.startsWith('-') || a.includes('='));
for (const name of names.length ? names : available) {
  console.log(`\n== ${name} ==`);
  const module = await import(new URL(`${name}.ts`, benchDir).href);
  await module.run(options);
}
process.exit(0);

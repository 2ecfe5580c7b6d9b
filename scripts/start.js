#!/usr/bin/env node
// npm start: the desktop app where Electron can start (built first); else, in one line, why not,
// and the headless engine instead (same arguments, e.g. --data DIR). The desktop app runs its
// engine under this script's Node.js (LANPOST_NODE), for which npm ci built the native module.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { desktopEnv, electronFailedReason, electronUnavailableReason, findElectronBinary, missingBuildReason } from './launch.js';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);

function headless(reason) {
  console.log(`LanPost: the desktop app cannot start here (${reason}); running the headless engine instead.`);
  run(process.execPath, [path.join(root, 'bin', 'lanpost.js'), 'serve', ...args], null, process.env);
}

/** Runs a program with our terminal; passes on Ctrl-C / SIGTERM; exits with its code. */
function run(command, commandArgs, onEarlyFailure, env) {
  const child = spawn(command, commandArgs, { stdio: 'inherit', cwd: root, env });
  const forward = (signal) => child.kill(signal);
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, forward);
  const done = (code, signal, spawnError) => {
    for (const signal of ['SIGINT', 'SIGTERM']) process.off(signal, forward);
    const reason = onEarlyFailure ? electronFailedReason(code, spawnError) : null;
    if (reason) return headless(reason);
    if (spawnError) console.error(`LanPost: could not run ${command} (${spawnError})`);
    process.exit(code ?? (signal ? 0 : 1));
  };
  child.on('error', (error) => done(null, null, error.code ?? error.message));
  child.on('exit', (code, signal) => done(code, signal, null));
}

/** tsc for the engine and the desktop app (type errors are reported, the output still written), then the window. */
function build() {
  const steps = [
    ['tsc', ['-p', 'tsconfig.build.json']],
    ['tsc', ['-p', 'electron/tsconfig.json']],
    ['vite', ['build', 'renderer']],
  ];
  for (const [tool, toolArgs] of steps) {
    const bin = path.join(root, 'node_modules', '.bin', process.platform === 'win32' ? `${tool}.cmd` : tool);
    const result = spawnSync(bin, toolArgs, { stdio: 'inherit', cwd: root, shell: process.platform === 'win32' });
    if (result.status !== 0) console.log(`LanPost: ${tool} ${toolArgs.join(' ')} reported problems (see above)`);
  }
}

const electron = findElectronBinary();
const reason = electronUnavailableReason({ platform: process.platform, env: process.env, electronPath: electron });
if (reason) headless(reason);
else {
  build();
  const missing = missingBuildReason((file) => fs.existsSync(path.join(root, file)));
  if (missing) headless(missing);
  else run(electron, [root, ...args], true, desktopEnv(process.env, process.execPath));
}

#!/usr/bin/env node
// npm start: the desktop app where Electron can start; else, in one line, why not, and the
// headless engine instead (same arguments, e.g. --data DIR).
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { electronUnavailableReason, findElectronBinary } from './launch.js';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const electron = findElectronBinary();
const reason = electronUnavailableReason({ platform: process.platform, env: process.env, electronPath: electron });

const command = reason
  ? [process.execPath, [path.join(root, 'bin', 'lanpost.js'), 'serve', ...args]]
  : [electron, [root, ...args]];
if (reason) console.log(`LanPost: the desktop app cannot start here (${reason}); running the headless engine instead.`);

const child = spawn(command[0], command[1], { stdio: 'inherit' });
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 0 : 1)));

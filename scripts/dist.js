#!/usr/bin/env node
// npm run dist: the installers of this OS (electron-builder.yml): Linux AppImage + .deb,
// Windows NSIS, macOS dmg. Needs the Electron binary and network access for Electron's headers.
// electron-builder rebuilds better-sqlite3 for Electron in node_modules while packaging; this
// script rebuilds it for Node afterwards, so that the CLI and the tests keep working.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const windows = process.platform === 'win32';
const platformFlag = { linux: '--linux', win32: '--win', darwin: '--mac' }[process.platform];
if (!platformFlag) {
  console.error(`LanPost: no installer is made for ${process.platform}`);
  process.exit(2);
}

function step(command, args) {
  console.log(`\n> ${command} ${args.join(' ')}`);
  const result = spawnSync(command, args, { stdio: 'inherit', cwd: root, shell: windows });
  return result.status ?? 1;
}

let code = step(windows ? 'npm.cmd' : 'npm', ['run', 'build']);
if (code === 0) {
  code = step(windows ? 'npx.cmd' : 'npx', ['electron-builder', '--config', 'electron-builder.yml', platformFlag, ...process.argv.slice(2)]);
  const restored = step(windows ? 'npm.cmd' : 'npm', ['rebuild', 'better-sqlite3']);
  if (restored !== 0) console.error('LanPost: better-sqlite3 could not be rebuilt for Node; run: npm rebuild better-sqlite3');
}
if (code === 0) console.log(`\nLanPost: installers in ${path.join(root, 'release')}`);
process.exit(code);

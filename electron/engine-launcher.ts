// Where the engine runs. Its native module (better-sqlite3) loads only in the Node it was built
// for: the installed app carries a build for Electron, so it runs the engine in Electron's
// utilityProcess; started from the sources (npm start), the module is the one `npm ci` built for
// the system Node, so the engine runs under that Node as a child process with an IPC channel
// (server/main.ts speaks over process.send there). A pure decision (the file system is asked
// through `isExecutable`), tested in test/electron-engine-launcher.test.ts.
import fs from 'node:fs';
import path from 'node:path';

/** Where the system Node's path came from, in the order they are tried. */
export type NodeSource = 'LANPOST_NODE' | 'npm_node_execpath' | 'NODE' | 'PATH';

export type EngineLauncher =
  | { kind: 'utility-process' }
  | { kind: 'system-node'; nodePath: string; source: NodeSource }
  /** Unpackaged, and no Node.js found: the engine cannot be started (the places looked at). */
  | { kind: 'no-node'; tried: string[] };

export interface LauncherFacts {
  /** Electron's app.isPackaged. */
  isPackaged: boolean;
  env: Record<string, string | undefined>;
  platform: NodeJS.Platform;
  /** Electron's own executable (process.execPath): never taken for the system Node. */
  execPath: string;
  /** Whether a file exists and can be run. */
  isExecutable: (file: string) => boolean;
}

/** The environment variables naming a Node.js: ours (set by npm start), then what npm sets for its scripts. */
const ENV_SOURCES = ['LANPOST_NODE', 'npm_node_execpath', 'NODE'] as const;

/**
 * Places where Node.js is installed but that are not on the PATH of an app started by the desktop
 * (macOS apps started from Finder or at login get /usr/bin:/bin:/usr/sbin:/sbin only).
 */
const EXTRA_DIRS: Partial<Record<NodeJS.Platform, string[]>> = {
  darwin: ['/opt/homebrew/bin', '/usr/local/bin'],
};

/** An environment variable by name; on Windows names are case-insensitive (Path). */
function envValue(env: Record<string, string | undefined>, name: string, platform: NodeJS.Platform): string | undefined {
  if (platform !== 'win32') return env[name];
  const key = Object.keys(env).find((k) => k.toLowerCase() === name.toLowerCase());
  return key === undefined ? undefined : env[key];
}

export function chooseEngineLauncher(facts: LauncherFacts): EngineLauncher {
  if (facts.isPackaged) return { kind: 'utility-process' };
  const found = findSystemNode(facts);
  return 'nodePath' in found ? { kind: 'system-node', ...found } : { kind: 'no-node', tried: found.tried };
}

/** The first usable Node.js: LANPOST_NODE, npm_node_execpath, NODE (absolute paths), then `node` on the PATH. */
export function findSystemNode(facts: Omit<LauncherFacts, 'isPackaged'>): { nodePath: string; source: NodeSource } | { tried: string[] } {
  const { env, platform, isExecutable } = facts;
  const paths = platform === 'win32' ? path.win32 : path.posix;
  const electron = paths.normalize(facts.execPath);
  const usable = (file: string) => paths.isAbsolute(file) && paths.normalize(file) !== electron && isExecutable(file);
  const tried: string[] = [];
  for (const source of ENV_SOURCES) {
    const value = envValue(env, source, platform)?.trim();
    if (!value) continue;
    if (usable(value)) return { nodePath: value, source };
    tried.push(`${source}=${value}`);
  }
  const program = platform === 'win32' ? 'node.exe' : 'node';
  const dirs = (envValue(env, 'PATH', platform) ?? '').split(paths.delimiter).filter((dir) => dir && paths.isAbsolute(dir));
  for (const dir of [...dirs, ...(EXTRA_DIRS[platform] ?? [])]) {
    const file = paths.join(dir, program);
    if (usable(file)) return { nodePath: file, source: 'PATH' };
  }
  tried.push(dirs.length ? `${program} on the PATH` : `${program} on the PATH (PATH is empty)`);
  return { tried };
}

/** `isExecutable` for the real file system: a file this process may run. */
export function isExecutableFile(file: string): boolean {
  try {
    if (!fs.statSync(file).isFile()) return false;
    if (process.platform !== 'win32') fs.accessSync(file, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** One line for the engine log: how this engine is run. */
export function describeLauncher(launcher: EngineLauncher): string {
  switch (launcher.kind) {
    case 'utility-process':
      return "in Electron's utility process";
    case 'system-node':
      return `under the system Node.js ${launcher.nodePath} (from ${launcher.source === 'PATH' ? 'the PATH' : launcher.source})`;
    case 'no-node':
      return `not started: no Node.js found (looked at: ${launcher.tried.join(', ')})`;
  }
}

/** The error thrown when there is no Node.js to run the engine; its code tells the failure classifier. */
export class NoNodeError extends Error {
  readonly code = 'LANPOST_NO_NODE';
  constructor(tried: string[]) {
    super(tried.join(', '));
    this.name = 'NoNodeError';
  }
}

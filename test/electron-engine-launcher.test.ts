// Where the desktop app runs its engine (electron/engine-launcher.ts): Electron's utilityProcess
// in the installed app (its native module is built for Electron), the system Node.js when started
// from the sources (npm ci built the module for that Node).
import { describe, expect, it } from 'vitest';
import { chooseEngineLauncher, describeLauncher, findSystemNode, NoNodeError, type LauncherFacts } from '../electron/engine-launcher.js';

const ELECTRON = '/home/ann/lanpost/node_modules/electron/dist/electron';

function facts(change: Partial<LauncherFacts> & { executables?: string[] } = {}): LauncherFacts {
  const executables = new Set(change.executables ?? ['/usr/bin/node']);
  return {
    isPackaged: false,
    env: { PATH: '/home/ann/lanpost/node_modules/.bin:/usr/local/bin:/usr/bin:/bin' },
    platform: 'linux',
    execPath: ELECTRON,
    isExecutable: (file) => executables.has(file),
    ...change,
  };
}

describe('how the engine is started', () => {
  it('the installed app: in Electron\'s utility process, whatever Node.js the machine has', () => {
    expect(chooseEngineLauncher(facts({ isPackaged: true, env: { LANPOST_NODE: '/usr/bin/node', PATH: '/usr/bin' } }))).toEqual({ kind: 'utility-process' });
    expect(chooseEngineLauncher(facts({ isPackaged: true, env: {}, executables: [] }))).toEqual({ kind: 'utility-process' });
  });

  it('from the sources under npm start: the Node.js npm start ran with (LANPOST_NODE), else the one npm ran with', () => {
    const npm = { npm_node_execpath: '/opt/node-20/bin/node', NODE: '/opt/node-20/bin/node', PATH: '/usr/bin' };
    const executables = ['/usr/bin/node', '/opt/node-20/bin/node', '/opt/node-22/bin/node'];
    expect(chooseEngineLauncher(facts({ env: { ...npm, LANPOST_NODE: '/opt/node-22/bin/node' }, executables }))).toEqual({
      kind: 'system-node',
      nodePath: '/opt/node-22/bin/node',
      source: 'LANPOST_NODE',
    });
    expect(chooseEngineLauncher(facts({ env: npm, executables }))).toEqual({ kind: 'system-node', nodePath: '/opt/node-20/bin/node', source: 'npm_node_execpath' });
    expect(chooseEngineLauncher(facts({ env: { NODE: '/opt/node-20/bin/node' }, executables }))).toEqual({ kind: 'system-node', nodePath: '/opt/node-20/bin/node', source: 'NODE' });
  });

  it('else the first node on the PATH; a named Node.js that is gone, relative, or Electron itself is passed over', () => {
    expect(chooseEngineLauncher(facts())).toEqual({ kind: 'system-node', nodePath: '/usr/bin/node', source: 'PATH' });
    const env = { LANPOST_NODE: '/opt/gone/node', npm_node_execpath: ELECTRON, NODE: 'node', PATH: '/nope:relative/bin:/usr/local/bin:/usr/bin' };
    expect(chooseEngineLauncher(facts({ env, executables: [ELECTRON, '/usr/bin/node', '/usr/local/bin/node'] }))).toEqual({
      kind: 'system-node',
      nodePath: '/usr/local/bin/node',
      source: 'PATH',
    });
  });

  it('no Node.js anywhere: says where it looked', () => {
    const launcher = chooseEngineLauncher(facts({ env: { LANPOST_NODE: '/opt/gone/node', PATH: '/usr/bin:/bin' }, executables: [] }));
    expect(launcher).toEqual({ kind: 'no-node', tried: ['LANPOST_NODE=/opt/gone/node', 'node on the PATH'] });
    expect(chooseEngineLauncher(facts({ env: {}, executables: [] }))).toEqual({ kind: 'no-node', tried: ['node on the PATH (PATH is empty)'] });
    expect(describeLauncher(launcher)).toBe('not started: no Node.js found (looked at: LANPOST_NODE=/opt/gone/node, node on the PATH)');
    const error = new NoNodeError(['node on the PATH']);
    expect([error.code, error.message]).toEqual(['LANPOST_NO_NODE', 'node on the PATH']);
  });

  it('Windows: node.exe on Path (any case), ; between folders', () => {
    const found = findSystemNode({
      env: { Path: 'C:\\Windows\\system32;C:\\Program Files\\nodejs\\' },
      platform: 'win32',
      execPath: 'C:\\src\\lanpost\\node_modules\\electron\\dist\\electron.exe',
      isExecutable: (file) => file === 'C:\\Program Files\\nodejs\\node.exe',
    });
    expect(found).toEqual({ nodePath: 'C:\\Program Files\\nodejs\\node.exe', source: 'PATH' });
  });

  it('macOS started from Finder or at login (short PATH): Homebrew\'s and the installer\'s node', () => {
    const env = { PATH: '/usr/bin:/bin:/usr/sbin:/sbin' };
    expect(findSystemNode({ ...facts({ env, platform: 'darwin', executables: ['/opt/homebrew/bin/node'] }) })).toEqual({ nodePath: '/opt/homebrew/bin/node', source: 'PATH' });
    expect(findSystemNode({ ...facts({ env, platform: 'linux', executables: ['/opt/homebrew/bin/node'] }) })).toEqual({ tried: ['node on the PATH'] });
  });

  it('the engine log says how the engine runs', () => {
    expect(describeLauncher({ kind: 'utility-process' })).toBe("in Electron's utility process");
    expect(describeLauncher({ kind: 'system-node', nodePath: '/usr/bin/node', source: 'npm_node_execpath' })).toBe('under the system Node.js /usr/bin/node (from npm_node_execpath)');
    expect(describeLauncher({ kind: 'system-node', nodePath: '/usr/bin/node', source: 'PATH' })).toBe('under the system Node.js /usr/bin/node (from the PATH)');
  });
});

// Why the engine stopped and whether a restart can help (electron/engine-failure.ts), from the
// texts Node and the engine really print. A Node built for another module ABI is not available
// here, so the ABI mismatch is checked on Node's own message format (src/node_binding.cc); a
// real dlopen failure (a .node file that is not a library) is made by a real Node child.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { classifyEngineFailure, errorLine, FAILURE_TEXT, failureText, type Language } from '../electron/engine-failure.js';
import { tempDataDir } from './helpers/engine.js';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

const MODULE = '/home/ann/lanpost/node_modules/better-sqlite3/build/Release/better_sqlite3.node';
/** Node's message for a module of another ABI, as its binding loader words it (line breaks included). */
const abiMessage = (built: number, needed: number) =>
  `The module '${MODULE}'\nwas compiled against a different Node.js version using\nNODE_MODULE_VERSION ${built}. This version of Node.js requires\nNODE_MODULE_VERSION ${needed}. Please try re-compiling or re-installing\nthe module (for instance, using \`npm rebuild\` or \`npm install\`).`;
const context = { nodePath: '/usr/bin/node', dataDir: '/home/ann/.config/LanPost' };

describe('engine failures a restart will not fix', () => {
  it('a native module built for another Node: the engine says so (failed, ERR_DLOPEN_FAILED) — rebuild it, or reinstall the installed app', () => {
    // The unpackaged app before this fix: the module built by npm ci for Node 20 (115) in Electron's Node.
    const failure = classifyEngineFailure({ failed: { message: abiMessage(115, 145), code: 'ERR_DLOPEN_FAILED' }, exitCode: 1 }, context);
    expect(failure).toMatchObject({ permanent: true, kind: 'native-module', reasonKey: 'native-abi' });
    expect(failure.reason).toBe('The database module better-sqlite3 was built for another Node.js (module version 115, needed 145).');
    expect(failure.fix).toBe('Rebuild it for that Node.js (/usr/bin/node): run npm rebuild better-sqlite3 in the LanPost folder, then choose Try again.');
    expect(failure.detail).toBe(abiMessage(115, 145));
    // The other way round (a module built for Node 24, 137, under Node 20, 115); the installed app's fix is reinstalling.
    const packaged = classifyEngineFailure({ failed: { message: abiMessage(137, 115), code: 'ERR_DLOPEN_FAILED' } }, { packaged: true });
    expect(packaged).toMatchObject({ permanent: true, kind: 'native-module', fixKey: 'reinstall' });
    expect(packaged.reason).toContain('(module version 137, needed 115)');
  });

  it('the same when the engine died before it could say anything: read from the stderr Node printed', () => {
    const stderr = [
      'node:internal/modules/cjs/loader:1460',
      '  return process.dlopen(module, path.toNamespacedPath(filename));',
      '                 ^',
      '',
      `Error: ${abiMessage(115, 137)}`,
      '    at Module._extensions..node (node:internal/modules/cjs/loader:1460:18)',
      '    at Module.load (node:internal/modules/cjs/loader:1203:32) {',
      "  code: 'ERR_DLOPEN_FAILED'",
      '}',
      '',
      'Node.js v24.11.1',
    ].join('\n');
    const failure = classifyEngineFailure({ stderr, exitCode: 1 }, context);
    expect(failure).toMatchObject({ permanent: true, kind: 'native-module', reasonKey: 'native-abi', values: expect.objectContaining({ built: '115', needed: '137' }) });
    expect(failure.detail).toBe(stderr.trim());
  });

  it('a .node file that is no library for this system: the real error of a real Node child', () => {
    const dir = tempDataDir('lanpost-dlopen-');
    dirs.push(dir);
    const bogus = path.join(dir, 'better_sqlite3.node');
    fs.writeFileSync(bogus, 'not a shared library\n');
    const child = spawnSync(process.execPath, ['-e', `require(${JSON.stringify(bogus)})`], { encoding: 'utf8' });
    expect(child.status).toBe(1);
    expect(child.stderr).toContain('ERR_DLOPEN_FAILED');
    const failure = classifyEngineFailure({ stderr: child.stderr, exitCode: child.status }, context);
    expect(failure).toMatchObject({ permanent: true, kind: 'native-module', reasonKey: 'native-load' });
    expect(failure.reason.startsWith(`The database module (better-sqlite3) cannot be loaded: ${bogus}: `), failure.reason).toBe(true); // then the loader's words (invalid ELF header, …)
    expect(failure.reason).not.toMatch(/\n|^\s|\s{2}/);
    // The engine caught the same error and sent it as its failed message.
    const firstLine = errorLine(child.stderr).replace(/^Error: /, '');
    const said = classifyEngineFailure({ failed: { message: firstLine, code: 'ERR_DLOPEN_FAILED' }, exitCode: 1 }, context);
    expect(said).toMatchObject({ permanent: true, kind: 'native-module', reasonKey: 'native-load' });
    expect(said.reason).toBe(`The database module (better-sqlite3) cannot be loaded: ${firstLine}`);
  });

  it('a native module that was never built (npm ci --ignore-scripts)', () => {
    const message = 'Could not locate the bindings file. Tried:\n → /home/ann/lanpost/node_modules/better-sqlite3/build/better_sqlite3.node';
    expect(classifyEngineFailure({ failed: { message, code: 'Error' } }, context)).toMatchObject({ permanent: true, kind: 'native-module', reasonKey: 'native-missing', fixKey: 'rebuild-native' });
  });

  it('bad settings: the setting and the problem, and where settings.json is', () => {
    const failure = classifyEngineFailure({ failed: { message: 'services.imap.port: must be a whole number from 0 to 65535', code: 'SettingsError' }, exitCode: 1 }, context);
    expect(failure).toMatchObject({ permanent: true, kind: 'settings' });
    expect(failure.reason).toBe('settings.json has a bad value: services.imap.port: must be a whole number from 0 to 65535');
    expect(failure.fix).toBe('Correct that value in settings.json in /home/ann/.config/LanPost, then choose Try again.');
  });

  it('a data folder that is a file, not writable or read-only, from the engine or from starting it', () => {
    for (const [code, message] of [
      ['EEXIST', "EEXIST: file already exists, mkdir '/srv/mail'"],
      ['ENOTDIR', "ENOTDIR: not a directory, mkdir '/srv/mail/data'"],
      ['EACCES', "EACCES: permission denied, open '/srv/mail/settings.json.42.tmp'"],
      ['EROFS', "EROFS: read-only file system, open '/srv/mail/settings.json.42.tmp'"],
      ['SQLITE_CANTOPEN', 'unable to open database file'],
    ]) {
      const failure = classifyEngineFailure({ failed: { message: message!, code } }, context);
      expect(failure, code).toMatchObject({ permanent: true, kind: 'data-folder', reason: `The data folder cannot be used: ${message}` });
      expect(failure.fix).toContain('/home/ann/.config/LanPost');
    }
    // The app's own mkdir before starting the engine, without a data folder in the context: the path from the message.
    const early = classifyEngineFailure({ startError: { message: "EEXIST: file already exists, mkdir '/srv/mail'", code: 'EEXIST' } });
    expect(early).toMatchObject({ permanent: true, kind: 'data-folder' });
    expect(early.fix).toContain('Make /srv/mail a folder you can write to');
    expect(classifyEngineFailure({ startError: { message: 'spawn ENOTDIR', code: 'ENOTDIR' } }, context).kind).toBe('data-folder');
  });

  it('no Node.js to run the engine, or one that cannot be run', () => {
    const none = classifyEngineFailure({ startError: { message: 'LANPOST_NODE=/opt/gone/node, node on the PATH', code: 'LANPOST_NO_NODE' } });
    expect(none).toMatchObject({ permanent: true, kind: 'no-node' });
    expect(none.reason).toBe('No Node.js was found to run the engine (looked at: LANPOST_NODE=/opt/gone/node, node on the PATH).');
    expect(none.fix).toMatch(/npm start.*LANPOST_NODE.*Node\.js 20\.19/);
    const gone = classifyEngineFailure({ startError: { message: 'spawn /opt/node/bin/node ENOENT', code: 'ENOENT' } }, { nodePath: '/opt/node/bin/node' });
    expect(gone).toMatchObject({ permanent: true, kind: 'no-node', reason: 'The Node.js at /opt/node/bin/node could not be run (ENOENT).' });
  });

  it('a damaged database', () => {
    expect(classifyEngineFailure({ failed: { message: 'file is not a database', code: 'SQLITE_NOTADB' } }, context)).toMatchObject({
      permanent: true,
      kind: 'database',
      reason: 'The database lanpost.db cannot be read: file is not a database',
    });
  });
});

describe('engine failures a restart may fix', () => {
  it('killed (kill -9, an OS out of memory): the process ended', () => {
    expect(classifyEngineFailure({ exitCode: null, stderr: '' })).toMatchObject({ permanent: false, kind: 'crash', reason: 'the engine process ended' });
  });

  it('died with an error: the exit code and the error line, not the stack', () => {
    const stderr = 'file:///x/server/main.js:12\n    throw new Error("boom");\n    ^\n\nError: boom\n    at file:///x/server/main.js:12:11\n\nNode.js v20.20.2\n';
    expect(classifyEngineFailure({ exitCode: 3, stderr })).toMatchObject({ permanent: false, reason: 'the engine exited with code 3: Error: boom' });
    expect(classifyEngineFailure({ exitCode: 3 })).toMatchObject({ permanent: false, reason: 'the engine exited with code 3' });
  });

  it('a database locked by another program, a full disk, an unknown start failure', () => {
    expect(classifyEngineFailure({ failed: { message: 'database is locked', code: 'SQLITE_BUSY' } })).toMatchObject({ permanent: false, kind: 'database', fixKey: 'stop-other' });
    expect(classifyEngineFailure({ failed: { message: 'ENOSPC: no space left on device, write', code: 'ENOSPC' } })).toMatchObject({ permanent: false, kind: 'disk-full' });
    expect(classifyEngineFailure({ failed: { message: 'listen EADDRINUSE: 127.0.0.1:0', code: 'EADDRINUSE' } })).toMatchObject({ permanent: false, reason: 'listen EADDRINUSE: 127.0.0.1:0' });
    // An engine message from before it carried a code is still shown.
    expect(classifyEngineFailure({ failed: { message: 'something odd' } })).toMatchObject({ permanent: false, reason: 'something odd' });
  });

  it('anything after the engine had been ready is a crash, whatever it printed', () => {
    expect(classifyEngineFailure({ stderr: `Error: ${abiMessage(115, 145)}`, exitCode: 1, wasReady: true })).toMatchObject({ permanent: false, kind: 'crash' });
    expect(classifyEngineFailure({ failed: { message: 'x', code: 'EACCES' }, wasReady: true }).permanent).toBe(false);
  });
});

describe('failure texts', () => {
  it('English and 简体中文 have every reason and fix, and every placeholder is filled', () => {
    expect(Object.keys(FAILURE_TEXT['zh-CN'].reasons).sort()).toEqual(Object.keys(FAILURE_TEXT.en.reasons).sort());
    expect(Object.keys(FAILURE_TEXT['zh-CN'].fixes).sort()).toEqual(Object.keys(FAILURE_TEXT.en.fixes).sort());
    const values = { built: '115', needed: '145', problem: 'p', tried: 't', node: '/usr/bin/node', dataDir: '/d', code: '3' };
    for (const language of ['en', 'zh-CN'] as Language[]) {
      for (const reasonKey of Object.keys(FAILURE_TEXT.en.reasons) as (keyof typeof FAILURE_TEXT.en.reasons)[]) {
        for (const fixKey of Object.keys(FAILURE_TEXT.en.fixes) as (keyof typeof FAILURE_TEXT.en.fixes)[]) {
          const text = failureText({ reasonKey, fixKey, values }, language);
          expect(`${text.reason} ${text.fix}`, `${language} ${reasonKey} ${fixKey}`).not.toMatch(/\{\w+\}/);
        }
      }
    }
    const failure = classifyEngineFailure({ failed: { message: abiMessage(115, 145), code: 'ERR_DLOPEN_FAILED' } }, context);
    expect(failureText(failure, 'zh-CN')).toEqual({
      reason: '数据库模块 better-sqlite3 是为另一个 Node.js 编译的（模块版本 115，需要 145）。',
      fix: '为该 Node.js (/usr/bin/node) 重新编译：在 LanPost 文件夹中运行 npm rebuild better-sqlite3，然后选择“重试”。',
    });
  });
});

// Why the engine stopped, in words, and whether starting it again can help. A pure function of
// what the supervisor saw: the engine's own `failed` message (code + message), the end of its
// stderr (an engine that dies before it can speak, e.g. at a native module it cannot load, only
// leaves Node's error there), its exit code, or the error that kept it from starting at all.
// Permanent failures (a restart gives the same result) stop the restarts; the tray and the
// window show the reason and the fix. The texts are English and 简体中文, like the window.

export type Language = 'en' | 'zh-CN';

export type FailureKind = 'native-module' | 'no-node' | 'settings' | 'data-folder' | 'database' | 'disk-full' | 'crash';

type ReasonKey =
  | 'native-abi'
  | 'native-load'
  | 'native-missing'
  | 'no-node'
  | 'node-unrunnable'
  | 'settings'
  | 'data-folder'
  | 'database-damaged'
  | 'database-locked'
  | 'disk-full'
  | 'crash-message'
  | 'crash-exit'
  | 'crash-exit-line'
  | 'crash-ended';
type FixKey = 'rebuild-native' | 'reinstall' | 'install-node' | 'edit-settings' | 'data-folder' | 'database-damaged' | 'stop-other' | 'free-space' | 'automatic';

export interface FailureInput {
  /** The engine's `failed` message, when it got that far. */
  failed?: { message: string; code?: string } | null;
  /** The end of the engine's stderr (where Node prints an error that ends the process). */
  stderr?: string;
  /** null when the process was ended by a signal or never ran. */
  exitCode?: number | null;
  /** The process could not be started at all (no Node found, spawn error, data folder not creatable). */
  startError?: { message: string; code?: string } | null;
  /** The engine had been ready before it died: a crash, whatever it says (start failures are the permanent kind). */
  wasReady?: boolean;
}

export interface FailureContext {
  /** The installed app (its native module is built for Electron) or the sources (built for the system Node). */
  packaged?: boolean;
  /** The Node.js that runs the engine (unpackaged app). */
  nodePath?: string | null;
  dataDir?: string | null;
}

export interface EngineFailure {
  /** true: starting the engine again gives the same result until the user fixes something. */
  permanent: boolean;
  kind: FailureKind;
  /** What happened, in words (English; `failureText` gives the other languages). */
  reason: string;
  /** What to do about it (English). */
  fix: string;
  /** The engine's own words (error message or the end of its stderr), for the window and the log. */
  detail: string;
  reasonKey: ReasonKey;
  fixKey: FixKey;
  values: Record<string, string>;
}

interface Catalogue {
  reasons: Record<ReasonKey, string>;
  fixes: Record<FixKey, string>;
}

/** {name} is filled from the failure's values. */
export const FAILURE_TEXT: Record<Language, Catalogue> = {
  en: {
    reasons: {
      'native-abi': 'The database module better-sqlite3 was built for another Node.js (module version {built}, needed {needed}).',
      'native-load': 'The database module (better-sqlite3) cannot be loaded: {problem}',
      'native-missing': 'The database module (better-sqlite3) has not been built.',
      'no-node': 'No Node.js was found to run the engine (looked at: {tried}).',
      'node-unrunnable': 'The Node.js at {node} could not be run ({problem}).',
      settings: 'settings.json has a bad value: {problem}',
      'data-folder': 'The data folder cannot be used: {problem}',
      'database-damaged': 'The database lanpost.db cannot be read: {problem}',
      'database-locked': 'Another program is using the database in the data folder (perhaps lanpost serve on the same folder).',
      'disk-full': 'The disk holding the data folder is full.',
      'crash-message': '{problem}',
      'crash-exit': 'the engine exited with code {code}',
      'crash-exit-line': 'the engine exited with code {code}: {problem}',
      'crash-ended': 'the engine process ended',
    },
    fixes: {
      'rebuild-native': 'Rebuild it for that Node.js ({node}): run npm rebuild better-sqlite3 in the LanPost folder, then choose Try again.',
      reinstall: 'Install LanPost again: this installation is damaged or was made for another system.',
      'install-node': 'Start LanPost with npm start, set LANPOST_NODE to the node program that ran npm ci, or install Node.js 20.19 or later; then choose Try again.',
      'edit-settings': 'Correct that value in settings.json in {dataDir}, then choose Try again.',
      'data-folder': 'Make {dataDir} a folder you can write to (not a file, not on a read-only disk), or choose another data folder (--data, LANPOST_DATA or data-folder.txt); then choose Try again.',
      'database-damaged': 'Quit LanPost, check the data folder with lanpost doctor --data {dataDir}, and restore lanpost.db from a backup if it is damaged (the mail files under mail/ are kept).',
      'stop-other': 'Stop the other program; LanPost tries again by itself.',
      'free-space': 'Free some space on that disk; LanPost tries again by itself.',
      automatic: 'LanPost starts it again by itself; the engine log says more.',
    },
  },
  'zh-CN': {
    reasons: {
      'native-abi': '数据库模块 better-sqlite3 是为另一个 Node.js 编译的（模块版本 {built}，需要 {needed}）。',
      'native-load': '无法加载数据库模块 (better-sqlite3)：{problem}',
      'native-missing': '数据库模块 (better-sqlite3) 尚未编译。',
      'no-node': '找不到用来运行引擎的 Node.js（已查找：{tried}）。',
      'node-unrunnable': '无法运行 {node} 处的 Node.js（{problem}）。',
      settings: 'settings.json 中有错误的值：{problem}',
      'data-folder': '无法使用数据文件夹：{problem}',
      'database-damaged': '无法读取数据库 lanpost.db：{problem}',
      'database-locked': '另一个程序正在使用数据文件夹中的数据库（可能是对同一文件夹运行的 lanpost serve）。',
      'disk-full': '数据文件夹所在的磁盘已满。',
      'crash-message': '{problem}',
      'crash-exit': '引擎已退出，退出码 {code}',
      'crash-exit-line': '引擎已退出，退出码 {code}：{problem}',
      'crash-ended': '引擎进程已结束',
    },
    fixes: {
      'rebuild-native': '为该 Node.js ({node}) 重新编译：在 LanPost 文件夹中运行 npm rebuild better-sqlite3，然后选择“重试”。',
      reinstall: '请重新安装 LanPost：此安装已损坏，或是为其他系统制作的。',
      'install-node': '用 npm start 启动 LanPost，或将 LANPOST_NODE 设为运行 npm ci 的 node 程序，或安装 Node.js 20.19 或更高版本；然后选择“重试”。',
      'edit-settings': '在 {dataDir} 中的 settings.json 里改正该值，然后选择“重试”。',
      'data-folder': '请确保 {dataDir} 是一个可写的文件夹（不是文件，也不在只读磁盘上），或选择另一个数据文件夹（--data、LANPOST_DATA 或 data-folder.txt）；然后选择“重试”。',
      'database-damaged': '退出 LanPost，用 lanpost doctor --data {dataDir} 检查数据文件夹；如数据库已损坏，请从备份恢复 lanpost.db（mail/ 下的邮件文件不受影响）。',
      'stop-other': '请停止另一个程序；LanPost 会自动重试。',
      'free-space': '请释放该磁盘的空间；LanPost 会自动重试。',
      automatic: 'LanPost 会自动重新启动它；详情见引擎日志。',
    },
  },
};

const ABI = /NODE_MODULE_VERSION (\d+)\. This version of Node\.js requires\s+NODE_MODULE_VERSION (\d+)/;
/** How Node and the OS loaders say a .node file cannot be loaded (ABI, architecture, libc, damage). */
const NATIVE_LOAD =
  /ERR_DLOPEN_FAILED|was compiled against a different Node\.js version|invalid ELF header|wrong ELF class|not a valid Win32 application|specified module could not be found|mach-o file, but is an incompatible architecture|incompatible architecture|Module did not self-register|undefined symbol|GLIBC_[\d.]+' not found|\.node: cannot open shared object file/;
const NATIVE_MISSING = /Could not locate the bindings file/;
/** File-system errors where the data folder is not a writable folder. */
const FOLDER_CODES = new Set(['EACCES', 'EPERM', 'EROFS', 'ENOTDIR', 'EEXIST', 'EISDIR', 'SQLITE_CANTOPEN', 'SQLITE_READONLY']);
const DAMAGED_CODES = new Set(['SQLITE_CORRUPT', 'SQLITE_NOTADB']);
const DETAIL_MAX = 4000;

/** Fills {name} placeholders; unknown names stay as they are. */
function fill(template: string, values: Record<string, string>): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => values[name] ?? whole);
}

/** The reason and the fix in a language. */
export function failureText(failure: Pick<EngineFailure, 'reasonKey' | 'fixKey' | 'values'>, language: Language = 'en'): { reason: string; fix: string } {
  const catalogue = FAILURE_TEXT[language] ?? FAILURE_TEXT.en;
  return { reason: fill(catalogue.reasons[failure.reasonKey], failure.values), fix: fill(catalogue.fixes[failure.fixKey], failure.values) };
}

/** The line of an error dump that says what went wrong (not the stack, not Node's version line). */
export function errorLine(text: string): string {
  const lines = text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line && !/^at\s/.test(line) && !/^Node\.js v\d/.test(line) && !/^\^+$/.test(line) && !/^[{}]$/.test(line) && !/^[a-z]\w*: .*,$/.test(line)); // not the error's properties (code: '…',)
  const errors = lines.filter((line) => /^(?:Uncaught\s+)?(?:\w+)?(?:Error|Exception)\b|^lanpost engine:/.test(line));
  return (errors.at(-1) ?? lines.at(-1) ?? '').replace(/^lanpost engine: (could not start: )?/, '');
}

function firstLine(text: string): string {
  return text.split(/\r?\n/).find((line) => line.trim())?.trim() ?? '';
}

/** The quoted path in a Node fs error message ("EEXIST: file already exists, mkdir '/x'"). */
function quotedPath(message: string): string | null {
  return /'([^']+)'\s*(?:->.*)?$/.exec(message)?.[1] ?? null;
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

export function classifyEngineFailure(input: FailureInput, context: FailureContext = {}): EngineFailure {
  const failed = input.failed ?? null;
  const startError = input.startError ?? null;
  const stderr = input.stderr ?? '';
  const code = failed?.code ?? startError?.code ?? '';
  const message = failed?.message ?? startError?.message ?? '';
  const all = `${message}\n${stderr}`;
  // The engine's own message when it sent one (its stderr repeats it), else what Node printed.
  const detail = (failed || startError ? message : stderr.trim()).slice(-DETAIL_MAX);
  const base = {
    node: context.nodePath || 'node',
    dataDir: context.dataDir || 'the data folder',
  };
  const make = (permanent: boolean, kind: FailureKind, reasonKey: ReasonKey, fixKey: FixKey, values: Record<string, string> = {}): EngineFailure => {
    const filled = { ...base, ...values };
    const { reason, fix } = failureText({ reasonKey, fixKey, values: filled });
    return { permanent, kind, reason, fix, detail, reasonKey, fixKey, values: filled };
  };
  const crash = (): EngineFailure => {
    if (failed) return make(false, 'crash', 'crash-message', 'automatic', { problem: oneLine(failed.message) });
    if (startError) return make(false, 'crash', 'crash-message', 'automatic', { problem: oneLine(startError.message) });
    const exitCode = input.exitCode ?? null;
    if (exitCode === null) return make(false, 'crash', 'crash-ended', 'automatic');
    const line = errorLine(stderr);
    return line ? make(false, 'crash', 'crash-exit-line', 'automatic', { code: String(exitCode), problem: line }) : make(false, 'crash', 'crash-exit', 'automatic', { code: String(exitCode) });
  };

  // An engine that had been running died: start it again, whatever the cause.
  if (input.wasReady) return crash();

  const nativeFix: FixKey = context.packaged ? 'reinstall' : 'rebuild-native';
  if (startError?.code === 'LANPOST_NO_NODE') return make(true, 'no-node', 'no-node', 'install-node', { tried: oneLine(startError.message) || 'nothing' });
  if (startError && /^spawn\b/.test(startError.message) && !context.packaged && ['ENOENT', 'EACCES', 'EPERM', 'ENOEXEC', 'UNKNOWN'].includes(code))
    return make(true, 'no-node', 'node-unrunnable', 'install-node', { problem: code || oneLine(startError.message) });
  const abi = ABI.exec(all);
  if (abi) return make(true, 'native-module', 'native-abi', nativeFix, { built: abi[1]!, needed: abi[2]! });
  if (NATIVE_MISSING.test(all)) return make(true, 'native-module', 'native-missing', nativeFix);
  if (code === 'ERR_DLOPEN_FAILED' || NATIVE_LOAD.test(all)) {
    const problem = (failed ? firstLine(failed.message) : '') || errorLine(stderr).replace(/^Error:\s*/, '') || 'ERR_DLOPEN_FAILED';
    return make(true, 'native-module', 'native-load', nativeFix, { problem: oneLine(problem) });
  }
  if (code === 'SettingsError') return make(true, 'settings', 'settings', 'edit-settings', { problem: oneLine(message) });
  if (FOLDER_CODES.has(code)) {
    const where = quotedPath(message);
    const values: Record<string, string> = { problem: oneLine(message) };
    if (where && !context.dataDir) values.dataDir = where;
    return make(true, 'data-folder', 'data-folder', 'data-folder', values);
  }
  if (DAMAGED_CODES.has(code)) return make(true, 'database', 'database-damaged', 'database-damaged', { problem: oneLine(message) });
  if (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED') return make(false, 'database', 'database-locked', 'stop-other');
  if (code === 'ENOSPC' || code === 'SQLITE_FULL') return make(false, 'disk-full', 'disk-full', 'free-space');
  return crash();
}

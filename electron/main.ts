// The desktop app: one instance, the engine (kept running by the supervisor) in a utility
// process when installed or under the system Node.js when started from the sources (see
// engine-launcher.ts), the tray built from the engine's state, and the window on the admin URL —
// or, when the engine cannot start, on a local page saying why and how to fix it.
// Thin on purpose: the decisions live in the pure modules next to this file (tested in test/electron-*.test.ts).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  app,
  BrowserWindow,
  clipboard,
  ipcMain,
  Menu,
  nativeImage,
  nativeTheme,
  Notification,
  session,
  shell,
  Tray,
  utilityProcess,
  type IpcMainInvokeEvent,
  type MenuItemConstructorOptions,
} from 'electron';
import { chooseDataDir, DATA_FOLDER_FILE, linuxAutostartEntry, parseDesktopArguments } from './arguments.js';
import { CHANNELS, type DesktopSession } from './bridge.js';
import { clientSettingsText } from './client-settings.js';
import { classifyEngineFailure, type EngineFailure } from './engine-failure.js';
import { chooseEngineLauncher, describeLauncher, isExecutableFile, NoNodeError } from './engine-launcher.js';
import { ENGINE_LOG, openEngineLog } from './engine-log.js';
import { EngineSupervisor, type EngineChild } from './engine-supervisor.js';
import { failurePageUrl, isRetryRequest, pageLanguage } from './failure-page.js';
import { trayIconFile, trayTheme, WINDOW_ICON } from './icons.js';
import { OutputTail, spawnNodeEngine } from './node-engine.js';
import { loadPreferences, savePreferences } from './preferences.js';
import { buildTrayModel, type MenuAction, type TrayModel } from './tray-model.js';
import { adminOrigin, contentSecurityPolicy, isAdminPage, isSafeExternalUrl } from './window-policy.js';

const APP_ID = 'lan.lanpost.app';
const ROOT = app.getAppPath(); // the package root (or app.asar when installed)
const ENGINE_ENTRY = path.join(ROOT, 'dist', 'server', 'main.js');
const PRELOAD = path.join(ROOT, 'dist', 'electron', 'preload.cjs');
const ASSETS = path.join(ROOT, 'assets');
/** Longest wait for the engine to stop cleanly on Quit. */
const STOP_TIMEOUT_MS = 15_000;
const LOGIN_ARGS = ['--hidden'];

// One app folder whatever the package name: %APPDATA%\LanPost, ~/Library/Application Support/LanPost, ~/.config/LanPost.
app.setPath('userData', path.join(app.getPath('appData'), 'LanPost'));
const args = parseDesktopArguments(process.argv);
const dataDir = chooseDataDir(args, process.env, app.getPath('userData'), readText(path.join(app.getPath('userData'), DATA_FOLDER_FILE)));

let tray: Tray | null = null;
let window: BrowserWindow | null = null;
let quitting = false;
let engineStopped = false;
let openWindowWhenReady = !(args.hidden || (process.platform === 'darwin' && app.getLoginItemSettings().wasOpenedAtLogin));
let lastModel = '';
/** The system Node.js running the engine (unpackaged app), for the failure's fix. */
let engineNode: string | null = null;

const supervisor = new EngineSupervisor({
  spawn: spawnEngine,
  classify: (input) => classifyEngineFailure(input, { packaged: app.isPackaged, nodePath: engineNode, dataDir }),
  stopTimeoutMs: STOP_TIMEOUT_MS,
});

if (!app.requestSingleInstanceLock()) {
  // Another LanPost runs: it shows its window (second-instance below) and this one leaves.
  app.quit();
} else {
  app.on('second-instance', () => showWindow());
  app.on('window-all-closed', () => {}); // the tray keeps the app alive
  app.on('activate', () => showWindow()); // macOS: click on the dock icon
  app.on('before-quit', (event) => {
    quitting = true;
    if (engineStopped) return;
    event.preventDefault();
    stopEngineThenQuit();
  });
  // From a terminal (npm start): Ctrl-C quits like the tray's Quit, stopping the engine cleanly.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => app.quit());
  if (process.platform === 'win32') app.setAppUserModelId(APP_ID);
  app.whenReady().then(startDesktop, (error: Error) => {
    console.error(`LanPost: ${error.message}`);
    app.exit(1);
  });
}

function startDesktop(): void {
  Menu.setApplicationMenu(process.platform === 'darwin' ? Menu.buildFromTemplate([{ role: 'appMenu' }, { role: 'editMenu' }, { role: 'windowMenu' }]) : null);
  secureSession();
  ipcMain.handle(CHANNELS.session, (event): DesktopSession => {
    const { adminUrl, adminToken } = supervisor.state;
    if (!fromAdminPage(event) || !adminUrl || !adminToken) throw new Error('not available');
    return { adminUrl, token: adminToken, version: app.getVersion() };
  });
  ipcMain.handle(CHANNELS.openExternal, async (event, url: unknown) => {
    if (!fromAdminPage(event) || !isSafeExternalUrl(url)) return false;
    await shell.openExternal(url);
    return true;
  });

  tray = new Tray(trayImage('stopped'));
  tray.on('click', () => {
    if (process.platform !== 'darwin') showWindow(); // macOS opens the menu on click
  });
  supervisor.on('change', () => refreshTray());
  supervisor.on('ready', (ready) => {
    if (window) void window.loadURL(ready.adminUrl); // a restarted engine has a new port and token
    else if (openWindowWhenReady) showWindow();
    openWindowWhenReady = false;
  });
  // Not started again by itself: say why where the user looks (terminal, window, tray).
  supervisor.on('failed', (failure) => {
    console.error(`LanPost: the engine cannot start: ${failure.reason} ${failure.fix}`);
    if (window) void window.loadURL(failurePage(failure));
    else if (openWindowWhenReady) showWindow();
    openWindowWhenReady = false;
  });
  nativeTheme.on('updated', () => refreshTray(true));
  refreshTray(true);
  supervisor.start();
}

function readText(file: string): string | null {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return null;
  }
}

// ── engine ───────────────────────────────────────────────────────────────────

/**
 * Starts the engine where its native module loads: installed, in Electron's utility process (the
 * package carries a better-sqlite3 built for Electron); from the sources, under the system Node.js
 * that npm ci built it for. Throws when it cannot start it at all (no Node.js, no data folder):
 * the supervisor turns that into a failure with the reason.
 */
function spawnEngine(): EngineChild {
  const launcher = chooseEngineLauncher({ isPackaged: app.isPackaged, env: process.env, platform: process.platform, execPath: process.execPath, isExecutable: isExecutableFile });
  engineNode = launcher.kind === 'system-node' ? launcher.nodePath : null;
  const log = openEngineLog(app.getPath('logs'));
  log.write(`\n--- ${new Date().toISOString()} engine start, data ${dataDir}, ${describeLauncher(launcher)}\n`);
  try {
    if (launcher.kind === 'no-node') throw new NoNodeError(launcher.tried);
    fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  } catch (error) {
    log.end(`--- engine not started: ${(error as Error).message}\n`);
    throw error;
  }
  const env = {
    ...process.env,
    UV_THREADPOOL_SIZE: process.env.UV_THREADPOOL_SIZE ?? '16', // fsyncs of concurrent deliveries run in parallel
    LANPOST_RENDERER_DIR: path.join(ROOT, 'renderer', 'dist'),
  };
  if (launcher.kind === 'system-node') return spawnNodeEngine({ nodePath: launcher.nodePath, entry: ENGINE_ENTRY, args: ['--data', dataDir], cwd: dataDir, env, log });
  const child = utilityProcess.fork(ENGINE_ENTRY, ['--data', dataDir], { serviceName: 'LanPost engine', cwd: dataDir, stdio: 'pipe', env });
  const stderr = new OutputTail();
  child.stdout?.pipe(log, { end: false });
  child.stderr?.pipe(log, { end: false });
  child.stderr?.on('data', (chunk: Buffer) => stderr.push(chunk));
  return {
    send: (message) => child.postMessage(message),
    kill: () => {
      if (process.platform !== 'win32' && child.pid) process.kill(child.pid, 'SIGKILL');
      else child.kill();
    },
    onMessage: (listener) => child.on('message', listener),
    onExit: (listener) =>
      child.once('exit', (code) => {
        log.end(`--- engine exit ${code}\n`);
        listener(code, { stderr: stderr.toString() });
      }),
  };
}

function stopEngineThenQuit(): void {
  if (supervisor.state.phase === 'stopping') return;
  void supervisor.stop().then((outcome) => {
    if (outcome === 'killed') console.error('LanPost: the engine did not stop in time and was ended');
    engineStopped = true;
    app.quit();
  });
}

// ── tray ─────────────────────────────────────────────────────────────────────

function trayImage(icon: TrayModel['icon']): Electron.NativeImage {
  const file = trayIconFile(icon, trayTheme(process.platform, nativeTheme.shouldUseDarkColors));
  return nativeImage.createFromPath(path.join(ASSETS, 'tray', file)); // the @2x file is picked up by itself
}

function refreshTray(force = false): void {
  if (!tray) return;
  const model = buildTrayModel({ engine: supervisor.state, launchAtLogin: launchAtLogin() });
  const text = JSON.stringify(model);
  if (!force && text === lastModel) return;
  lastModel = text;
  tray.setImage(trayImage(model.icon));
  tray.setToolTip(model.tooltip);
  const template = model.items.map((item): MenuItemConstructorOptions => {
    if (item.type === 'separator') return { type: 'separator' };
    const click = item.action ? () => runAction(item.action!) : undefined;
    return item.type === 'checkbox'
      ? { type: 'checkbox', label: item.label, checked: item.checked, enabled: item.enabled, click }
      : { label: item.label, enabled: item.enabled, click };
  });
  tray.setContextMenu(Menu.buildFromTemplate(template));
}

function runAction(action: MenuAction): void {
  switch (action) {
    case 'open':
      return showWindow();
    case 'start-services':
      supervisor.services('start');
      return;
    case 'stop-services':
      supervisor.services('stop');
      return;
    case 'retry-engine':
      return retryEngine();
    case 'copy-client-settings': {
      const snapshot = supervisor.state.snapshot;
      if (snapshot) clipboard.writeText(clientSettingsText(snapshot));
      return;
    }
    case 'toggle-launch-at-login':
      setLaunchAtLogin(!launchAtLogin());
      return refreshTray(true);
    case 'quit':
      return app.quit();
  }
}

/** Try again (tray or window) after a failure the user may have fixed. */
function retryEngine(): void {
  const failure = supervisor.state.failure;
  if (supervisor.state.phase !== 'failed' || !failure) return;
  if (window) void window.loadURL(failurePage(failure, true));
  supervisor.start();
}

// ── launch at login ──────────────────────────────────────────────────────────

function linuxAutostartFile(): string {
  const config = process.env.XDG_CONFIG_HOME || path.join(os.homedir(), '.config');
  return path.join(config, 'autostart', 'lanpost.desktop');
}

function launchAtLogin(): boolean {
  if (process.platform === 'linux') return fs.existsSync(linuxAutostartFile());
  return app.getLoginItemSettings({ args: LOGIN_ARGS }).openAtLogin;
}

function setLaunchAtLogin(enabled: boolean): void {
  if (process.platform !== 'linux') {
    app.setLoginItemSettings({ openAtLogin: enabled, args: LOGIN_ARGS });
    return;
  }
  const file = linuxAutostartFile();
  if (!enabled) return fs.rmSync(file, { force: true });
  // An AppImage moves its mount point at every start: autostart the AppImage file itself.
  const executable = process.env.APPIMAGE || process.execPath;
  const extra = app.isPackaged ? [] : [ROOT];
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, linuxAutostartEntry(executable, [...extra, ...LOGIN_ARGS]));
}

// ── window ───────────────────────────────────────────────────────────────────

function currentOrigin(): string | null {
  const url = supervisor.state.adminUrl;
  return url ? adminOrigin(url) : null;
}

function fromAdminPage(event: IpcMainInvokeEvent): boolean {
  return isAdminPage(event.senderFrame?.url ?? '', currentOrigin());
}

/** CSP on every admin page; no permission (camera, notifications, …) for any page. */
function secureSession(): void {
  session.defaultSession.webRequest.onHeadersReceived((details, callback) => {
    const origin = currentOrigin();
    if (!isAdminPage(details.url, origin)) return callback({});
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [contentSecurityPolicy(origin!)] } });
  });
  session.defaultSession.setPermissionRequestHandler((_contents, permission, callback) => callback(permission === 'clipboard-sanitized-write'));
  session.defaultSession.setPermissionCheckHandler((_contents, permission) => permission === 'clipboard-sanitized-write');
}

/** Links to other origins never load in the window; web and mail links open outside it. */
function refuseForeign(url: string): boolean {
  if (isAdminPage(url, currentOrigin())) return false;
  if (isSafeExternalUrl(url)) void shell.openExternal(url);
  return true;
}

/** The local page saying why the engine cannot start, in the system's language. */
function failurePage(failure: EngineFailure, retrying = false): string {
  const language = pageLanguage(app.getPreferredSystemLanguages()[0] ?? app.getLocale());
  return failurePageUrl({ failure, language, logFile: path.join(app.getPath('logs'), ENGINE_LOG), retrying });
}

/** What the window shows: the admin page of the running engine, or why the engine cannot start. */
function windowPage(): string | null {
  const { phase, adminUrl, failure } = supervisor.state;
  if (phase === 'running' && adminUrl) return adminUrl;
  if (phase === 'failed' && failure) return failurePage(failure);
  return null;
}

function showWindow(): void {
  const page = windowPage();
  if (!page) return; // the engine is starting or restarting: the tray says so
  if (!window) window = createWindow(page);
  if (window.isMinimized()) window.restore();
  window.show();
  window.focus();
}

function createWindow(page: string): BrowserWindow {
  const created = new BrowserWindow({
    width: 1180,
    height: 800,
    minWidth: 720,
    minHeight: 480,
    show: false,
    title: 'LanPost',
    icon: process.platform === 'darwin' ? undefined : path.join(ASSETS, WINDOW_ICON),
    webPreferences: {
      preload: PRELOAD,
      contextIsolation: true,
      nodeIntegration: false,
      sandbox: true,
      webSecurity: true,
      spellcheck: false,
    },
  });
  const contents = created.webContents;
  contents.setWindowOpenHandler(({ url }) => {
    refuseForeign(url);
    return { action: 'deny' };
  });
  contents.on('will-navigate', (event) => {
    if (isRetryRequest(event.url)) {
      event.preventDefault(); // the failure page's Try again link
      return retryEngine();
    }
    if (refuseForeign(event.url)) event.preventDefault();
  });
  // Should a Chromium not report that navigation as will-navigate, it lands on about:blank: act on it there.
  contents.on('did-navigate', (_event, url) => {
    if (isRetryRequest(url)) retryEngine();
  });
  contents.on('will-redirect', (event) => {
    if (!isAdminPage(event.url, currentOrigin())) event.preventDefault();
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
  created.on('close', (event) => {
    if (quitting) return;
    event.preventDefault(); // closing hides to the tray; Quit is in the tray menu
    created.hide();
    closeNoticeOnce();
  });
  created.on('closed', () => (window = null));
  void created.loadURL(page);
  return created;
}

function closeNoticeOnce(): void {
  const folder = app.getPath('userData');
  const preferences = loadPreferences(folder);
  if (preferences.closeNoticeShown) return;
  const body = 'LanPost keeps running in the tray; quit it from the tray menu.';
  if (Notification.isSupported()) new Notification({ title: 'LanPost', body, silent: true }).show();
  else if (process.platform === 'win32') tray?.displayBalloon({ title: 'LanPost', content: body });
  savePreferences(folder, { ...preferences, closeNoticeShown: true });
}

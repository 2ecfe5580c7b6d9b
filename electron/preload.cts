// The window's preload (sandboxed, so CommonJS and nothing but 'electron'): it exposes only the
// engine's URL + token, the app version and opening help links outside, as `window.lanpost`.
// eslint-disable-next-line @typescript-eslint/no-require-imports -- a sandboxed preload is CommonJS
import electron = require('electron');
import type { CHANNELS, DesktopBridge, DesktopSession } from './bridge.js';

// Sandboxed preloads cannot load our other modules: the channel names are repeated here, and the
// types make sure they match bridge.ts.
const SESSION: (typeof CHANNELS)['session'] = 'lanpost:session';
const OPEN_EXTERNAL: (typeof CHANNELS)['openExternal'] = 'lanpost:open-external';

const bridge: DesktopBridge = {
  session: () => electron.ipcRenderer.invoke(SESSION) as Promise<DesktopSession>,
  openExternal: (url: string) => electron.ipcRenderer.invoke(OPEN_EXTERNAL, String(url)) as Promise<boolean>,
};

electron.contextBridge.exposeInMainWorld('lanpost', bridge);

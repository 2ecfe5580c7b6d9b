// What the preload script gives the window (as `window.lanpost`), and the IPC channels behind it.
// The renderer may `import type { DesktopBridge }` from here.

export const CHANNELS = {
  session: 'lanpost:session',
  openExternal: 'lanpost:open-external',
} as const;

export interface DesktopSession {
  /** The admin URL of the running engine (token in the fragment). */
  adminUrl: string;
  /** The admin API's bearer token. */
  token: string;
  /** The app's version, e.g. 0.1.0. */
  version: string;
}

export interface DesktopBridge {
  /** The current engine's URL and token (they change when the engine restarts). */
  session(): Promise<DesktopSession>;
  /** Opens an https/http/mailto link in the user's browser or mail program; false if refused. */
  openExternal(url: string): Promise<boolean>;
}

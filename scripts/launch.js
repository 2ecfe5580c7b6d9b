// Whether the desktop app can start here, decided from plain facts (tested in test/electron-launch.test.ts).
import fs from 'node:fs';
import { createRequire } from 'node:module';

/** What `npm run build` must have produced before Electron can run the app. */
export const BUILD_OUTPUTS = ['dist/electron/main.js', 'dist/electron/preload.cjs', 'dist/server/main.js'];

/**
 * @param {{ platform: string, env: Record<string, string | undefined>, electronPath: string | null }} facts
 * @returns {string | null} why Electron cannot start, or null when it can
 */
export function electronUnavailableReason({ platform, env, electronPath }) {
  if (env.LANPOST_HEADLESS && env.LANPOST_HEADLESS !== '0') return 'LANPOST_HEADLESS is set';
  if (env.ELECTRON_RUN_AS_NODE) return 'ELECTRON_RUN_AS_NODE is set, so Electron would run as plain Node';
  if (!electronPath) return 'the Electron binary is not installed (node node_modules/electron/install.js fetches it)';
  if (platform === 'linux' && !env.DISPLAY && !env.WAYLAND_DISPLAY) return 'there is no display (DISPLAY / WAYLAND_DISPLAY unset)';
  return null;
}

/**
 * @param {(relativePath: string) => boolean} exists
 * @returns {string | null} why the built app cannot be run, or null when every output is there
 */
export function missingBuildReason(exists) {
  const missing = BUILD_OUTPUTS.filter((file) => !exists(file));
  return missing.length ? `the build did not produce ${missing.join(', ')}` : null;
}

/**
 * Electron started but ended at once in a way that means it cannot run on this machine.
 * @param {number | null} code exit code of the Electron process
 * @param {string | null} spawnError the error code when it could not be spawned at all (ENOENT, EACCES, …)
 * @returns {string | null}
 */
export function electronFailedReason(code, spawnError) {
  if (spawnError) return `Electron could not be run (${spawnError})`;
  if (code === 127) return 'Electron could not load its system libraries';
  return null;
}

/**
 * The environment Electron is started with: LANPOST_NODE names the Node.js running this script,
 * the one npm ci built better-sqlite3 for, so the app started from the sources runs its engine
 * there (electron/engine-launcher.ts); one set by the user is kept.
 * @param {Record<string, string | undefined>} env
 * @param {string} nodePath this script's Node.js (process.execPath)
 * @returns {Record<string, string | undefined>}
 */
export function desktopEnv(env, nodePath) {
  return { ...env, LANPOST_NODE: env.LANPOST_NODE || nodePath };
}

/** The path of the Electron binary, or null when the package has not downloaded it. */
export function findElectronBinary() {
  try {
    const require = createRequire(import.meta.url);
    const binary = require('electron');
    return typeof binary === 'string' && fs.existsSync(binary) ? binary : null;
  } catch {
    return null;
  }
}

// Whether the desktop app can start here, decided from plain facts (tested in test/launch.test.ts).
import fs from 'node:fs';
import { createRequire } from 'node:module';

/**
 * @param {{ platform: string, env: Record<string, string | undefined>, electronPath: string | null }} facts
 * @returns {string | null} why Electron cannot start, or null when it can
 */
export function electronUnavailableReason({ platform, env, electronPath }) {
  if (!electronPath) return 'the Electron binary is not installed (node node_modules/electron/install.js fetches it)';
  if (platform === 'linux' && !env.DISPLAY && !env.WAYLAND_DISPLAY) return 'there is no display (DISPLAY / WAYLAND_DISPLAY unset)';
  return null;
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

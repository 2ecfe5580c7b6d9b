// Where the pages built from renderer/ are (renderer/dist: the window, served by the admin API;
// renderer/dist/lan: the LAN landing page, served by the LAN web service), and the content types
// of their files.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json; charset=utf-8',
  '.woff2': 'font/woff2',
};

/** renderer/dist of the checkout or installed package this file belongs to (or $LANPOST_RENDERER_DIR). */
/** What every page LanPost serves says besides its own CSP: no sniffing, no framing, no referrer. */
export const PAGE_HEADERS: Record<string, string> = {
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
};

export function rendererDir(): string {
  if (process.env.LANPOST_RENDERER_DIR) return path.resolve(process.env.LANPOST_RENDERER_DIR);
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    if (fs.existsSync(path.join(dir, 'package.json')) && fs.existsSync(path.join(dir, 'renderer'))) return path.join(dir, 'renderer', 'dist');
    dir = path.dirname(dir);
  }
  return path.resolve('renderer', 'dist');
}

/** The LAN landing page's build (renderer/lan, built into renderer/dist/lan). */
export function landingPageDir(): string {
  return path.join(rendererDir(), 'lan');
}

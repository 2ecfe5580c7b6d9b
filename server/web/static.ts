// The landing page's built files (renderer/lan, built into renderer/dist/lan): its page at `/`
// and its hashed assets; nothing else of renderer/dist (the window) is served to the LAN.
import fs from 'node:fs';
import path from 'node:path';
import { CONTENT_TYPES, landingPageDir } from '../built-pages.js';
import { reply, text, type WebReply } from './replies.js';
import type { WebRequest } from './request.js';

const ASSET = /^\/assets\/[\w.-]+$/;

export function landingPageFiles(dir = landingPageDir()): (request: WebRequest) => WebReply | null {
  const index = path.join(dir, 'index.html');
  return (request) => {
    const { pathname } = request.url;
    if (pathname === '/' || pathname === '/index.html') {
      if (!fs.existsSync(index)) return text(503, 'Service Unavailable: the landing page is not built (npm run build:renderer)');
      // The page must always be fresh: its assets change names with every build.
      return reply(200, CONTENT_TYPES['.html']!, fs.readFileSync(index));
    }
    if (!ASSET.test(pathname)) return null;
    const file = path.join(dir, pathname);
    if (!fs.existsSync(file)) return null;
    return reply(200, CONTENT_TYPES[path.extname(file)] ?? 'application/octet-stream', fs.readFileSync(file), { 'cache-control': 'public, max-age=31536000, immutable' });
  };
}

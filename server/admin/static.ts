// Serves the built window (renderer/dist, made by `npm run build`); says so plainly when it is
// not built, so that the API is still usable and nobody stares at a blank page.
import fs from 'node:fs';
import type http from 'node:http';
import path from 'node:path';
import { CONTENT_TYPES, PAGE_HEADERS } from '../built-pages.js';

export function securityHeaders(port: number): Record<string, string> {
  return {
    'content-security-policy': [
      "default-src 'self'",
      `connect-src 'self' ws://127.0.0.1:${port} ws://localhost:${port}`,
      "img-src 'self' data: blob:",
      "style-src 'self' 'unsafe-inline'",
      "object-src 'none'",
      "base-uri 'none'",
      "frame-ancestors 'none'",
    ].join('; '),
    ...PAGE_HEADERS,
  };
}

export function serveStatic(dir: string, pathname: string, port: number, response: http.ServerResponse): void {
  const index = path.join(dir, 'index.html');
  if (!fs.existsSync(index)) {
    const body = notBuiltPage(dir);
    response.writeHead(503, { ...securityHeaders(port), 'content-type': 'text/html; charset=utf-8', 'content-length': Buffer.byteLength(body) });
    response.end(body);
    return;
  }
  let file = index;
  try {
    file = path.normalize(path.join(dir, decodeURIComponent(pathname)));
  } catch {
    // a malformed %-escape: the app's page
  }
  if (!file.startsWith(dir + path.sep) || !fs.existsSync(file) || !fs.statSync(file).isFile()) file = index; // the app routes by itself
  const content = fs.readFileSync(file);
  response.writeHead(200, {
    ...securityHeaders(port),
    'content-type': CONTENT_TYPES[path.extname(file)] ?? 'application/octet-stream',
    'content-length': content.length,
    // Built assets have hashed names; index.html must always be fresh.
    'cache-control': file === index ? 'no-store' : 'public, max-age=31536000, immutable',
  });
  response.end(content);
}

function notBuiltPage(dir: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>LanPost — window not built</title></head>
<body style="font: 18px/1.5 system-ui, sans-serif; max-width: 40em; margin: 4em auto; padding: 0 1em">
<h1>The LanPost window is not built</h1>
<p>The mail server is running; only its window is missing. Build it once with</p>
<pre style="background:#eef; padding: .5em 1em">npm run build</pre>
<p>(or <code>npx vite build renderer</code>), then reload this page. Expected files in <code>${escapeHtml(dir)}</code>.</p>
<p lang="zh-CN">LanPost 邮件服务正在运行，但管理窗口尚未构建。请运行 <code>npm run build</code>，然后刷新本页。</p>
</body></html>`;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
}

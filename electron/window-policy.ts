// What the window may load and open: only the engine's admin origin inside the window, only
// web and mail links outside it, and the Content-Security-Policy sent with every admin page.

/** http://127.0.0.1:PORT from the admin URL (which carries the token in its fragment). */
export function adminOrigin(adminUrl: string): string {
  return new URL(adminUrl).origin;
}

export function isAdminPage(url: string, origin: string | null): boolean {
  if (!origin) return false;
  try {
    return new URL(url).origin === origin;
  } catch {
    return false;
  }
}

/** Help links and the like, opened in the user's browser or mail program; nothing else (no file:, no custom schemes). */
export function isSafeExternalUrl(url: unknown): url is string {
  if (typeof url !== 'string' || url.length > 2048) return false;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  if (parsed.protocol === 'mailto:') return true;
  return (parsed.protocol === 'https:' || parsed.protocol === 'http:') && !parsed.username && !parsed.password && !!parsed.hostname;
}

/** The policy of the admin pages: own scripts only, the engine's WebSocket, no frames, no plugins. */
export function contentSecurityPolicy(origin: string): string {
  const websocket = origin.replace(/^http/, 'ws');
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    `connect-src 'self' ${websocket}`,
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-src 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

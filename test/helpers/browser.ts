// The window's tests in real headless Chromium (Debian's, driven by playwright-core), and their
// screenshots: into $LANPOST_SCREENSHOTS (the README's are made with LANPOST_SCREENSHOTS=docs/screenshots), else a temp folder.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'];

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
}

const shots = process.env.LANPOST_SCREENSHOTS ? path.resolve(process.env.LANPOST_SCREENSHOTS) : fs.mkdtempSync(path.join(os.tmpdir(), 'lanpost-shots-'));

/**
 * The whole page at once, with the side bar as tall as the page (a full-page capture would leave
 * the sticky side bar behind).
 */
export async function screenshot(page: Page, name: string): Promise<void> {
  fs.mkdirSync(shots, { recursive: true });
  const viewport = page.viewportSize()!;
  const height = Number(await page.evaluate('document.documentElement.scrollHeight'));
  await page.setViewportSize({ width: viewport.width, height: Math.max(viewport.height, height) });
  await page.screenshot({ path: path.join(shots, `${name}.png`) });
  await page.setViewportSize(viewport);
}

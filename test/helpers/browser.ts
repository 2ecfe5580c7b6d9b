// Real headless Chromium (Debian's chromium, driven by playwright-core), as the tests of the
// window and the LAN landing page use it, and their screenshots: to $LANPOST_SCREENSHOTS (the
// README's are made with LANPOST_SCREENSHOTS=docs/screenshots), else to a temp folder.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'];

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
}

const shots = process.env.LANPOST_SCREENSHOTS ? path.resolve(process.env.LANPOST_SCREENSHOTS) : fs.mkdtempSync(path.join(os.tmpdir(), 'lanpost-shots-'));

/**
 * The whole page at once, with a sticky side bar as tall as the page (a full-page capture would
 * leave it behind).
 */
export async function screenshot(page: Page, name: string): Promise<void> {
  fs.mkdirSync(shots, { recursive: true });
  const viewport = page.viewportSize()!;
  const height = Number(await page.evaluate('document.documentElement.scrollHeight'));
  await page.setViewportSize({ width: viewport.width, height: Math.max(viewport.height, height) });
  await page.screenshot({ path: path.join(shots, `${name}.png`) });
  await page.setViewportSize(viewport);
}

// The LAN landing page in real headless Chromium against a real engine, as phones and computers
// on the LAN open it: the way for each device (from its User-Agent, and switchable), the address
// from the QR code's link, the Apple profile with and without the password, the CA downloads,
// English and 简体中文 (the browser's language, and switchable), and no script or style the
// strict CSP would refuse. Screenshots go where test/window.test.ts puts them.
import crypto from 'node:crypto';
import fs from 'node:fs';
import type { Browser, BrowserContext, BrowserContextOptions, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, screenshot } from './helpers/browser.js';
import { startTestEngine, type TestEngine } from './helpers/engine.js';
import { ensureRendererBuilt } from './helpers/renderer-build.js';
import { caPem } from './helpers/web.js';

const AGENTS = {
  iphone: 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1',
  android: 'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Mobile Safari/537.36',
  windows: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36 Edg/124.0.0.0',
  linux: 'Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0',
};
const PHONE = { viewport: { width: 400, height: 860 }, isMobile: true, hasTouch: true };

let test: TestEngine;
let browser: Browser;
const contexts: BrowserContext[] = [];
/** Script errors and console errors (a CSP refusal is one) on every page opened. */
const problems: string[] = [];
const alice = { address: 'alice@lanpost.lan', password: 'alice in the office' };

beforeAll(async () => {
  await ensureRendererBuilt();
  test = await startTestEngine({ users: { [alice.address]: alice.password } });
  browser = await launchChromium();
});
afterAll(async () => {
  for (const context of contexts) await context.close();
  await browser?.close();
  await test?.stop();
});

const landingUrl = (query = '') => `https://127.0.0.1:${test.port('https')}/${query}`;

/** A device: its own browser context (language, User-Agent, screen), the engine's certificate accepted as after the fingerprint check. */
async function open(options: BrowserContextOptions, query = `?address=${encodeURIComponent(alice.address)}`): Promise<Page> {
  const context = await browser.newContext({ ignoreHTTPSErrors: true, locale: 'en-US', viewport: { width: 1000, height: 800 }, ...options });
  contexts.push(context);
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  page.on('pageerror', (error) => problems.push(error.message));
  page.on('console', (message) => message.type() === 'error' && problems.push(message.text()));
  await page.goto(landingUrl(query));
  return page;
}

const chosen = (page: Page) => page.locator('.devices button[aria-pressed="true"]').textContent();

describe('the LAN landing page', () => {
  it('shows an iPhone the profile, with the address from the link; the profile carries the typed password', async () => {
    const page = await open({ userAgent: AGENTS.iphone, ...PHONE });
    await page.getByRole('heading', { name: 'Set up mail on this device' }).waitFor();
    expect(await page.getByLabel('Your mail address').inputValue()).toBe(alice.address);
    expect(await chosen(page)).toBe('iPhone, iPad or Mac');
    await page.getByText('This looks like: iPhone, iPad or Mac. Not right?').waitFor();
    await page.getByText('Certificate Trust Settings').waitFor();
    await page.getByText(/^SHA-256 /).waitFor();
    await screenshot(page, 'landing');
    await page.getByLabel('Password (optional; only sent over this encrypted page)').fill(alice.password);
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download the profile' }).click()]);
    expect(download.suggestedFilename()).toBe(`${alice.address}.mobileconfig`);
    const profile = fs.readFileSync((await download.path())!, 'utf8');
    expect(profile).toContain('<string>com.apple.mail.managed</string>');
    expect(profile).toMatch(new RegExp(`<key>IncomingPassword</key>\\s*<string>${alice.password}</string>`));
  });

  it('brings a wrong password back to the page, said in the reader\'s language (简体中文 from the browser)', async () => {
    const page = await open({ userAgent: AGENTS.iphone, locale: 'zh-CN', ...PHONE });
    await page.getByRole('heading', { name: '在此设备上设置邮件' }).waitFor();
    expect(await page.evaluate('document.documentElement.lang')).toBe('zh-CN');
    await page.getByText(/^SHA-256 /).waitFor();
    await screenshot(page, 'landing-zh');
    await page.getByLabel('密码（可选；只通过这个加密页面发送）').fill('not her password');
    await page.getByRole('button', { name: '下载描述文件' }).click();
    await page.getByRole('alert').filter({ hasText: '地址或密码错误。' }).waitFor();
    expect(new URL(page.url()).searchParams.get('problem')).toBe('invalid');
    expect(await page.getByLabel('你的邮件地址').inputValue()).toBe(alice.address);
  });

  it('shows Android the CA steps, the downloads and the fingerprint to compare', async () => {
    const page = await open({ userAgent: AGENTS.android, ...PHONE });
    expect(await chosen(page)).toBe('Android');
    await page.getByText('Encryption & credentials → Install a certificate → CA certificate').waitFor();
    const fingerprint = new crypto.X509Certificate(caPem(test)).fingerprint256;
    await page.getByText(`SHA-256 ${fingerprint}`).waitFor();
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: /^lanpost-ca\.crt/ }).click()]);
    expect(fs.readFileSync((await download.path())!, 'utf8')).toBe(caPem(test));
    await page.getByRole('cell', { name: 'Incoming (IMAP)' }).first().waitFor();
    expect(await page.getByRole('cell', { name: String(test.port('imaps')), exact: true }).count()).toBe(1);
  });

  it('shows Windows the Outlook way and what newer Outlook does; other paths are a click away', async () => {
    const page = await open({ userAgent: AGENTS.windows });
    expect(await chosen(page)).toBe('Outlook');
    await page.getByRole('heading', { name: 'Newer Outlook versions' }).waitFor();
    await page.getByText('first ask Microsoft about the address').waitFor();
    await page.getByText('lanpost-ca.cer (below), open it').waitFor();
    await page.getByRole('button', { name: 'Windows Mail' }).click();
    expect(await chosen(page)).toBe('Windows Mail');
    await page.getByText('Advanced setup → Internet email').waitFor();
    await page.getByRole('button', { name: 'Thunderbird' }).click();
    await page.getByText('Thunderbird finds the servers by itself').waitFor();
  });

  it('shows a Linux computer Thunderbird, switches language, and refuses an address of another domain in words', async () => {
    const page = await open({ userAgent: AGENTS.linux }, '');
    expect(await chosen(page)).toBe('Thunderbird');
    await page.getByLabel('Language').selectOption('zh-CN');
    await page.getByRole('heading', { name: '在此设备上设置邮件' }).waitFor();
    await page.getByLabel('语言').selectOption('en');
    await page.getByLabel('Your mail address').fill('bob@example.org');
    await page.getByRole('alert').filter({ hasText: 'example.org is not a mail domain of this server (it serves lanpost.lan).' }).waitFor();
    await page.getByRole('button', { name: 'iPhone, iPad or Mac' }).click();
    expect(await page.getByRole('button', { name: 'Download the profile' }).isDisabled()).toBe(true);
  });

  it('ran no script or style that the page\'s CSP refused, and threw nothing', () => {
    expect(problems).toEqual([]);
  });
});

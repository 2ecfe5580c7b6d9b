// The window's page when the engine cannot start (electron/failure-page.ts): the reason and the
// fix from the failure classifier, escaped, in English or 简体中文, with no script and nothing
// remote — checked as text and in real headless Chromium (the engine Electron's window uses),
// including the Try again link whose navigation main.ts stops and acts on.
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { classifyEngineFailure } from '../electron/engine-failure.js';
import { escapeHtml, FAILURE_PAGE_CSP, failurePageHtml, failurePageUrl, isRetryRequest, pageLanguage, RETRY_URL } from '../electron/failure-page.js';
import { launchBrowser } from './helpers/browser.js';

const DATA_DIR = '/home/ann/.config/LanPost';
const LOG = '/home/ann/.config/LanPost/logs/engine.log';
const ABI =
  "The module '/home/ann/lanpost/node_modules/better-sqlite3/build/Release/better_sqlite3.node'\nwas compiled against a different Node.js version using\nNODE_MODULE_VERSION 115. This version of Node.js requires\nNODE_MODULE_VERSION 145. Please try re-compiling or re-installing\nthe module (for instance, using `npm rebuild` or `npm install`).";
const native = classifyEngineFailure({ failed: { message: ABI, code: 'ERR_DLOPEN_FAILED' }, exitCode: 1 }, { nodePath: '/usr/bin/node', dataDir: DATA_DIR });
/** A settings message carrying markup: it must stay text. */
const hostile = classifyEngineFailure(
  { failed: { message: `hostname: "<img src=x onerror=\"document.title='owned'\"><script>document.title='owned'</script>" is not a host name`, code: 'SettingsError' } },
  { dataDir: DATA_DIR },
);

describe('the page as text', () => {
  it('has the reason, the fix, the details and the log, every text escaped, no script, a strict CSP', () => {
    const html = failurePageHtml({ failure: hostile, language: 'en', logFile: LOG });
    expect(html).toContain('<h1>LanPost cannot start its engine</h1>');
    expect(html).toContain(`<p>${escapeHtml(hostile.reason)}</p>`);
    expect(html).toContain(`Correct that value in settings.json in ${DATA_DIR}, then choose Try again.`);
    expect(html).toContain(`The engine log: ${LOG}`);
    expect(html).toContain(`<a class="button" href="${RETRY_URL}">Try again</a>`);
    expect(html).not.toMatch(/<script|<img|<iframe|<form|<link|<object|<embed/i);
    expect(html).toContain('&lt;script&gt;');
    expect(html).toContain(`<meta http-equiv="Content-Security-Policy" content="${escapeHtml(FAILURE_PAGE_CSP)}">`);
    expect(FAILURE_PAGE_CSP).toMatch(/^default-src 'none';/);
    expect(FAILURE_PAGE_CSP).not.toMatch(/script-src|unsafe-eval|https?:/);
    expect(escapeHtml(`<a href="x" title='y'>&`)).toBe('&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;');
  });

  it('in 简体中文 for a Chinese system, English otherwise; while starting again, no link', () => {
    expect([pageLanguage('zh-CN'), pageLanguage('zh-Hans-CN'), pageLanguage('zh'), pageLanguage('en-GB'), pageLanguage('de'), pageLanguage(undefined)]).toEqual(['zh-CN', 'zh-CN', 'zh-CN', 'en', 'en', 'en']);
    const zh = failurePageHtml({ failure: native, language: 'zh-CN', logFile: LOG });
    expect(zh).toContain('<html lang="zh-CN">');
    expect(zh).toContain('<h1>LanPost 无法启动引擎</h1>');
    expect(zh).toContain('数据库模块 better-sqlite3 是为另一个 Node.js 编译的（模块版本 115，需要 145）。');
    expect(zh).toContain('>重试</a>');
    const retrying = failurePageHtml({ failure: native, language: 'en', retrying: true });
    expect(retrying).toContain('Trying again…');
    expect(retrying).not.toContain('href=');
    expect(retrying).not.toContain('The engine log');
  });

  it('is a data: URL holding exactly that page; only its Try again link asks to start again', () => {
    const url = failurePageUrl({ failure: native, language: 'en', logFile: LOG });
    expect(url.startsWith('data:text/html;charset=utf-8,')).toBe(true);
    expect(decodeURIComponent(url.slice(url.indexOf(',') + 1))).toBe(failurePageHtml({ failure: native, language: 'en', logFile: LOG }));
    expect(isRetryRequest(RETRY_URL)).toBe(true);
    expect(isRetryRequest(url)).toBe(false);
    expect(isRetryRequest('about:blank')).toBe(false);
    expect(isRetryRequest('http://127.0.0.1:41000/#lanpost-retry')).toBe(false);
  });
});

describe('the page in Chromium', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('shows the words, runs nothing from the message, fetches nothing, and Try again navigates to the retry URL', async () => {
    const page = await browser.newPage({ viewport: { width: 900, height: 700 } });
    const requests: string[] = [];
    page.on('request', (request) => requests.push(request.url()));
    const url = failurePageUrl({ failure: hostile, language: 'en', logFile: LOG });
    await page.goto(url);
    expect(await page.title()).toBe('LanPost cannot start');
    await page.getByRole('heading', { name: 'LanPost cannot start its engine' }).waitFor();
    expect(await page.getByText(hostile.reason, { exact: true }).count()).toBe(1);
    expect(await page.locator('img, script').count()).toBe(0);
    await page.getByText('Details from the engine').click();
    expect(await page.locator('pre').innerText()).toBe(hostile.detail);
    expect(requests.filter((r) => !r.startsWith('data:'))).toEqual([]);

    expect(await page.title()).toBe('LanPost cannot start'); // nothing in the message ran

    // The app stops this navigation in will-navigate; here it goes through, to a blank page, still fetching nothing.
    await page.getByRole('link', { name: 'Try again' }).click();
    await expect.poll(() => page.url()).toBe(RETRY_URL);
    expect(isRetryRequest(page.url())).toBe(true);
    expect(requests.filter((r) => !r.startsWith('data:'))).toEqual([]);
    await page.close();
  });
});

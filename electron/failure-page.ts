// What the window shows when the engine cannot start (the admin pages come from the engine, so
// they are not there): a local page with the reason, the fix and the engine's own words. Built
// here as a data: URL, every text HTML-escaped, no script and nothing remote (its CSP says so).
// Its one link, Try again, points at RETRY_URL (about:blank with a fragment: no network, and
// Chromium lets a data: page navigate there, unlike to an in-page #fragment); main.ts stops that
// navigation (will-navigate) and starts the engine again. English and 简体中文, from the system language.
import { failureText, type EngineFailure, type Language } from './engine-failure.js';

export const RETRY_URL = 'about:blank#lanpost-retry';

const PAGE_TEXT: Record<Language, Record<'title' | 'heading' | 'what' | 'fix' | 'retry' | 'retrying' | 'retryHint' | 'details' | 'log', string>> = {
  en: {
    title: 'LanPost cannot start',
    heading: 'LanPost cannot start its engine',
    what: 'What happened',
    fix: 'How to fix it',
    retry: 'Try again',
    retrying: 'Trying again…',
    retryHint: 'After fixing it, choose Try again here or in the tray menu.',
    details: 'Details from the engine',
    log: 'The engine log: {log}',
  },
  'zh-CN': {
    title: 'LanPost 无法启动',
    heading: 'LanPost 无法启动引擎',
    what: '发生了什么',
    fix: '如何解决',
    retry: '重试',
    retrying: '正在重试…',
    retryHint: '解决后，请在此处或托盘菜单中选择“重试”。',
    details: '引擎给出的详细信息',
    log: '引擎日志：{log}',
  },
};

/** The page's policy: inline styles only; no script, no image, no frame, no form, nothing fetched. */
export const FAILURE_PAGE_CSP = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** zh, zh-CN, zh-Hans-CN, zh-TW … read the Chinese page; every other language the English one. */
export function pageLanguage(locale: string | null | undefined): Language {
  return locale?.toLowerCase().startsWith('zh') ? 'zh-CN' : 'en';
}

export interface FailurePageInput {
  failure: EngineFailure;
  language: Language;
  /** Where the engine log is, shown as text. */
  logFile?: string | null;
  /** The engine is being started again: no link, a note instead. */
  retrying?: boolean;
}

export function failurePageHtml({ failure, language, logFile, retrying }: FailurePageInput): string {
  const page = PAGE_TEXT[language] ?? PAGE_TEXT.en;
  const { reason, fix } = failureText(failure, language);
  const action = retrying
    ? `<p class="note" role="status">${escapeHtml(page.retrying)}</p>`
    : `<p><a class="button" href="${RETRY_URL}">${escapeHtml(page.retry)}</a></p><p class="note">${escapeHtml(page.retryHint)}</p>`;
  return [
    '<!doctype html>',
    `<html lang="${language}">`,
    '<head>',
    '<meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${escapeHtml(FAILURE_PAGE_CSP)}">`,
    '<meta name="viewport" content="width=device-width">',
    `<title>${escapeHtml(page.title)}</title>`,
    '<style>',
    ':root { color-scheme: light dark; font: 15px/1.5 system-ui, sans-serif; }',
    'body { margin: 0; padding: 32px; }',
    'main { max-width: 760px; margin: 0 auto; }',
    'h1 { font-size: 22px; margin: 0 0 24px; }',
    'h2 { font-size: 15px; margin: 20px 0 4px; }',
    'p { margin: 0 0 8px; overflow-wrap: anywhere; }',
    '.button { display: inline-block; margin-top: 16px; padding: 6px 18px; border-radius: 6px; background: #2563eb; color: #fff; text-decoration: none; }',
    '.note { opacity: 0.75; font-size: 13px; }',
    'details { margin-top: 24px; }',
    'pre { white-space: pre-wrap; overflow-wrap: anywhere; font-size: 12px; padding: 12px; border-radius: 6px; background: rgba(127, 127, 127, 0.12); }',
    '</style>',
    '</head>',
    '<body>',
    '<main>',
    `<h1>${escapeHtml(page.heading)}</h1>`,
    `<h2>${escapeHtml(page.what)}</h2>`,
    `<p>${escapeHtml(reason)}</p>`,
    `<h2>${escapeHtml(page.fix)}</h2>`,
    `<p>${escapeHtml(fix)}</p>`,
    action,
    failure.detail ? `<details><summary>${escapeHtml(page.details)}</summary><pre>${escapeHtml(failure.detail)}</pre></details>` : '',
    logFile ? `<p class="note">${escapeHtml(page.log.replace('{log}', () => logFile))}</p>` : '',
    '</main>',
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

export function failurePageUrl(input: FailurePageInput): string {
  return `data:text/html;charset=utf-8,${encodeURIComponent(failurePageHtml(input))}`;
}

/** The navigation the page's Try again link starts. */
export function isRetryRequest(url: string): boolean {
  return url === RETRY_URL;
}

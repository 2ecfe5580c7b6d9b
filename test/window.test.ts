// The window in real headless Chromium against a real engine: the first-run wizard, users,
// a refused setting, a refused certificate, the language switch, and a live SMTP session in the
// Protocol inspector with the password nowhere in the page. Screenshots of each page go to
// $LANPOST_SCREENSHOTS (the README's are made with LANPOST_SCREENSHOTS=docs/screenshots).
import fs from 'node:fs';
import net from 'node:net';
import nodemailer from 'nodemailer';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { saveSettings, settingsPath } from '../server/settings/file.js';
import { launchBrowser, screenshot as screenshotOf } from './helpers/browser.js';
import { startTestEngine, type TestEngine } from './helpers/engine.js';
import { ensureRendererBuilt } from './helpers/renderer-build.js';

let test: TestEngine;
let browser: Browser;
let page: Page;
/** Another program holding the POP3 port, so the window has a refused service to explain. */
let squatter: net.Server;
const pageErrors: string[] = [];

const screenshot = (name: string) => screenshotOf(page, name);

async function openSection(name: RegExp): Promise<void> {
  await page.getByRole('navigation').getByRole('link', { name }).click();
}

beforeAll(async () => {
  await ensureRendererBuilt();
  squatter = net.createServer();
  await new Promise<void>((resolve) => squatter.listen(0, '127.0.0.1', resolve));
  const taken = (squatter.address() as net.AddressInfo).port;
  test = await startTestEngine({ change: (settings) => void (settings.services.pop3.port = taken) });
  browser = await launchBrowser();
  page = await browser.newPage({ viewport: { width: 1100, height: 800 }, locale: 'en-US' });
  page.setDefaultTimeout(15_000);
  page.on('pageerror', (error) => pageErrors.push(error.message));
});
afterAll(async () => {
  await browser?.close();
  await test?.stop();
  squatter?.close();
});

describe('the window', () => {
  it('opens from the printed URL and walks through the first-run wizard', async () => {
    await page.goto(test.engine.adminUrl);
    await expect.poll(() => page.url()).not.toContain('token=');
    await page.getByRole('heading', { name: 'Welcome to LanPost' }).waitFor();
    await screenshot('wizard');
    // A bad domain is refused in words and brings the wizard back to that step.
    await page.getByLabel('Mail domain').fill('not a domain!');
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByLabel('Server name').fill('mail.lanpost.lan');
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByRole('radio', { name: /127\.0\.0\.1/ }).check();
    await page.getByRole('button', { name: 'Next' }).click();
    await expect.poll(() => page.getByText(test.admin.password).count()).toBe(1);
    await page.getByLabel('New admin password (optional)').fill('the office secret');
    await page.getByRole('button', { name: 'Finish' }).click();
    await page.getByText(/must be a DNS name/).waitFor();
    expect(await page.getByLabel('Mail domain').inputValue()).toBe('not a domain!');
    await page.getByLabel('Mail domain').fill('lanpost.lan');
    for (let step = 0; step < 3; step++) await page.getByRole('button', { name: 'Next' }).click();
    await page.getByRole('button', { name: 'Finish' }).click();
    await page.getByRole('heading', { name: 'LanPost is ready' }).waitFor();
    await expect.poll(() => page.getByText(test.admin.address, { exact: true }).count()).toBeGreaterThan(0);
    expect(await page.getByRole('cell', { name: /^Outgoing \(SMTP\)/ }).count()).toBe(2);
    await screenshot('wizard-done');
    expect((await test.engine.context.accounts.login(test.admin.address, 'the office secret', '127.0.0.1')).ok).toBe(true);
    await page.getByRole('button', { name: 'Open the overview' }).click();
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
    await page.getByText('Live updates on').waitFor();
    // The wizard is done for this data folder: a reload goes straight to the window.
    await page.reload();
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
    // Honest about state: the refused service says why, and how to fix it.
    await page.getByText('1 service(s) cannot run. The fix is shown under each one.').waitFor();
    const pop3 = page.locator('table.services tbody tr').filter({ hasText: 'download mail (STARTTLS)' });
    expect(await pop3.getByText('Port in use').count()).toBe(1);
    const fix = page.locator('tr.fix-row');
    expect(await fix.textContent()).toContain('Another program already uses this port');
    expect(await fix.textContent()).toContain(`lanpost settings set services.pop3.port`);
    await screenshot('overview');
  });

  it('stops and starts one service from the overview', async () => {
    const row = page.locator('table.services tbody tr').filter({ hasText: 'POP3S' });
    await row.getByRole('button', { name: 'Stop' }).click();
    await row.getByText('Stopped').waitFor();
    expect(test.engine.status('pop3s').state).toBe('stopped');
    await row.getByRole('button', { name: 'Start' }).click();
    await row.getByText('Listening').waitFor();
    expect(test.engine.status('pop3s').state).toBe('listening');
  });

  it('adds a user, lists it, and shows the new mail count when mail arrives', async () => {
    await openSection(/Users & aliases/);
    await page.getByLabel('Address', { exact: true }).fill('gina');
    await page.getByLabel('Full name').fill('Gina Li');
    await page.getByLabel('Password', { exact: true }).fill('short');
    await page.getByRole('button', { name: 'Add user' }).click();
    await page.getByText('password must be at least 8 characters').waitFor();
    await page.getByLabel('Password', { exact: true }).fill('ginas long password');
    await page.getByRole('button', { name: 'Add user' }).click();
    const row = page.locator('tr[data-user="gina@lanpost.lan"]');
    await row.waitFor();
    await expect.poll(() => row.textContent()).toContain('0 messages');
    const transport = nodemailer.createTransport({ host: '127.0.0.1', port: test.port('smtp'), secure: false, ignoreTLS: true });
    await transport.sendMail({ from: 'teacher@example.org', to: 'gina@lanpost.lan', subject: 'Homework', text: 'Page 12.' });
    await expect.poll(() => row.textContent()).toContain('1 message,');
    await row.getByRole('button', { name: 'Client settings' }).click();
    await page.getByText('gina@lanpost.lan', { exact: true }).first().waitFor();
    await screenshot('users');
  });

  it('refuses a bad setting with its message next to the field, and saves nothing', async () => {
    const before = fs.readFileSync(settingsPath(test.dataDir), 'utf8');
    await openSection(/Domain & settings/);
    const field = page.getByLabel('Largest message (bytes)');
    await field.fill('12');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByText('must be at least 1024').waitFor();
    expect(await page.getByText('Nothing was saved').count()).toBe(1);
    expect(await field.getAttribute('aria-invalid')).toBe('true');
    expect(fs.readFileSync(settingsPath(test.dataDir), 'utf8')).toBe(before);
    await screenshot('settings-refused');
    await page.getByRole('button', { name: 'Discard changes' }).click();
  });

  it('shows why a certificate import is refused', async () => {
    await openSection(/Certificates/);
    await page.getByRole('heading', { name: 'Current certificate' }).waitFor();
    await page.getByLabel('Certificate (PEM)').fill('this is not a certificate');
    await page.getByLabel('Private key (PEM)').fill('nor a key');
    await page.getByRole('button', { name: 'Import and use' }).click();
    await page.getByText(/Not imported: The certificate is not a readable PEM certificate/).waitFor();
    await screenshot('certificates');
  });

  it('shows the firewall commands for the ports', async () => {
    await openSection(/Firewall & ports/);
    await page.getByRole('tab', { name: 'iptables' }).click();
    await expect.poll(() => page.locator('.copy-block pre').first().textContent()).toContain(String(test.port('smtp')));
    await screenshot('firewall');
  });

  it('shows the DNS zone and adds a record to it', async () => {
    await openSection(/DNS zone/);
    await page.getByRole('heading', { name: /Zone lanpost\.lan/ }).waitFor();
    await page.getByLabel('Name', { exact: true }).fill('printer');
    await page.getByLabel('Address', { exact: true }).fill('192.168.1.300');
    await page.getByRole('button', { name: 'Add record' }).click();
    await page.getByText('must be an IPv4 address such as 192.168.1.20').waitFor();
    await page.getByLabel('Address', { exact: true }).fill('192.168.1.30');
    await page.getByRole('button', { name: 'Add record' }).click();
    await page.getByRole('cell', { name: 'printer.lanpost.lan' }).waitFor();
    await screenshot('dns');
  });

  it('shows the queue, empty when nothing waits', async () => {
    await openSection(/Queue/);
    await page.getByText('Nothing is waiting').waitFor();
  });

  it('warns above every page while free disk space is below the floor, and stops once it is lowered', async () => {
    const setFloor = async (bytes: number) => {
      saveSettings(test.dataDir, { ...test.engine.context.settings(), limits: { ...test.engine.context.settings().limits, minFreeDiskBytes: bytes } });
      await test.engine.reloadSettings();
    };
    await setFloor(Number.MAX_SAFE_INTEGER);
    const warning = page.getByText(/The disk is nearly full: \d+ MB free for the data folder/);
    await warning.waitFor(); // arrives live, on the Queue page that is open
    await openSection(/Users/);
    await warning.waitFor();
    await setFloor(0);
    await warning.waitFor({ state: 'detached' });
  });

  it('switches to 简体中文, and keeps the choice', async () => {
    await page.getByLabel('Language').selectOption('zh-CN');
    await page.getByRole('link', { name: '概览' }).waitFor();
    expect(await page.getByRole('link', { name: '用户与别名' }).count()).toBe(1);
    expect(await page.evaluate('document.documentElement.lang')).toBe('zh-CN');
    await page.reload();
    await page.getByRole('link', { name: '概览' }).click();
    await page.getByRole('heading', { name: '概览' }).waitFor();
    await screenshot('overview-zh');
    // A refused value, explained in Chinese.
    await page.getByRole('link', { name: '防火墙与端口' }).click();
    await page.getByLabel('SMTP 的端口').fill('70000');
    await page.getByRole('button', { name: '保存端口' }).click();
    await page.getByText('必须在 0 到 65535 之间（0 表示自动选择空闲端口）').waitFor();
    expect(test.engine.context.settings().services.smtp.port).toBe(0);
  });

  it('shows a live SMTP session in the inspector, with the password nowhere in the page', async () => {
    await page.getByLabel('语言').selectOption('en');
    await openSection(/Protocol inspector/);
    await page.getByRole('heading', { name: 'Protocol inspector' }).waitFor();
    const password = 'ginas long password';
    const transport = nodemailer.createTransport({
      host: '127.0.0.1',
      port: test.port('submission'),
      secure: false,
      requireTLS: true,
      tls: { rejectUnauthorized: false },
      auth: { user: 'gina@lanpost.lan', pass: password },
    });
    await transport.sendMail({ from: 'gina@lanpost.lan', to: 'admin@lanpost.lan', subject: 'Shown in class', text: 'Hello class' });
    const session = page.getByRole('option', { name: /SUBMISSION/ }).first();
    await session.click();
    const transcript = page.locator('.transcript');
    await expect.poll(() => transcript.textContent()).toContain('EHLO');
    await expect.poll(() => transcript.textContent()).toContain('Envelope sender: who the mail is from');
    await expect.poll(() => transcript.textContent()).toContain('TLS started');
    await expect.poll(() => transcript.textContent()).toContain('AUTH PLAIN');
    await expect.poll(() => session.textContent()).toContain('gina@lanpost.lan');
    await screenshot('inspector');
    const html = await page.content();
    const plain = Buffer.from(`\0gina@lanpost.lan\0${password}`).toString('base64');
    expect(html).not.toContain(password);
    expect(html).not.toContain(plain);
    expect(html).not.toContain(Buffer.from(password).toString('base64'));

    // Export as text: the same transcript, still without the password.
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Save as text' }).click()]);
    const exported = fs.readFileSync((await download.path())!, 'utf8');
    expect(exported).toMatch(/^# submission session /);
    expect(exported).toContain('C: EHLO');
    expect(exported).not.toContain(password);
    expect(exported).not.toContain(plain);

    // Pause holds new sessions back (the class can read), Resume shows them.
    await page.getByRole('button', { name: 'Pause' }).click();
    const before = await page.getByRole('option').count();
    const plainSmtp = nodemailer.createTransport({ host: '127.0.0.1', port: test.port('smtp'), secure: false, ignoreTLS: true });
    await plainSmtp.sendMail({ from: 'visitor@example.org', to: 'gina@lanpost.lan', subject: 'while paused', text: 'x' });
    await page.getByRole('button', { name: /^Resume \([1-9]\d* new\)$/ }).waitFor();
    expect(await page.getByRole('option').count()).toBe(before);
    await page.getByRole('button', { name: /^Resume/ }).click();
    await expect.poll(() => page.getByRole('option').count()).toBe(before + 1);
  });

  it('shows the logs and the client setup page', async () => {
    await openSection(/Logs/);
    await page.getByText(/delivered to gina@lanpost\.lan/).first().waitFor();
    await screenshot('logs');
    await openSection(/Client setup/);
    await page.getByRole('heading', { name: 'Settings for mail programs' }).waitFor();
    await screenshot('client-setup');
    expect(pageErrors).toEqual([]);
  });

  it('says what to do when opened without the token or with an old one', async () => {
    const other = await browser.newPage();
    const origin = new URL(test.engine.adminUrl).origin;
    await other.goto(`${origin}/`);
    await other.getByText(/needs the address LanPost printed/).waitFor();
    await other.close();
    const stale = await browser.newPage();
    await stale.goto(`${origin}/#token=${'x'.repeat(32)}`);
    await stale.getByText(/LanPost restarted since this page was opened/).waitFor();
    await stale.close();
  });
});

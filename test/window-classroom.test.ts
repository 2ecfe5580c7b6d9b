// The classroom in the window, in real headless Chromium against a real engine: a message
// submitted with swaks (after dig asked for the MX, A and SRV records) and read by imapflow over
// IDLE shows every step in order in the Message path view, with the sessions the inspector shows;
// each step opens its lines in the inspector; the server's replies are explained in English and
// 简体中文, or shown raw; projector mode; and a class of 30 made from a CSV on the Classroom page,
// each account able to log in over IMAP with the password on its slip, then reset.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { ImapFlow } from 'imapflow';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api } from './helpers/admin.js';
import { launchChromium, screenshot } from './helpers/browser.js';
import { startTestEngine, type TestEngine } from './helpers/engine.js';
import { ensureRendererBuilt } from './helpers/renderer-build.js';
import { waitFor } from './helpers/smtp-sink.js';

const run = promisify(execFile);
const gina = { address: 'gina@lanpost.lan', password: 'ginas long password' };
const hal = { address: 'hal@lanpost.lan', password: 'hals long password' };

let test: TestEngine;
let browser: Browser;
let page: Page;
const pageErrors: string[] = [];

beforeAll(async () => {
  await ensureRendererBuilt();
  test = await startTestEngine({ users: { [gina.address]: gina.password, [hal.address]: hal.password } });
  await api(test, '/api/setup/skip', { method: 'POST' });
  await api(test, '/api/setup/first-start-seen', { method: 'POST' });
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1280, height: 900 }, locale: 'en-US' });
  page.setDefaultTimeout(15_000);
  page.on('pageerror', (error) => pageErrors.push(error.message));
  await page.goto(test.engine.adminUrl);
  await page.getByRole('heading', { name: 'Overview' }).waitFor();
});
afterAll(async () => {
  await browser?.close();
  await test?.stop();
});

const openSection = (name: RegExp) => page.getByRole('navigation').getByRole('link', { name }).click();
const imapClient = (user: string, pass: string) =>
  new ImapFlow({ host: '127.0.0.1', port: test.port('imap'), secure: false, doSTARTTLS: false, auth: { user, pass }, logger: false });

describe('the message path view', () => {
  let deliveryId = '';

  it('follows the next message and shows DNS, submission, delivery, IDLE and FETCH in order, with their sessions', async () => {
    const imap = imapClient(hal.address, hal.password);
    await imap.connect();
    await imap.mailboxOpen('INBOX');
    const arrived = new Promise<void>((resolve) => imap.on('exists', () => resolve()));
    void imap.idle();
    await waitFor(() => test.engine.context.inspector.recent().some((l) => l.service === 'imap' && l.text === '+ idling'), 'IDLE');

    await openSection(/Message path/);
    await page.getByRole('button', { name: 'Follow the next message' }).click();
    await page.getByText('Send a message now').waitFor();
    for (const [type, name] of [['MX', 'lanpost.lan'], ['A', 'mail.lanpost.lan'], ['SRV', '_imaps._tcp.lanpost.lan']]) {
      await run('dig', ['@127.0.0.1', '-p', String(test.port('dns')), '+tries=1', '+time=5', type!, name!]);
    }
    const { stdout } = await run('swaks', [
      '--server', `127.0.0.1:${test.port('submission')}`,
      '--tls', '--auth', 'LOGIN', '--auth-user', gina.address, '--auth-password', gina.password,
      '--from', gina.address, '--to', hal.address,
      '--header', 'Subject: Follow me', '--body', 'Watch this message go.',
      '--timeout', '10',
    ]);
    deliveryId = /queued as (\w+)/.exec(stdout)![1]!;
    await page.getByRole('heading', { name: 'Follow me' }).waitFor();
    await arrived;
    await imap.fetchOne('*', { source: true });
    await imap.logout();

    const steps = page.locator('li.step');
    await expect.poll(() => steps.evaluateAll((items) => items.map((i) => i.getAttribute('data-kind')))).toEqual(['dns', 'dns', 'dns', 'submission', 'delivery', 'notified', 'read']);
    const transcript = test.engine.context.inspector.recent();
    const sessionOf = (service: string, match: RegExp) => transcript.find((l) => l.service === service && match.test(l.text))!.session;
    const sessions = await page.locator('li.step .step-session').evaluateAll((items) => items.map((i) => i.getAttribute('data-session')));
    const imapSession = sessionOf('imap', /^\S+ IDLE$/);
    expect(sessions.slice(3)).toEqual([sessionOf('submission', new RegExp(`queued as ${deliveryId}`)), imapSession, imapSession]);
    expect(sessions.slice(0, 3).every((s) => /^udp-\d+$/.test(s!))).toBe(true);
    const submission = page.locator('li.step[data-kind="submission"]');
    for (const text of ['EHLO', 'STARTTLS', 'TLS started', 'AUTH LOGIN', 'MAIL FROM:', 'RCPT TO:<hal@lanpost.lan>', 'DATA', `queued as ${deliveryId}`]) {
      expect(await submission.textContent(), text).toContain(text);
    }
    const delivery = page.locator('li.step[data-kind="delivery"]');
    expect(await delivery.textContent()).toMatch(/mail\/lanpost\.lan\/hal\/Maildir\/new\//);
    expect(await page.content()).not.toContain(gina.password);
    await screenshot(page, 'message-path');
  });

  it('explains the server replies in English and in Chinese, and shows them raw on request', async () => {
    const submission = page.locator('li.step[data-kind="submission"]');
    await expect.poll(() => submission.textContent()).toContain('Login accepted');
    expect(await submission.textContent()).toContain('RFC 4954 §6');
    expect(await submission.textContent()).toContain('Send the message now; end it with a line holding only "."');
    expect(await submission.textContent()).toContain('2.0.0: success');
    const dns = page.locator('li.step[data-kind="dns"]').first();
    expect(await dns.textContent()).toContain('aa: an authoritative answer');
    expect(await page.locator('li.step[data-kind="read"]').textContent()).toContain('The command with this tag is done');

    await page.getByLabel('Language').selectOption('zh-CN');
    await expect.poll(() => submission.textContent()).toContain('登录成功');
    expect(await submission.textContent()).toContain('现在发送邮件内容；以只有“.”的一行结束');
    expect(await page.locator('li.step[data-kind="notified"]').textContent()).toContain('文件夹现在有多少封邮件');
    await page.getByRole('button', { name: '只看原始行' }).click();
    await expect.poll(() => submission.textContent()).not.toContain('登录成功');
    await page.getByRole('button', { name: '逐行解释' }).click();
    await page.getByLabel('语言').selectOption('en');
  });

  it('opens a step\'s lines in the inspector, marked', async () => {
    await page.locator('li.step[data-kind="submission"]').getByRole('link', { name: 'Show in the inspector' }).click();
    await page.getByRole('heading', { name: 'Protocol inspector' }).waitFor();
    const marked = page.locator('.transcript .line.highlighted');
    await expect.poll(() => marked.count()).toBeGreaterThan(5);
    expect(await page.locator('.transcript').textContent()).toContain(`queued as ${deliveryId}`);
    expect(await page.locator('.transcript').textContent()).toContain('Login accepted');
  });

  it('has a projector mode: large type and high contrast, kept across pages', async () => {
    await page.getByRole('button', { name: 'Projector mode' }).click();
    await page.locator('.layout.projector').waitFor();
    const [background, size] = (await page.evaluate(
      "(() => { const box = document.querySelector('.transcript'); return [getComputedStyle(box).backgroundColor, getComputedStyle(box.querySelector('.lines')).fontSize]; })()",
    )) as [string, string];
    expect(background).toBe('rgb(0, 0, 0)');
    expect(parseFloat(size)).toBeGreaterThan(20);
    await openSection(/Message path/);
    await page.locator('.layout.projector').waitFor();
    await page.getByRole('button', { name: 'Leave projector mode' }).click();
    await page.locator('.layout.projector').waitFor({ state: 'detached' });
  });

  it('picks a message from a user\'s mailbox', async () => {
    await page.reload();
    await page.getByRole('heading', { name: 'Message path' }).waitFor();
    await page.getByLabel('User').selectOption(hal.address);
    await page.getByRole('button', { name: /Follow me/ }).last().click();
    await page.getByRole('heading', { name: 'Follow me' }).waitFor();
    expect(await page.locator('li.step').count()).toBeGreaterThan(5);
  });
});

describe('the classroom page', () => {
  let firstSlip = { address: '', password: '' };
  const csv = ['name,address', ...Array.from({ length: 30 }, (_, i) => `Student ${i + 1},pupil${i + 1}`)].join('\n');

  it('makes a class of 30 from a CSV, with a slip each whose password logs in over IMAP', async () => {
    await openSection(/Classroom/);
    await page.getByRole('heading', { name: 'Import a class from a CSV' }).waitFor();
    const form = page.locator('form').filter({ has: page.getByRole('button', { name: 'Import the class' }) });
    await form.getByLabel('Class name').fill('7a');
    await form.getByLabel('Or paste it here').fill(csv);
    await form.getByRole('button', { name: 'Import the class' }).click();
    await page.getByRole('heading', { name: 'Password slips for 7a (30)' }).waitFor({ timeout: 60_000 });
    const slips = await page.locator('.slip').evaluateAll((items) => items.map((i) => ({ address: i.getAttribute('data-slip')!, password: i.querySelector('.slip-password')!.textContent! })));
    expect(slips).toHaveLength(30);
    expect(slips[0]!.address).toBe('pupil1@lanpost.lan');
    expect(await page.locator('.slip').first().textContent()).toContain('Student 1');
    firstSlip = slips[0]!;
    await screenshot(page, 'classroom');
    for (let i = 0; i < slips.length; i += 10) {
      const batch = slips.slice(i, i + 10);
      const logins = await Promise.all(batch.map(async ({ address, password }) => {
        const client = imapClient(address, password);
        await client.connect();
        await client.logout();
        return true;
      }));
      expect(logins).toEqual(batch.map(() => true));
    }
    await page.getByRole('button', { name: 'Close' }).click();
    await page.locator('tr[data-class="7a"]').getByText('30').waitFor();
  });

  it('resets the class at the end of term: new slips, the old passwords refused', async () => {
    const before = (await api(test, '/api/classes')).body.classes[0].members.length;
    expect(before).toBe(30);
    const row = page.locator('tr[data-class="7a"]');
    await row.getByRole('button', { name: 'Reset' }).click();
    await page.getByText('Reset 7a for a new term?').waitFor();
    await page.getByRole('button', { name: 'Delete the mail and reset' }).click();
    await page.getByRole('heading', { name: 'Password slips for 7a (30)' }).waitFor({ timeout: 60_000 });
    const first = await page.locator('.slip').first().evaluate((i) => ({ address: i.getAttribute('data-slip')!, password: i.querySelector('.slip-password')!.textContent! }));
    expect(first.address).toBe(firstSlip.address);
    expect(first.password).not.toBe(firstSlip.password);
    const client = imapClient(first.address, first.password);
    await client.connect();
    await client.logout();
    await expect(imapClient(firstSlip.address, firstSlip.password).connect()).rejects.toThrow();
    expect(pageErrors).toEqual([]);
  });

  it('shows the same server in the classic stack: each field beside its Postfix, Dovecot and BIND lines, and the whole files', async () => {
    await openSection(/Classroom/);
    const card = page.locator('.classic-config');
    const hostname = card.locator('tr', { hasText: 'Server host name' });
    await expect.poll(() => hostname.textContent()).toContain('myhostname = mail.lanpost.lan');
    expect(await hostname.textContent()).toContain('/etc/bind/db.lanpost.lan');
    expect(await card.locator('details.classic-file[open] summary').first().textContent()).toBe('/etc/postfix/main.cf');
    await card.getByRole('tab', { name: /Dovecot/ }).click();
    await card.locator('summary', { hasText: '/etc/dovecot/dovecot.conf' }).waitFor();
    expect(await card.locator('details[data-path="/etc/dovecot/passwd"] pre').textContent()).not.toMatch(/\$2[aby]\$/);
    await screenshot(page, 'classic-config');
    await page.getByLabel('Language').selectOption('zh-CN');
    await page.getByRole('heading', { name: '经典方案中的等价配置' }).waitFor();
    expect(await card.locator('tr', { hasText: '服务器主机名' }).textContent()).toContain('myhostname = mail.lanpost.lan');
    await page.getByLabel('语言').selectOption('en');
    expect(pageErrors).toEqual([]);
  });
});

// A class in one step: student accounts from a CSV (through the admin API), each able to log in
// over IMAP with the password it was given; reset at the end of term (mail and own folders gone,
// new passwords, the old ones refused); deleted with its accounts. And `lanpost class …` as a child
// process does the same on a data folder.
import fs from 'node:fs';
import path from 'node:path';
import { ImapFlow } from 'imapflow';
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IssuedResponse } from '../server/admin/contract/index.js';
import { api } from './helpers/admin.js';
import { runCli } from './helpers/cli.js';
import { prepareDataDir, startTestEngine, tempDataDir, type TestEngine } from './helpers/engine.js';

let test: TestEngine;
beforeAll(async () => {
  test = await startTestEngine();
});
afterAll(() => test?.stop());

async function imapLogin(user: string, pass: string): Promise<boolean> {
  // plaintext from loopback (a trusted network): the login is what is tested, not TLS
  const client = new ImapFlow({ host: '127.0.0.1', port: test.port('imap'), secure: false, doSTARTTLS: false, auth: { user, pass }, logger: false });
  try {
    await client.connect();
    await client.logout();
    return true;
  } catch {
    client.close();
    return false;
  }
}

const csvOf = (count: number) =>
  ['name,address', '"Li, Wei",li.wei@lanpost.lan', '张伟,zhang.wei', ...Array.from({ length: count - 2 }, (_, i) => `Student ${i + 3},s${i + 3}@lanpost.lan`)].join('\r\n') + '\r\n';

describe('a class from a CSV, through the admin API', () => {
  let made: IssuedResponse;

  it('refuses a CSV with a bad row, naming the line, and makes none of its accounts', async () => {
    const refused = await api(test, '/api/classes/import', { body: { name: '9b', csv: 'name,address\nAnn,ann@lanpost.lan\nBob,bob@elsewhere.example\n' } });
    expect(refused.status).toBe(400);
    expect(refused.body.problems[0]).toEqual({ field: 'csv', reason: expect.stringMatching(/^line 3: elsewhere\.example is not a local domain/) });
    expect(test.engine.context.accounts.findUser('ann@lanpost.lan')).toBeUndefined();
    expect((await api(test, '/api/classes')).body.classes).toEqual([]);
  });

  it('makes the accounts of a CSV (quoted names, Chinese names, bare addresses), each logs in over IMAP with its password', async () => {
    const answer = await api<IssuedResponse>(test, '/api/classes/import', { body: { name: '7a', csv: csvOf(8), quotaBytes: 10 * 1024 * 1024 } });
    expect(answer.status).toBe(201);
    made = answer.body;
    expect(made.accounts).toHaveLength(8);
    expect(made.accounts[0]).toEqual({ address: 'li.wei@lanpost.lan', displayName: 'Li, Wei', password: expect.stringMatching(/^\w{4}-\w{4}-\w{4}-\w{4}$/) });
    expect(made.accounts[1]).toMatchObject({ address: 'zhang.wei@lanpost.lan', displayName: '张伟' });
    expect(await Promise.all(made.accounts.map((a) => imapLogin(a.address, a.password)))).toEqual(made.accounts.map(() => true));
    const listed = await api(test, '/api/classes');
    expect(listed.body.classes).toEqual([{ name: '7a', createdAt: expect.any(Number), members: expect.arrayContaining([{ address: 's8@lanpost.lan', displayName: 'Student 8' }]) }]);
    expect(listed.body.classes[0].members).toHaveLength(8);
    expect(test.engine.context.accounts.findUser('s3@lanpost.lan')!.quota_bytes).toBe(10 * 1024 * 1024);
    // the passwords are not kept: the list never shows them
    expect(JSON.stringify(listed.body)).not.toContain(made.accounts[0]!.password);
  });

  it('refuses a second class of the same name and one over limits.accountsPerClass', async () => {
    const again = await api(test, '/api/classes', { body: { name: '7A', prefix: 'x', count: 2 } });
    expect(again.status).toBe(400);
    expect(again.body.problems).toEqual([{ field: 'name', reason: 'there is already a class 7A' }]);
    const big = await api(test, '/api/classes', { body: { name: '8c', prefix: 'x', count: 501 } });
    expect(big.body.problems).toEqual([{ field: 'count', reason: 'a class has 1 to 500 accounts (limits.accountsPerClass)' }]);
  });

  it('resets the class at the end of term: mail and own folders removed, new passwords, the old ones refused', async () => {
    const [first, second] = made.accounts;
    const transport = nodemailer.createTransport({ host: '127.0.0.1', port: test.port('smtp'), secure: false, ignoreTLS: true });
    await transport.sendMail({ from: 'teacher@example.org', to: [first!.address, second!.address], subject: 'Homework', text: 'Page 12.' });
    const client = new ImapFlow({ host: '127.0.0.1', port: test.port('imap'), secure: false, doSTARTTLS: false, auth: { user: first!.address, pass: first!.password }, logger: false });
    await client.connect();
    await client.mailboxCreate('Projects');
    await client.append('Projects', 'Subject: draft\r\n\r\nmine\r\n');
    await client.logout();

    const reset = await api(test, `/api/classes/${encodeURIComponent('7a')}/reset`, { method: 'POST' });
    expect(reset.status).toBe(200);
    expect(reset.body.messagesRemoved).toBe(3);
    const fresh = reset.body.accounts.find((a: { address: string }) => a.address === first!.address);
    expect(fresh.password).not.toBe(first!.password);
    expect(await imapLogin(first!.address, first!.password)).toBe(false);
    expect(await imapLogin(first!.address, fresh.password)).toBe(true);
    const store = test.engine.context.mailStore;
    const user = test.engine.context.accounts.findUser(first!.address)!;
    expect(store.listMailboxes(user.id).map((m) => m.name)).not.toContain('Projects');
    expect(store.listMailboxes(user.id).reduce((sum, m) => sum + m.message_count, 0)).toBe(0);
  });

  it('gives new passwords for new slips, and deletes the class with its accounts', async () => {
    const slips = await api(test, '/api/classes/7a/slips', { method: 'POST' });
    expect(slips.body.accounts).toHaveLength(8);
    expect(await imapLogin(slips.body.accounts[5].address, slips.body.accounts[5].password)).toBe(true);
    expect((await api(test, '/api/classes/nope/reset', { method: 'POST' })).status).toBe(404);
    const deleted = await api(test, '/api/classes/7a', { method: 'DELETE' });
    expect(deleted.body.deleted).toHaveLength(8);
    expect(test.engine.context.accounts.findUser('li.wei@lanpost.lan')).toBeUndefined();
    expect((await api(test, '/api/classes')).body.classes).toEqual([]);
  });
});

describe('lanpost class', () => {
  const data = tempDataDir('lanpost-class-');
  prepareDataDir(data);
  afterAll(() => fs.rmSync(data, { recursive: true, force: true }));
  const cli = (...args: string[]) => runCli([...args, '--data', data]);

  it('creates a class of N accounts, prints each password once and writes the slips', async () => {
    const slips = path.join(data, 'slips.html');
    const made = await cli('class', 'create', '7a', '--prefix', 'student', '--count', '3', '--slips', slips);
    expect(made.code).toBe(0);
    const lines = made.stdout.trim().split('\n');
    expect(lines.map((l) => l.split('\t')[0])).toEqual(['student01@lanpost.lan', 'student02@lanpost.lan', 'student03@lanpost.lan']);
    const page = fs.readFileSync(slips, 'utf8');
    for (const line of lines) expect(page).toContain(line.split('\t')[1]);
    expect(page).toContain('密码');
    expect(fs.statSync(slips).mode & 0o777).toBe(0o600);
    expect((await cli('class', 'list')).stdout).toMatch(/^7a\t3 accounts\t/);
  });

  it('imports a CSV, refuses bad input with exit 2, resets only with --yes, and deletes', async () => {
    const csv = path.join(data, 'class.csv');
    fs.writeFileSync(csv, 'Ann Lee,ann@lanpost.lan\nBo Chen,bo@lanpost.lan\n');
    const imported = await cli('class', 'import', '8b', csv);
    expect(imported.code).toBe(0);
    expect(imported.stdout).toMatch(/^ann@lanpost\.lan\t\S+\tAnn Lee$/m);
    const twice = await cli('class', 'import', '8c', csv);
    expect(twice.code).toBe(2);
    expect(twice.stderr).toContain('line 1: ann@lanpost.lan already exists');
    const bad = await cli('class', 'create', '9', '--prefix', 'Bad Prefix!', '--count', '2');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('the prefix must be');
    const unsure = await cli('class', 'reset', '8b');
    expect(unsure.code).toBe(2);
    expect(unsure.stderr).toContain('add --yes');
    const reset = await cli('class', 'reset', '8b', '--yes');
    expect(reset.code).toBe(0);
    expect(reset.stderr).toContain('reset class 8b: 0 messages removed');
    const deleted = await cli('class', 'delete', '8b');
    expect(deleted.stdout).toContain('deleted class 8b and its 2 accounts');
    expect((await cli('user', 'list')).stdout).not.toContain('ann@lanpost.lan');
  });
});

// The first-run wizard's API with a new domain: names follow, the admin mailbox moves, the
// certificate is issued for the new name; and the API refuses what a browser form could send.
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SetupResponse } from '../server/admin/contract/index.js';
import { api } from './helpers/admin.js';
import { startTestEngine, type TestEngine } from './helpers/engine.js';

let test: TestEngine;

beforeAll(async () => {
  test = await startTestEngine();
});
afterAll(() => test.stop());

describe('first run with a new domain', () => {
  it('moves the admin mailbox, names and certificate to the new domain', async () => {
    const answer = await api<SetupResponse>(test, '/api/setup', {
      body: { domain: 'School.LAN', hostname: 'post.school.lan', address: '127.0.0.1', adminPassword: 'school secret' },
    });
    expect(answer.status).toBe(200);
    expect(answer.body.adminAddress).toBe('admin@school.lan');
    expect(answer.body.clientSetup).toMatchObject({ username: 'admin@school.lan', hostname: 'post.school.lan' });
    const settings = test.engine.context.settings();
    expect(settings).toMatchObject({ domain: 'school.lan', hostname: 'post.school.lan', origin: 'school.lan', localDomains: ['school.lan'] });
    expect((await test.engine.context.accounts.login('admin@school.lan', 'school secret', '127.0.0.1')).ok).toBe(true);
    expect(test.engine.context.accounts.findUser('admin@lanpost.lan')).toBeUndefined();
    expect(test.engine.context.accounts.listAliases().map((a) => a.address)).toContain('postmaster@school.lan');
    // A mail client connecting now is shown a certificate for the new name.
    const names = await new Promise<string>((resolve, reject) => {
      const socket = tls.connect({ host: '127.0.0.1', port: test.port('imaps'), servername: 'post.school.lan', rejectUnauthorized: false }, () => {
        resolve(socket.getPeerCertificate().subjectaltname ?? '');
        socket.destroy();
      });
      socket.on('error', reject);
    });
    expect(names).toContain('DNS:post.school.lan');
    const setup = await api(test, '/api/setup');
    expect(setup.body).toMatchObject({ setupDone: true, firstStart: null, domain: 'school.lan' });
  });
});

describe('requests a web page could forge', () => {
  it('refuses a body that is not JSON (an HTML form cannot send application/json)', async () => {
    const response = await fetch(new URL(test.engine.adminUrl).origin + '/api/users', {
      method: 'POST',
      headers: { authorization: `Bearer ${test.engine.adminToken}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'address=eve&password=whatever123',
    });
    expect(response.status).toBe(415);
    expect(test.engine.context.accounts.findUser('eve@school.lan')).toBeUndefined();
  });

  it('refuses a body that is too large, and an unknown method', async () => {
    const big = await api(test, '/api/settings', { method: 'PATCH', body: { changes: [{ key: 'hostname', value: 'x'.repeat(2 * 1024 * 1024) }] } });
    expect(big.status).toBe(413);
    expect((await api(test, '/api/overview', { method: 'DELETE' })).status).toBe(405);
    expect((await api(test, '/api/nothing-here')).status).toBe(404);
  });
});

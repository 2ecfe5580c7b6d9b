// The admin API against a real engine: token, Host/Origin checks, settings validation and
// restarts, users and aliases, certificates, firewall, first run, and the live WebSocket.
import fs from 'node:fs';
import path from 'node:path';
import net from 'node:net';
import forge from 'node-forge';
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LiveEvent, ServiceStatus } from '../server/admin/contract/index.js';
import { settingsPath } from '../server/settings/file.js';
import { LiveEvents, api, freePort, rawRequest } from './helpers/admin.js';
import { startTestEngine, tempDataDir, type TestEngine } from './helpers/engine.js';

let test: TestEngine;
const rendererDir = tempDataDir('lanpost-renderer-');

beforeAll(async () => {
  process.env.LANPOST_RENDERER_DIR = rendererDir;
  test = await startTestEngine();
});
afterAll(async () => {
  await test.stop();
  delete process.env.LANPOST_RENDERER_DIR;
  fs.rmSync(rendererDir, { recursive: true, force: true });
});

describe('admin API access', () => {
  it('listens on 127.0.0.1 only and prints the token in the URL fragment', () => {
    expect(test.engine.adminUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/#token=[\w-]{32}$/);
  });

  it('refuses requests without the token or with a wrong one (401)', async () => {
    expect((await api(test, '/api/overview', { token: null })).status).toBe(401);
    const wrong = await api(test, '/api/overview', { token: 'x'.repeat(32) });
    expect(wrong.status).toBe(401);
    expect(wrong.body.error).toMatch(/token/);
    const right = await api(test, '/api/overview');
    expect(right.status).toBe(200);
    expect(right.body.services.map((s: ServiceStatus) => s.name)).toContain('smtp');
  });

  it('refuses a foreign Host header (DNS rebinding) with 421 and a foreign Origin with 403', async () => {
    const port = new URL(test.engine.adminUrl).port;
    const auth = { authorization: `Bearer ${test.engine.adminToken}` };
    expect((await rawRequest(test, '/api/overview', { ...auth, host: `attacker.example:${port}` })).status).toBe(421);
    expect((await rawRequest(test, '/', { host: `attacker.example:${port}` })).status).toBe(421);
    expect((await rawRequest(test, '/api/overview', { ...auth, host: `localhost:${port}` })).status).toBe(200);
    const foreign = await api(test, '/api/overview', { headers: { origin: 'http://attacker.example' } });
    expect(foreign.status).toBe(403);
  });

  it('sets no cookies and sends no CORS headers', async () => {
    const response = await fetch(new URL(test.engine.adminUrl).origin + '/api/overview', {
      headers: { authorization: `Bearer ${test.engine.adminToken}` },
    });
    expect(response.headers.get('set-cookie')).toBeNull();
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('says plainly when the window is not built, and serves it once it is', async () => {
    const missing = await api(test, '/', { token: null });
    expect(missing.status).toBe(503);
    expect(missing.body).toContain('The LanPost window is not built');
    expect(missing.body).toContain('npm run build');
    fs.writeFileSync(path.join(rendererDir, 'index.html'), '<!doctype html><title>LanPost</title>');
    const page = await fetch(new URL(test.engine.adminUrl).origin + '/users');
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<title>LanPost</title>');
    expect(page.headers.get('content-security-policy')).toContain("default-src 'self'");
    const traversal = await rawRequest(test, '/..%2f..%2fpackage.json', {});
    expect(traversal.body).not.toContain('"name"');
  });
});

describe('settings', () => {
  it('refuses a bad value with 400, the field and the reason, and changes nothing', async () => {
    const fileBefore = fs.readFileSync(settingsPath(test.dataDir), 'utf8');
    const statusesBefore = test.engine.statuses();
    const answer = await api(test, '/api/settings', {
      method: 'PATCH',
      body: {
        changes: [
          { key: 'hostname', value: 'mail.school.lan' },
          { key: 'services.smtp.port', value: 70000 },
          { key: 'trustedNetworks', value: ['10.0.0.0/33'] },
        ],
      },
    });
    expect(answer.status).toBe(400);
    expect(answer.body.problems).toEqual(
      expect.arrayContaining([
        { field: 'services.smtp.port', reason: 'must be from 0 to 65535 (0 picks a free port)' },
        { field: 'trustedNetworks.0', reason: expect.stringContaining('CIDR') },
      ]),
    );
    expect(fs.readFileSync(settingsPath(test.dataDir), 'utf8')).toBe(fileBefore);
    expect(test.engine.context.settings().hostname).toBe('mail.lanpost.lan');
    expect(test.engine.statuses()).toEqual(statusesBefore);
  });

  it('names an unknown key', async () => {
    const answer = await api(test, '/api/settings', { method: 'PATCH', body: { changes: [{ key: 'services.smtp.colour', value: 'red' }] } });
    expect(answer.status).toBe(400);
    expect(answer.body.problems[0]).toEqual({ field: 'services.smtp.colour', reason: 'unknown setting' });
  });

  it('a port change restarts only that service', async () => {
    const live = await LiveEvents.open(test);
    const before = new Map(test.engine.statuses().map((s) => [s.name, s]));
    // An open SMTP session on another service must survive the change.
    const smtp = net.connect(test.port('smtp'), '127.0.0.1');
    await new Promise((resolve) => smtp.once('data', resolve));
    const port = await freePort();
    const answer = await api(test, '/api/settings', { method: 'PATCH', body: { changes: [{ key: 'services.submission.port', value: port }] } });
    expect(answer.status).toBe(200);
    expect(answer.body.settings.services.submission.port).toBe(port);
    expect(test.port('submission')).toBe(port);
    await live.waitFor((e) => e.type === 'settings');
    const restarted = live.events.filter((e): e is Extract<LiveEvent, { type: 'service' }> => e.type === 'service').map((e) => `${e.status.name}:${e.status.state}`);
    expect(restarted).toEqual(['submission:stopped', 'submission:listening']);
    for (const status of test.engine.statuses()) {
      if (status.name !== 'submission') expect(status).toEqual(before.get(status.name));
    }
    const reply = new Promise<string>((resolve) => smtp.once('data', (d) => resolve(String(d))));
    smtp.write('NOOP\r\n');
    expect(await reply).toMatch(/^250/);
    smtp.destroy();
    live.close();
    expect(JSON.parse(fs.readFileSync(settingsPath(test.dataDir), 'utf8')).services.submission.port).toBe(port);
  });

  it('stops and starts one service on request', async () => {
    const stopped = await api(test, '/api/services/pop3s/stop', { method: 'POST' });
    expect(stopped.body.status.state).toBe('stopped');
    expect(test.engine.status('pop3s').state).toBe('stopped');
    const started = await api(test, '/api/services/pop3s/start', { method: 'POST' });
    expect(started.status).toBe(200);
    expect(started.body.status.name).toBe('pop3s');
    expect(test.engine.status('pop3s').state).not.toBe('stopped');
    expect((await api(test, '/api/services/gopher/stop', { method: 'POST' })).status).toBe(404);
  });
});

describe('users and aliases', () => {
  it('adds, lists, edits, disables, resets the password of and deletes a user', async () => {
    const created = await api(test, '/api/users', { body: { address: 'Carol', password: 'carols password', displayName: 'Carol', quotaBytes: 5_000_000 } });
    expect(created.status).toBe(201);
    expect(created.body.address).toBe('carol@lanpost.lan');
    let list = await api(test, '/api/users');
    expect(list.body.users.find((u: { address: string }) => u.address === 'carol@lanpost.lan')).toMatchObject({
      displayName: 'Carol',
      quotaBytes: 5_000_000,
      disabled: false,
      messages: 0,
    });
    const edited = await api(test, '/api/users/carol%40lanpost.lan', { method: 'PATCH', body: { disabled: true, quotaBytes: 0, displayName: 'Carol K.' } });
    expect(edited.status).toBe(200);
    list = await api(test, '/api/users');
    expect(list.body.users.find((u: { address: string }) => u.address === 'carol@lanpost.lan')).toMatchObject({ disabled: true, quotaBytes: 0, displayName: 'Carol K.' });
    expect((await test.engine.context.accounts.login('carol@lanpost.lan', 'carols password', '127.0.0.1')).ok).toBe(false);
    await api(test, '/api/users/carol%40lanpost.lan', { method: 'PATCH', body: { disabled: false } });
    const reset = await api(test, '/api/users/carol%40lanpost.lan/password', { body: { password: 'a brand new one' } });
    expect(reset.status).toBe(200);
    expect((await test.engine.context.accounts.login('carol@lanpost.lan', 'a brand new one', '127.0.0.1')).ok).toBe(true);
    const card = await api(test, '/api/users/carol%40lanpost.lan/client-setup');
    expect(card.body.username).toBe('carol@lanpost.lan');
    expect(card.body.outgoing.map((s: { service: string }) => s.service)).toEqual(['smtps', 'submission']);
    const removed = await api(test, '/api/users/carol%40lanpost.lan', { method: 'DELETE' });
    expect(removed.status).toBe(200);
    expect(removed.body.keptMailIn).toMatch(/carol\.deleted-/);
    expect(test.engine.context.accounts.findUser('carol@lanpost.lan')).toBeUndefined();
    expect((await api(test, '/api/users/carol%40lanpost.lan', { method: 'DELETE' })).status).toBe(404);
  });

  it('refuses bad users with the field and the reason in words', async () => {
    const shortPassword = await api(test, '/api/users', { body: { address: 'dave@lanpost.lan', password: 'short' } });
    expect(shortPassword.status).toBe(400);
    expect(shortPassword.body.problems[0]).toEqual({ field: 'password', reason: 'password must be at least 8 characters' });
    const otherDomain = await api(test, '/api/users', { body: { address: 'dave@elsewhere.org', password: 'long enough' } });
    expect(otherDomain.body.problems[0].field).toBe('address');
    expect(otherDomain.body.error).toContain('not a local domain');
    const badQuota = await api(test, '/api/users', { body: { address: 'dave@lanpost.lan', password: 'long enough', quotaBytes: -1 } });
    expect(badQuota.body.problems[0].field).toBe('quotaBytes');
    expect(test.engine.context.accounts.findUser('dave@lanpost.lan')).toBeUndefined();
    // Local parts that would become a path on disk (x/y nests inside x's Maildir) or hide in a listing.
    for (const local of ['x/y', 'x\\y', '.hidden', 'tab\there', 'nul\u0000byte', '../up']) {
      const refused = await api(test, '/api/users', { body: { address: `${local}@lanpost.lan`, password: 'long enough' } });
      expect(refused.status, local).toBe(400);
      expect(refused.body.problems[0].field, local).toBe('address');
      const alias = await api(test, '/api/aliases', { body: { address: `${local}@lanpost.lan`, targets: ['admin'] } });
      expect(alias.status, local).toBe(400);
    }
    expect(test.engine.context.accounts.listUsers().map((u) => u.address)).not.toContain('x/y@lanpost.lan');
  });

  it('refuses a body of the wrong shape, naming each field by its path in the body', async () => {
    const missing = await api(test, '/api/users', { body: { address: 'gina@lanpost.lan' } });
    expect(missing.status).toBe(400);
    expect(missing.body).toEqual({ error: 'password must be text', problems: [{ field: 'password', reason: 'must be text' }] });
    const quota = await api(test, '/api/users', { body: { address: 'gina@lanpost.lan', password: 'long enough', quotaBytes: 'lots', displayName: 7 } });
    expect(quota.body.problems).toEqual([
      { field: 'displayName', reason: 'must be text' },
      { field: 'quotaBytes', reason: 'must be a number' },
    ]);
    const target = await api(test, '/api/aliases', { body: { address: 'team2', targets: ['admin', 42] } });
    expect(target.status).toBe(400);
    expect(target.body.problems).toEqual([{ field: 'targets.1', reason: 'must be text' }]);
    const disabled = await api(test, `/api/users/${encodeURIComponent(test.admin.address)}`, { method: 'PATCH', body: { disabled: 'yes' } });
    expect(disabled.body.problems).toEqual([{ field: 'disabled', reason: 'must be true or false' }]);
    const changes = await api(test, '/api/settings', { method: 'PATCH', body: { changes: [] } });
    expect(changes.status).toBe(400);
    expect(changes.body.problems[0].field).toBe('changes');
    expect(test.engine.context.accounts.findUser('gina@lanpost.lan')).toBeUndefined();
  });

  it('names the target field for a target that is not a mail address', async () => {
    const bad = await api(test, '/api/aliases', { body: { address: 'team3', targets: ['two words'] } });
    expect(bad.status).toBe(400);
    expect(bad.body.problems[0].field).toBe('targets');
  });

  it('manages aliases and distribution lists', async () => {
    await test.addUser('erin@lanpost.lan');
    await test.addUser('frank@lanpost.lan');
    const created = await api(test, '/api/aliases', { body: { address: 'team', targets: ['erin', 'frank@lanpost.lan', ' '] } });
    expect(created.status).toBe(201);
    let aliases = (await api(test, '/api/aliases')).body.aliases;
    expect(aliases).toContainEqual({ address: 'team@lanpost.lan', targets: ['erin@lanpost.lan', 'frank@lanpost.lan'] });
    const resolved = test.engine.context.accounts.resolveRecipient('team@lanpost.lan');
    expect(resolved.kind === 'local' && resolved.users.map((u) => u.address).sort()).toEqual(['erin@lanpost.lan', 'frank@lanpost.lan']);
    expect((await api(test, '/api/aliases/team%40lanpost.lan?target=frank%40lanpost.lan', { method: 'DELETE' })).body.removed).toBe(1);
    aliases = (await api(test, '/api/aliases')).body.aliases;
    expect(aliases).toContainEqual({ address: 'team@lanpost.lan', targets: ['erin@lanpost.lan'] });
    const loop = await api(test, '/api/aliases', { body: { address: 'team', targets: ['team'] } });
    expect(loop.status).toBe(400);
    expect(loop.body.problems[0]).toEqual({ field: 'targets', reason: 'an alias cannot point at itself' });
    expect((await api(test, '/api/aliases/team%40lanpost.lan', { method: 'DELETE' })).status).toBe(200);
    expect((await api(test, '/api/aliases/team%40lanpost.lan', { method: 'DELETE' })).status).toBe(400);
  });
});

describe('certificates', () => {
  it('shows the current certificate and the CA, and serves the CA for download', async () => {
    const answer = await api(test, '/api/certificate');
    expect(answer.body.certificate.dnsNames).toContain('mail.lanpost.lan');
    expect(answer.body.certificate.fingerprintSha256).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    expect(answer.body.ca.subject).toContain('LanPost Local CA');
    const download = await fetch(new URL(test.engine.adminUrl).origin + '/api/certificate/ca.crt', {
      headers: { authorization: `Bearer ${test.engine.adminToken}` },
    });
    expect(download.headers.get('content-disposition')).toBe('attachment; filename="lanpost-ca-lanpost.lan.crt"');
    expect(await download.text()).toBe(fs.readFileSync(path.join(test.dataDir, 'tls', 'ca.crt'), 'utf8'));
  });

  it('explains in words why an import is refused, and changes nothing', async () => {
    const before = (await api(test, '/api/certificate')).body.certificate.fingerprintSha256;
    const garbage = await api(test, '/api/certificate/import', { body: { certificate: 'hello', key: 'world' } });
    expect(garbage.status).toBe(400);
    expect(garbage.body.error).toMatch(/^The certificate is not a readable PEM certificate/);
    const caPem = fs.readFileSync(path.join(test.dataDir, 'tls', 'ca.crt'), 'utf8');
    const serverKey = fs.readFileSync(path.join(test.dataDir, 'tls', 'server.key'), 'utf8');
    const mismatch = await api(test, '/api/certificate/import', { body: { certificate: caPem, key: serverKey } });
    expect(mismatch.body.error).toBe('The private key does not belong to this certificate.');
    const noKey = await api(test, '/api/certificate/import', { body: { certificate: caPem, key: '' } });
    expect(noKey.body.error).toMatch(/Paste the private key/);
    expect((await api(test, '/api/certificate')).body.certificate.fingerprintSha256).toBe(before);
  });

  it('makes a key and CSR for a public CA, imports the answer with that key, then regenerates', async () => {
    const request = await api(test, '/api/certificate/request', {
      body: { commonName: 'mail.school.example', altNames: ['school.example', '192.168.1.20'], organization: 'School', country: 'cn' },
    });
    expect(request.status).toBe(200);
    const csr = forge.pki.certificationRequestFromPem(request.body.csr);
    expect(csr.verify()).toBe(true);
    expect(csr.subject.getField('CN').value).toBe('mail.school.example');
    expect(csr.subject.getField('C').value).toBe('CN');
    type AltName = { type: number; value?: string; ip?: string };
    const extensionRequest = csr.getAttribute({ name: 'extensionRequest' }) as unknown as { extensions: Array<{ name: string; altNames: AltName[] }> };
    const san = extensionRequest.extensions.find((e) => e.name === 'subjectAltName')!;
    expect(san.altNames.map((n) => n.ip ?? n.value)).toEqual(['mail.school.example', 'school.example', '192.168.1.20']);
    expect((await api(test, '/api/certificate')).body.pendingRequest.commonName).toBe('mail.school.example');

    // Play the public CA: sign the request.
    const caKeys = forge.pki.rsa.generateKeyPair(1024);
    const caCert = forge.pki.createCertificate();
    caCert.publicKey = caKeys.publicKey;
    caCert.serialNumber = '01';
    caCert.validity.notBefore = new Date(Date.now() - 3600_000);
    caCert.validity.notAfter = new Date(Date.now() + 86_400_000);
    caCert.setSubject([{ name: 'commonName', value: 'Test Public CA' }]);
    caCert.setIssuer([{ name: 'commonName', value: 'Test Public CA' }]);
    const issued = forge.pki.createCertificate();
    issued.publicKey = csr.publicKey!;
    issued.serialNumber = '02';
    issued.validity.notBefore = new Date(Date.now() - 3600_000);
    issued.validity.notAfter = new Date(Date.now() + 86_400_000);
    issued.setSubject(csr.subject.attributes);
    issued.setIssuer(caCert.subject.attributes);
    issued.setExtensions([{ name: 'subjectAltName', altNames: san.altNames }]);
    issued.sign(caKeys.privateKey, forge.md.sha256.create());

    const imported = await api(test, '/api/certificate/import', { body: { certificate: forge.pki.certificateToPem(issued), key: '' } });
    expect(imported.status).toBe(200);
    expect(imported.body.certificate).toMatchObject({ imported: true, dnsNames: ['mail.school.example', 'school.example'] });
    expect(imported.body.certificate.issuer).toContain('Test Public CA');
    expect(imported.body.pendingRequest).toBeNull();

    const regenerated = await api(test, '/api/certificate/regenerate', { method: 'POST' });
    expect(regenerated.body.certificate.imported).toBe(false);
    expect(regenerated.body.certificate.issuer).toContain('LanPost Local CA');
  });

  it('refuses a CSR for a name that is not a host name', async () => {
    const answer = await api(test, '/api/certificate/request', { body: { commonName: 'not a name!' } });
    expect(answer.status).toBe(400);
    expect(answer.body.error).toContain('is not a host name');
  });
});

describe('firewall and ports', () => {
  it('lists each enabled port with its state and commands that open it', async () => {
    const answer = await api(test, '/api/firewall');
    const smtp = answer.body.ports.find((p: { service: string }) => p.service === 'smtp');
    expect(smtp).toMatchObject({ protocol: 'tcp', state: 'listening', port: test.port('smtp') });
    const ufw = answer.body.firewalls.find((f: { kind: string }) => f.kind === 'ufw');
    expect(ufw.commands.join('\n')).toContain(String(test.port('smtp')));
    expect(answer.body.firewalls.map((f: { kind: string }) => f.kind)).toEqual(
      expect.arrayContaining(['iptables', 'nftables', 'firewalld', 'ufw', 'windows-netsh', 'windows-powershell', 'macos-pf']),
    );
  });
});

describe('first run', () => {
  it('shows the first-start password until the window has shown it', async () => {
    const state = await api(test, '/api/setup');
    expect(state.body.firstStart).toEqual({ address: test.admin.address, password: test.admin.password });
    expect(state.body.setupDone).toBe(false);
    await api(test, '/api/setup/first-start-seen', { method: 'POST' });
    expect((await api(test, '/api/setup')).body.firstStart).toBeNull();
  });

  it('refuses a bad wizard answer with the fields, then applies a good one', async () => {
    const bad = await api(test, '/api/setup', { body: { domain: 'not a domain', hostname: 'mail.x.lan', address: '10.99.99.99', adminPassword: 'short' } });
    expect(bad.status).toBe(400);
    expect(bad.body.problems.map((p: { field: string }) => p.field).sort()).toEqual(['address', 'adminPassword', 'domain']);
    const good = await api(test, '/api/setup', { body: { domain: 'lanpost.lan', hostname: 'mail.lanpost.lan', address: '127.0.0.1', adminPassword: 'the office secret' } });
    expect(good.status).toBe(200);
    expect(good.body.adminAddress).toBe(test.admin.address);
    expect(good.body.clientSetup.incoming.length).toBeGreaterThan(0);
    expect((await api(test, '/api/setup')).body.setupDone).toBe(true);
    expect((await test.engine.context.accounts.login(test.admin.address, 'the office secret', '127.0.0.1')).ok).toBe(true);
  });
});

describe('live events', () => {
  it('refuses a WebSocket without the token, or from another origin', async () => {
    await expect(LiveEvents.open(test, ['lanpost.v1'])).rejects.toThrow(/401/);
    await expect(LiveEvents.open(test, ['lanpost.v1', 'token.wrong'])).rejects.toThrow(/401/);
    await expect(LiveEvents.open(test, undefined, { origin: 'http://attacker.example' })).rejects.toThrow(/403/);
  });

  it('streams a delivered message as inspector lines, a log line, new mail and traffic', async () => {
    const bob = await test.addUser('bob@lanpost.lan');
    const live = await LiveEvents.open(test);
    expect(live.events[0]?.type ?? (await live.waitFor((e) => e.type === 'hello')).type).toBe('hello');
    const transport = nodemailer.createTransport({ host: '127.0.0.1', port: test.port('smtp'), secure: false, ignoreTLS: true });
    await transport.sendMail({ from: 'alice@example.org', to: bob.address, subject: 'live', text: 'hello' });
    const ehlo = await live.waitFor((e) => e.type === 'inspector' && e.line.direction === 'C' && /^EHLO /.test(e.line.text));
    expect(ehlo).toMatchObject({ line: { service: 'smtp' } });
    const log = await live.waitFor((e) => e.type === 'log' && e.entry.message.includes('delivered to bob@lanpost.lan'));
    expect(log.type === 'log' && log.entry.level).toBe('info');
    const mail = await live.waitFor((e) => e.type === 'mail' && e.mail.user === 'bob@lanpost.lan');
    expect(mail).toMatchObject({ mail: { mailbox: 'INBOX', kind: 'exists', count: 1 } });
    const traffic = await live.waitFor((e) => e.type === 'traffic');
    expect(traffic.type === 'traffic' && traffic.hour.in).toBeGreaterThanOrEqual(1);
    const overview = await api(test, '/api/overview');
    expect(overview.body.counts.messagesToday).toBeGreaterThanOrEqual(1);
    expect(overview.body.traffic).toHaveLength(24);
    expect(overview.body.traffic.reduce((sum: number, h: { in: number }) => sum + h.in, 0)).toBeGreaterThanOrEqual(1);
    live.close();
  });

  it('keeps recent log and inspector lines for a window opened later', async () => {
    const logs = await api(test, '/api/logs');
    expect(logs.body.entries.some((e: { message: string }) => e.message.includes('delivered to bob@lanpost.lan'))).toBe(true);
    const inspector = await api(test, '/api/inspector');
    expect(inspector.body.lines.some((l: { text: string }) => /^MAIL FROM:/i.test(l.text))).toBe(true);
  });
});

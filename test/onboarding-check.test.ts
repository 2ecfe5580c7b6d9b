// The live check of the onboarding URLs: the window's Client setup page (admin API) and
// `lanpost doctor` ask every URL on the engine's own loopback ports, with the host names devices
// use, and say the same thing; a stopped service shows up as failing checks.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, freePort } from './helpers/admin.js';
import { runCli } from './helpers/cli.js';
import { startTestEngine, type TestEngine } from './helpers/engine.js';
import { ensureRendererBuilt } from './helpers/renderer-build.js';

let test: TestEngine;
let ports: { http: number; https: number };
const domain = 'lanpost.lan';

beforeAll(async () => {
  await ensureRendererBuilt();
  // lanpost doctor reads the ports from the settings: fixed ones here, not port 0
  ports = { http: await freePort(), https: await freePort() };
  test = await startTestEngine({
    change: (settings) => {
      settings.services.http.port = ports.http;
      settings.services.https.port = ports.https;
    },
  });
});
afterAll(async () => {
  await test?.stop();
});

const checkPath = () => `/api/users/${encodeURIComponent(test.admin.address)}/onboarding-check`;

describe('the onboarding check', () => {
  it('finds every onboarding URL answering, in the window and in `lanpost doctor` alike', async () => {
    const { status, body } = await api(test, checkPath());
    expect(status).toBe(200);
    const address = encodeURIComponent(test.admin.address);
    expect(body.checks.map((c: { kind: string; url: string }) => `${c.kind} ${c.url}`)).toEqual([
      `autoconfig https://autoconfig.${domain}:${ports.https}/mail/config-v1.1.xml?emailaddress=${address}`,
      `autoconfig http://autoconfig.${domain}:${ports.http}/mail/config-v1.1.xml?emailaddress=${address}`,
      `autoconfig https://${domain}:${ports.https}/.well-known/autoconfig/mail/config-v1.1.xml?emailaddress=${address}`,
      `autodiscover https://${domain}:${ports.https}/autodiscover/autodiscover.xml`,
      `autodiscover https://autodiscover.${domain}:${ports.https}/autodiscover/autodiscover.xml`,
      `landing https://mail.${domain}:${ports.https}/`,
      `landing http://mail.${domain}:${ports.http}/`,
      `profile https://mail.${domain}:${ports.https}/profile.mobileconfig?address=${address}`,
      `ca https://mail.${domain}:${ports.https}/lanpost-ca.crt`,
    ]);
    for (const check of body.checks) expect(check, check.url).toMatchObject({ ok: true, detail: check.url.startsWith('http://mail.') ? `301 to https://mail.${domain}:${ports.https}/` : '200 OK' });

    const doctor = await runCli(['doctor', '--data', test.dataDir]);
    expect(doctor.code).toBe(0);
    const lines = doctor.stdout.split('\n').filter((line) => /^ {2}(ok {2}|FAIL)/.test(line));
    expect(lines).toEqual(body.checks.map((c: { name: string; url: string; detail: string }) => `  ok    ${c.name.padEnd(22)} ${c.url}  ${c.detail}`));
    expect(doctor.stdout).toContain(`onboarding, asked on this machine's own ports as devices on the LAN ask (for ${test.admin.address}):`);
  });

  it('shows what fails while HTTPS is stopped, and why', async () => {
    await test.engine.stopService('https');
    try {
      const { body } = await api(test, checkPath());
      const failing = body.checks.filter((c: { ok: boolean }) => !c.ok).map((c: { url: string; detail: string }) => c.detail);
      expect(failing).toEqual([...Array(5).fill('https stopped'), 'answered 200 instead of 301', 'https stopped', 'https stopped']);
      // plain HTTP still answers Thunderbird (and serves the page itself rather than send browsers to a closed port)
      expect(body.checks.filter((c: { ok: boolean }) => c.ok).map((c: { url: string }) => c.url)).toEqual([
        `http://autoconfig.${domain}:${ports.http}/mail/config-v1.1.xml?emailaddress=${encodeURIComponent(test.admin.address)}`,
      ]);
      const doctor = await runCli(['doctor', '--data', test.dataDir]);
      expect(doctor.code).toBe(0); // the data folder is fine; the check is information
      expect(doctor.stdout).toMatch(new RegExp(`^ {2}FAIL {2}CA certificate {9}https://mail\\.${domain.replace('.', '\\.')}:${ports.https}/lanpost-ca\\.crt {2}nothing answers on that port$`, 'm'));
    } finally {
      await test.engine.restartService('https');
    }
  });
});

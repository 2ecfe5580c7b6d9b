// The LAN web service against a real engine, asked as devices on the LAN ask (on loopback, with
// their Host headers and TLS server names): Thunderbird autoconfig and Outlook autodiscover read
// by Python's xml.etree field by field, the Apple profile by Python's plistlib, the CA downloads,
// HTTP → HTTPS, and bad input answered with a clear 4xx while the service keeps running.
import crypto from 'node:crypto';
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { certificateIdentity } from '../server/engine.js';
import { regenerateCertificate } from '../server/tls/certificates.js';
import { AUTODISCOVER_PATH, OUTLOOK_SCHEMA, REQUEST_SCHEMA, RESPONSE_SCHEMA } from '../server/web/onboarding/autodiscover.js';
import { api } from './helpers/admin.js';
import { runCli } from './helpers/cli.js';
import { changeSettings, startTestEngine, type TestEngine } from './helpers/engine.js';
import { childOf, childrenOf, fieldsOf, readPlist, readXml, type XmlNode } from './helpers/python-parsers.js';
import { web } from './helpers/web.js';

let test: TestEngine;
const domain = 'lanpost.lan';
const alice = { address: `alice@${domain}`, password: 'alice in the office' };
let caFromCli: string;

beforeAll(async () => {
  test = await startTestEngine({ users: { [alice.address]: alice.password } });
  const printed = await runCli(['cert', 'ca', '--data', test.dataDir]);
  expect(printed.code).toBe(0);
  caFromCli = printed.stdout;
});
afterAll(async () => {
  await test?.stop();
});

const ports = () => ({
  imaps: test.port('imaps'),
  imap: test.port('imap'),
  pop3s: test.port('pop3s'),
  pop3: test.port('pop3'),
  smtps: test.port('smtps'),
  submission: test.port('submission'),
});

function autodiscoverRequest(address: string, schema = OUTLOOK_SCHEMA): string {
  return `<?xml version="1.0" encoding="utf-8"?>
<Autodiscover xmlns="${REQUEST_SCHEMA}">
  <Request>
    <EMailAddress>${address}</EMailAddress>
    <AcceptableResponseSchema>${schema}</AcceptableResponseSchema>
  </Request>
</Autodiscover>`;
}

/** The DER bytes of a PEM certificate, read from its base64 lines (independent of any X.509 library). */
function derOfPem(pem: string): Buffer {
  return Buffer.from(pem.replace(/-----(BEGIN|END) CERTIFICATE-----|\s+/g, ''), 'base64');
}

describe('Thunderbird autoconfig', () => {
  function checkClientConfig(root: XmlNode, expected: ReturnType<typeof ports>): void {
    expect(root.tag).toBe('clientConfig');
    expect(root.attrib).toEqual({ version: '1.1' });
    const provider = childOf(root, 'emailProvider');
    expect(provider.attrib.id).toBe(domain);
    expect(childrenOf(provider, 'domain').map((d) => d.text)).toEqual([domain]);
    expect(childOf(provider, 'displayName').text).toBe(`LanPost (${domain})`);
    const servers = (tag: string) => childrenOf(provider, tag).map((server) => ({ type: server.attrib.type, ...fieldsOf(server) }));
    const common = { hostname: `mail.${domain}`, authentication: 'password-cleartext', username: '%EMAILADDRESS%' };
    expect(servers('incomingServer')).toEqual([
      { type: 'imap', ...common, port: String(expected.imaps), socketType: 'SSL' },
      { type: 'imap', ...common, port: String(expected.imap), socketType: 'STARTTLS' },
      { type: 'pop3', ...common, port: String(expected.pop3s), socketType: 'SSL' },
      { type: 'pop3', ...common, port: String(expected.pop3), socketType: 'STARTTLS' },
    ]);
    expect(servers('outgoingServer')).toEqual([
      { type: 'smtp', ...common, port: String(expected.smtps), socketType: 'SSL' },
      { type: 'smtp', ...common, port: String(expected.submission), socketType: 'STARTTLS' },
    ]);
  }

  it('answers clientConfig 1.1 on autoconfig.<domain> and mail.<domain>, over plain HTTP too, and at .well-known on the domain', async () => {
    const query = `?emailaddress=${encodeURIComponent(alice.address)}`;
    const asked = [
      ['http', `autoconfig.${domain}`, `/mail/config-v1.1.xml${query}`],
      ['https', `autoconfig.${domain}`, `/mail/config-v1.1.xml${query}`],
      ['http', `mail.${domain}`, `/mail/config-v1.1.xml${query}`],
      ['https', `mail.${domain}`, `/mail/config-v1.1.xml${query}`],
      ['https', domain, `/.well-known/autoconfig/mail/config-v1.1.xml${query}`],
      ['http', domain, `/.well-known/autoconfig/mail/config-v1.1.xml${query}`],
    ] as const;
    for (const [scheme, host, path] of asked) {
      const answer = await web(test, scheme, path, { host });
      expect(answer.status, `${scheme}://${host}${path}`).toBe(200);
      expect(answer.headers['content-type']).toBe('application/xml; charset=utf-8');
      checkClientConfig(await readXml(answer.text), ports());
    }
  });

  it('offers only the enabled services, with the ports they have now', async () => {
    await changeSettings(test, (settings) => {
      settings.services.pop3.enabled = false;
      settings.services.submission.enabled = false;
    });
    try {
      const root = await readXml((await web(test, 'https', '/mail/config-v1.1.xml', { host: `autoconfig.${domain}` })).text);
      const provider = childOf(root, 'emailProvider');
      const offered = [...childrenOf(provider, 'incomingServer'), ...childrenOf(provider, 'outgoingServer')].map((s) => `${s.attrib.type} ${fieldsOf(s).port} ${fieldsOf(s).socketType}`);
      expect(offered).toEqual([`imap ${test.port('imaps')} SSL`, `imap ${test.port('imap')} STARTTLS`, `pop3 ${test.port('pop3s')} SSL`, `smtp ${test.port('smtps')} SSL`]);
    } finally {
      await changeSettings(test, (settings) => {
        settings.services.pop3.enabled = true;
        settings.services.submission.enabled = true;
      });
    }
  });

  it('refuses an address of another domain (404) and one that is not an address (400), in words', async () => {
    const foreign = await web(test, 'http', '/mail/config-v1.1.xml?emailaddress=bob%40example.org', { host: `autoconfig.${domain}` });
    expect(foreign.status).toBe(404);
    expect(foreign.text).toBe(`Not Found: example.org is not a mail domain of this server (${domain})\n`);
    const malformed = await web(test, 'http', '/mail/config-v1.1.xml?emailaddress=not-an-address', { host: `autoconfig.${domain}` });
    expect(malformed.status).toBe(400);
    expect(malformed.text).toBe('Bad Request: "not-an-address" is not a mail address\n');
  });
});

describe('Outlook autodiscover (POX)', () => {
  it('answers the 2006a response with IMAP and SMTP, at any letter case of the path, on the domain and autodiscover.<domain>', async () => {
    for (const [host, path] of [
      [domain, AUTODISCOVER_PATH],
      [`autodiscover.${domain}`, '/Autodiscover/Autodiscover.xml'],
      [`autodiscover.${domain}`, '/AUTODISCOVER/AUTODISCOVER.XML'],
    ] as const) {
      const answer = await web(test, 'https', path, { host, body: autodiscoverRequest(alice.address), headers: { 'content-type': 'text/xml' } });
      expect(answer.status, path).toBe(200);
      const root = await readXml(answer.text);
      const ns = (name: string, schema: string) => `{${schema}}${name}`;
      expect(root.tag).toBe(ns('Autodiscover', RESPONSE_SCHEMA));
      const response = childOf(root, ns('Response', OUTLOOK_SCHEMA));
      const outlook = (name: string) => ns(name, OUTLOOK_SCHEMA);
      expect(fieldsOf(childOf(response, outlook('User')), `{${OUTLOOK_SCHEMA}}`)).toEqual({ DisplayName: alice.address, AutoDiscoverSMTPAddress: alice.address });
      const account = childOf(response, outlook('Account'));
      expect(fieldsOf(account, `{${OUTLOOK_SCHEMA}}`)).toEqual({ AccountType: 'email', Action: 'settings' });
      const protocols = childrenOf(account, outlook('Protocol')).map((p) => fieldsOf(p, `{${OUTLOOK_SCHEMA}}`));
      const common = { Server: `mail.${domain}`, DomainRequired: 'off', LoginName: alice.address, SPA: 'off', SSL: 'on', Encryption: 'SSL', AuthRequired: 'on' };
      expect(protocols).toEqual([
        { Type: 'IMAP', Port: String(test.port('imaps')), ...common },
        { Type: 'SMTP', Port: String(test.port('smtps')), ...common, UsePOPAuth: 'on', SMTPLast: 'off' },
      ]);
    }
  });

  it('offers STARTTLS (Encryption TLS) where implicit TLS is turned off', async () => {
    await changeSettings(test, (settings) => {
      settings.services.imaps.enabled = false;
      settings.services.smtps.enabled = false;
    });
    try {
      const answer = await web(test, 'https', AUTODISCOVER_PATH, { body: autodiscoverRequest(alice.address) });
      const root = await readXml(answer.text);
      const account = childOf(childOf(root, `{${OUTLOOK_SCHEMA}}Response`), `{${OUTLOOK_SCHEMA}}Account`);
      const protocols = childrenOf(account, `{${OUTLOOK_SCHEMA}}Protocol`).map((p) => fieldsOf(p, `{${OUTLOOK_SCHEMA}}`));
      expect(protocols.map((p) => `${p.Type} ${p.Port} SSL=${p.SSL} ${p.Encryption}`)).toEqual([`IMAP ${test.port('imap')} SSL=off TLS`, `SMTP ${test.port('submission')} SSL=off TLS`]);
    } finally {
      await changeSettings(test, (settings) => {
        settings.services.imaps.enabled = true;
        settings.services.smtps.enabled = true;
      });
    }
  });

  it('answers bad requests with the schema\'s <Error> and a clear message, and keeps answering', async () => {
    const error = async (body: string, status: number) => {
      const answer = await web(test, 'https', AUTODISCOVER_PATH, { body });
      expect(answer.status).toBe(status);
      const failure = childOf(childOf(await readXml(answer.text), `{${RESPONSE_SCHEMA}}Response`), `{${RESPONSE_SCHEMA}}Error`);
      return fieldsOf(failure, `{${RESPONSE_SCHEMA}}`);
    };
    expect(await error('<Autodiscover><Request><EMailAddress>x</Request>', 400)).toMatchObject({ ErrorCode: '600', Message: expect.stringMatching(/^the request is not well-formed XML: /) });
    expect(await error('<Something/>', 400)).toMatchObject({ ErrorCode: '600', Message: `the request is not an Autodiscover request (${REQUEST_SCHEMA})` });
    const mobile = 'http://schemas.microsoft.com/exchange/autodiscover/mobilesync/responseschema/2006';
    expect(await error(autodiscoverRequest(alice.address, mobile), 400)).toMatchObject({ ErrorCode: '601', Message: expect.stringContaining(`not "${mobile}"`) });
    expect(await error(autodiscoverRequest('bob@example.org'), 404)).toMatchObject({ ErrorCode: '500', Message: expect.stringContaining('example.org is not a mail domain of this server') });
    // no entities of its own (a DOCTYPE could declare some); XML's own are read
    expect(await error(`<!DOCTYPE a [<!ENTITY x "${alice.address}">]>${autodiscoverRequest('&x;')}`, 400)).toMatchObject({ ErrorCode: '600', Message: 'the request has a DOCTYPE; Autodiscover requests have none' });
    const escaped = await web(test, 'https', AUTODISCOVER_PATH, { body: autodiscoverRequest(`o&amp;neil@${domain}`) });
    expect(escaped.status).toBe(200);
    expect(escaped.text).toContain(`<LoginName>o&amp;neil@${domain}</LoginName>`);
    // a body over limits.webBodyBytes (64 kB)
    const huge = await web(test, 'https', AUTODISCOVER_PATH, { body: autodiscoverRequest(alice.address) + ' '.repeat(300_000) });
    expect(huge.status).toBe(413);
    expect(huge.text).toBe(`Content Too Large: the request body has ${Buffer.byteLength(autodiscoverRequest(alice.address)) + 300_000} bytes, more than limits.webBodyBytes (65536)\n`);
    // GET is not how autodiscover is asked
    const get = await web(test, 'https', AUTODISCOVER_PATH);
    expect(get.status).toBe(405);
    expect(get.headers.allow).toBe('POST');
    expect((await web(test, 'https', AUTODISCOVER_PATH, { body: autodiscoverRequest(alice.address) })).status).toBe(200);
  });
});

describe('Apple configuration profile', () => {
  const profilePath = `/profile.mobileconfig?address=${encodeURIComponent(alice.address)}`;

  it('is a plist (read by plistlib) with the mail account and the LanPost CA, byte-equal to `lanpost cert ca`, and no password', async () => {
    const answer = await web(test, 'https', profilePath);
    expect(answer.status).toBe(200);
    expect(answer.headers['content-type']).toBe('application/x-apple-aspen-config');
    expect(answer.headers['content-disposition']).toBe(`attachment; filename="${alice.address}.mobileconfig"`);
    const profile = await readPlist(answer.body);
    expect(profile).toMatchObject({ PayloadType: 'Configuration', PayloadVersion: 1, PayloadRemovalDisallowed: false });
    const [mail, ca] = profile.PayloadContent as Array<Record<string, unknown>>;
    expect(mail).toEqual({
      PayloadType: 'com.apple.mail.managed',
      PayloadVersion: 1,
      PayloadIdentifier: expect.any(String),
      PayloadUUID: expect.stringMatching(/^[0-9A-F]{8}-[0-9A-F]{4}-5[0-9A-F]{3}-[89AB][0-9A-F]{3}-[0-9A-F]{12}$/),
      PayloadDisplayName: `Mail (${alice.address})`,
      EmailAccountDescription: alice.address,
      EmailAccountType: 'EmailTypeIMAP',
      EmailAddress: alice.address,
      IncomingMailServerAuthentication: 'EmailAuthPassword',
      IncomingMailServerHostName: `mail.${domain}`,
      IncomingMailServerPortNumber: test.port('imaps'),
      IncomingMailServerUseSSL: true,
      IncomingMailServerUsername: alice.address,
      OutgoingMailServerAuthentication: 'EmailAuthPassword',
      OutgoingMailServerHostName: `mail.${domain}`,
      OutgoingMailServerPortNumber: test.port('smtps'),
      OutgoingMailServerUseSSL: true,
      OutgoingMailServerUsername: alice.address,
      OutgoingPasswordSameAsIncomingPassword: true,
    });
    expect(ca).toMatchObject({ PayloadType: 'com.apple.security.root', PayloadVersion: 1, PayloadCertificateFileName: 'lanpost-ca.cer' });
    expect(Buffer.from((ca!.PayloadContent as { $data: string }).$data, 'base64').equals(derOfPem(caFromCli))).toBe(true);
  });

  it('keeps its identifiers and UUIDs per user and domain (installing again replaces it), the same from the window', async () => {
    const identities = async (path: string, fromAdmin = false) => {
      const body = fromAdmin ? Buffer.from((await api(test, path)).body as string) : (await web(test, 'https', path)).body;
      const profile = await readPlist(body);
      return [profile, ...(profile.PayloadContent as Array<Record<string, unknown>>)].map((p) => `${p.PayloadIdentifier} ${p.PayloadUUID}`);
    };
    const first = await identities(profilePath);
    expect(new Set(first.map((i) => i.split(' ')[1])).size).toBe(3);
    expect(await identities(profilePath)).toEqual(first);
    expect(await identities(`/api/users/${encodeURIComponent(alice.address)}/mobileconfig`, true)).toEqual(first);
    const other = await identities(`/profile.mobileconfig?address=${encodeURIComponent(`bob@${domain}`)}`);
    expect(other.some((i) => first.includes(i))).toBe(false);
  });

  it('carries the password only when the user types the right one over HTTPS', async () => {
    const form = (password: string) => ({ body: new URLSearchParams({ address: alice.address, password }).toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    const right = await web(test, 'https', '/profile.mobileconfig', form(alice.password));
    expect(right.status).toBe(200);
    const [mail] = (await readPlist(right.body)).PayloadContent as Array<Record<string, unknown>>;
    expect(mail).toMatchObject({ IncomingPassword: alice.password, OutgoingPassword: alice.password });

    const wrong = await web(test, 'https', '/profile.mobileconfig', form('not her password'));
    expect(wrong.status).toBe(403);
    expect(wrong.text).toBe('Forbidden: wrong address or password\n');
    // A browser's form is sent back to the landing page, which says it in the reader's language.
    const browser = await web(test, 'https', '/profile.mobileconfig', { ...form('not her password'), headers: { ...form('').headers, accept: 'text/html,*/*' } });
    expect(browser.status).toBe(303);
    expect(browser.headers.location).toBe(`/?address=${encodeURIComponent(alice.address)}&problem=invalid`);
    const plain = await web(test, 'http', '/profile.mobileconfig', form(alice.password));
    expect(plain.status).toBe(308); // to HTTPS; nothing with a password over plain HTTP
    expect(plain.body.includes('PayloadContent')).toBe(false);
  });

  it('over HTTP alone (HTTPS stopped): the page is served there, and a password is refused', async () => {
    await test.engine.stopService('https');
    try {
      expect(JSON.parse((await web(test, 'http', '/onboarding.json')).text)).toMatchObject({ secure: false });
      const plain = await web(test, 'http', '/profile.mobileconfig', {
        body: new URLSearchParams({ address: alice.address, password: alice.password }).toString(),
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      });
      expect(plain.status).toBe(403);
      expect(plain.text).toBe('Forbidden: a password is taken over HTTPS only; download the profile without it\n');
    } finally {
      await test.engine.restartService('https');
    }
  });
});

describe('the CA, the landing data and plain HTTP', () => {
  it('serves the CA as .crt (PEM, as `lanpost cert ca` prints it) and .cer (DER), and its fingerprint to compare', async () => {
    const pem = await web(test, 'https', '/lanpost-ca.crt');
    expect(pem.status).toBe(200);
    expect(pem.headers['content-type']).toBe('application/x-x509-ca-cert');
    expect(pem.text).toBe(caFromCli);
    const der = await web(test, 'https', '/lanpost-ca.cer');
    expect(der.headers['content-type']).toBe('application/pkix-cert');
    expect(der.body.equals(derOfPem(caFromCli))).toBe(true);
    const data = JSON.parse((await web(test, 'https', '/onboarding.json')).text);
    expect(data.caFingerprintSha256).toBe(new crypto.X509Certificate(caFromCli).fingerprint256);
    expect(data).toMatchObject({ domain, hostname: `mail.${domain}`, secure: true });
  });

  it('redirects plain HTTP to HTTPS, keeping the host and the path (308 for other methods)', async () => {
    const page = await web(test, 'http', '/?address=alice%40lanpost.lan', { host: `mail.${domain}` });
    expect(page.status).toBe(301);
    expect(page.headers.location).toBe(`https://mail.${domain}:${test.port('https')}/?address=alice%40lanpost.lan`);
    const post = await web(test, 'http', '/autodiscover/autodiscover.xml', { host: `autodiscover.${domain}`, body: autodiscoverRequest(alice.address) });
    expect(post.status).toBe(308);
    expect(post.headers.location).toBe(`https://autodiscover.${domain}:${test.port('https')}/autodiscover/autodiscover.xml`);
  });
});

describe('the certificate', () => {
  const serialFor = (servername: string) =>
    new Promise<string>((resolve, reject) => {
      // verified against the LanPost CA for that name: a certificate without it fails the handshake
      const socket = tls.connect({ host: '127.0.0.1', port: test.port('https'), servername, ca: caFromCli }, () => {
        resolve(socket.getPeerX509Certificate()!.serialNumber);
        socket.end();
      });
      socket.once('error', reject);
    });

  it('names autoconfig.<domain> and autodiscover.<domain>; a renewed one is served to new connections, from the same CA', async () => {
    const before = await serialFor(`autoconfig.${domain}`);
    expect(await serialFor(`autodiscover.${domain}`)).toBe(before);
    regenerateCertificate(test.dataDir, certificateIdentity(test.engine.context.settings()));
    test.engine.context.tls.reload();
    const after = await serialFor(`autodiscover.${domain}`);
    expect(after).not.toBe(before);
    expect((await web(test, 'https', '/lanpost-ca.crt')).text).toBe(caFromCli);
  });
});

// The smarthost (Postfix relayhost): all mail for other domains through one server, with
// STARTTLS (certificate checked unless the setting says otherwise) or implicit TLS, and AUTH.
// Routes still come first.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { QueueEntry } from '../server/delivery/queue.js';
import { loadSettings, saveSettings } from '../server/settings/file.js';
import type { Settings } from '../server/settings/schema.js';
import { startTestEngine, type TestEngine } from './helpers/engine.js';
import { submitAs } from './helpers/mail.js';
import { startSink, waitFor, type Sink } from './helpers/smtp-sink.js';

const AUTH = { user: 'relayuser', pass: 'relay-secret' };
let test: TestEngine;
let alice: { address: string; password: string };
let starttls: Sink;
let implicit: Sink;
let direct: Sink;

beforeAll(async () => {
  starttls = await startSink({ auth: AUTH });
  implicit = await startSink({ auth: AUTH, server: { secure: true } });
  direct = await startSink();
  test = await startTestEngine({
    change: (settings) => {
      settings.smarthost = { host: '127.0.0.1', port: starttls.port, tls: 'starttls', username: AUTH.user, password: AUTH.pass, requireValidCertificate: false };
      settings.routes = { 'direct.test': `127.0.0.1:${direct.port}` };
      settings.outbound.retryBaseSeconds = 3600;
    },
  });
  alice = await test.addUser('alice@lanpost.lan');
});

afterAll(async () => {
  await test?.stop();
  await Promise.all([starttls, implicit, direct].map((sink) => sink?.close()));
});

async function submit(to: string, subject: string): Promise<void> {
  await submitAs(test, alice, { from: alice.address, to, subject, text: subject });
}

async function changeSmarthost(change: Partial<Settings['smarthost']>): Promise<void> {
  const { settings } = loadSettings(test.dataDir);
  settings.smarthost = { ...settings.smarthost, ...change };
  saveSettings(test.dataDir, settings);
  await test.engine.reloadSettings();
  expect(test.engine.context.settings().smarthost).toMatchObject(change);
}

function firstAttempt(recipient: string): Promise<QueueEntry> {
  return waitFor(() => {
    const entry = test.engine.context.queue.list().find((e) => e.recipients.some((r) => r.recipient === recipient));
    return entry && entry.recipients[0]!.attempts >= 1 ? entry : undefined;
  }, `the first attempt for ${recipient}`);
}

describe('outbound delivery through a smarthost', () => {
  it('relays mail for any other domain through the smarthost after STARTTLS and AUTH', async () => {
    await submit('pat@anywhere.example', 'via smarthost');
    const message = await waitFor(() => starttls.messages[0], 'the smarthost to receive it');
    expect(message.to).toEqual(['pat@anywhere.example']);
    expect(message.from).toBe('alice@lanpost.lan');
    expect(message.secure).toBe(true);
    expect(message.user).toBe(AUTH.user);
    expect(message.data.toString('latin1')).toMatch(/^DKIM-Signature: /);
  });

  it('shows the outbound session in the inspector, the AUTH exchange redacted', async () => {
    await submit('uma@anywhere.example', 'watched');
    await waitFor(() => starttls.messages.find((m) => m.to.includes('uma@anywhere.example')), 'the smarthost to receive it');
    const session = () => {
      const outbound = test.engine.context.inspector.recent().filter((l) => l.service === 'outbound');
      const id = outbound.find((l) => l.text === 'RCPT TO:<uma@anywhere.example>')?.session;
      return outbound.filter((l) => l.session === id);
    };
    // the 250 for the message comes after the last DATA
    const lines = await waitFor(() => {
      const found = session();
      const data = found.map((l) => l.text).lastIndexOf('DATA');
      return data >= 0 && found.slice(data).some((l) => l.direction === 'S' && /^250 /.test(l.text)) ? found : undefined;
    }, 'the transcript of the delivery');
    const transcript = lines.map((l) => `${l.direction}: ${l.text}`);
    expect(lines[0]!.client).toBe(`127.0.0.1:${starttls.port}`);
    expect(transcript).toContain('C: STARTTLS');
    expect(transcript).toContain('*: Connection upgraded with STARTTLS');
    expect(transcript).toContain('C: MAIL FROM:<alice@lanpost.lan>');
    expect(transcript.find((l) => l.startsWith('C: AUTH'))).toMatch(/^C: AUTH (PLAIN|LOGIN)( \*\*\*)?$/);
    expect(transcript.some((l) => /^S: 235 /.test(l))).toBe(true);
    const secrets = [AUTH.pass, Buffer.from(AUTH.pass).toString('base64'), Buffer.from(`\0${AUTH.user}\0${AUTH.pass}`).toString('base64'), 'secret'];
    for (const line of transcript) for (const secret of secrets) expect(line).not.toContain(secret);
  });

  it('still sends a domain with a route to its route, not the smarthost', async () => {
    await submit('quinn@direct.test', 'routed');
    await waitFor(() => direct.messages.length === 1, 'the routed delivery');
    expect(direct.messages[0]!.to).toEqual(['quinn@direct.test']);
    expect(starttls.messages.every((m) => !m.to.includes('quinn@direct.test'))).toBe(true);
  });

  it('refuses a smarthost certificate it cannot verify when told to check it, before sending the password', async () => {
    await changeSmarthost({ requireValidCertificate: true });
    const logins = starttls.logins.length;
    await submit('rae@anywhere.example', 'unverified');
    const entry = await firstAttempt('rae@anywhere.example');
    const recipient = entry.recipients[0]!;
    expect(recipient.status).toBe('pending');
    expect(recipient.status_code).toBe('4.7.5');
    expect(recipient.last_response).toMatch(/TLS failed: .*certificate/i);
    expect(starttls.logins).toHaveLength(logins);
    expect(starttls.messages.some((m) => m.to.includes('rae@anywhere.example'))).toBe(false);

    await changeSmarthost({ requireValidCertificate: false });
    test.engine.context.queue.retry(entry.id);
    await waitFor(() => starttls.messages.some((m) => m.to.includes('rae@anywhere.example')), 'delivery once the check is off');
  });

  it('keeps mail queued when the smarthost refuses the login', async () => {
    await changeSmarthost({ password: 'wrong' });
    await submit('sam@anywhere.example', 'bad password');
    const entry = await firstAttempt('sam@anywhere.example');
    expect(entry.recipients[0]!.status).toBe('pending');
    expect(entry.recipients[0]!.last_response).toMatch(/535 5\.7\.8 Authentication credentials invalid/);
    expect(entry.recipients[0]!.status_code).toBe('4.7.8');
    await changeSmarthost({ password: AUTH.pass });
    test.engine.context.queue.retry(entry.id);
    await waitFor(() => starttls.messages.some((m) => m.to.includes('sam@anywhere.example')), 'delivery with the right password');
  });

  it('speaks implicit TLS to a smarthost on a port like 465', async () => {
    await changeSmarthost({ port: implicit.port, tls: 'implicit' });
    await submit('tom@anywhere.example', 'implicit tls');
    const message = await waitFor(() => implicit.messages[0], 'the implicit-TLS smarthost to receive it');
    expect(message.to).toEqual(['tom@anywhere.example']);
    expect(message.secure).toBe(true);
    expect(message.user).toBe(AUTH.user);
  });
});

// A message's whole path (classroom), from real clients: dig asks the DNS responder for the MX,
// A and SRV records, swaks submits with STARTTLS and AUTH, an imapflow session in IDLE is told of
// the message and FETCHes it, Python's poplib RETRs it, and the copy for another domain goes out
// to a loopback server (found through a route) DKIM-signed. The admin API shows each step in
// order, with the sessions the inspector shows them under, and no secret anywhere.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { ImapFlow } from 'imapflow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MessagePath, PathStep } from '../server/admin/contract/index.js';
import { api, LiveEvents } from './helpers/admin.js';
import { startTestEngine, type TestEngine } from './helpers/engine.js';
import { poplib } from './helpers/pop3.js';
import { startSink, waitFor, type Sink } from './helpers/smtp-sink.js';

const run = promisify(execFile);
const gina = { address: 'gina@lanpost.lan', password: 'ginas long password' };
const hal = { address: 'hal@lanpost.lan', password: 'hals long password' };

let test: TestEngine;
let sink: Sink;

beforeAll(async () => {
  sink = await startSink();
  test = await startTestEngine({
    change: (settings) => void (settings.routes = { 'remote.test': `127.0.0.1:${sink.port}` }),
    users: { [gina.address]: gina.password, [hal.address]: hal.password },
  });
});
afterAll(async () => {
  await test?.stop();
  await sink?.close();
});

const kinds = (path: MessagePath) => path.steps.map((s) => s.kind);
const stepOf = (path: MessagePath, kind: PathStep['kind'], service?: string) => path.steps.find((s) => s.kind === kind && (!service || s.session?.service === service));

describe('the message path', () => {
  it('shows DNS, submission, delivery, IDLE, FETCH, RETR and the outbound hop of one message, in order, with their sessions', async () => {
    const dnsPort = test.port('dns');
    for (const [type, name] of [['MX', 'lanpost.lan'], ['A', 'mail.lanpost.lan'], ['SRV', '_submission._tcp.lanpost.lan']]) {
      await run('dig', ['@127.0.0.1', '-p', String(dnsPort), '+tries=1', '+time=5', type!, name!]);
    }

    const imap = new ImapFlow({ host: '127.0.0.1', port: test.port('imap'), secure: false, auth: { user: hal.address, pass: hal.password }, logger: false, tls: { rejectUnauthorized: false } });
    await imap.connect();
    await imap.mailboxOpen('INBOX');
    const arrived = new Promise<number>((resolve) => imap.on('exists', (event: { count: number }) => resolve(event.count)));
    void imap.idle();
    // IDLE is on once the server said "+ idling"
    await waitFor(() => test.engine.context.inspector.recent().some((l) => l.service === 'imap' && l.text === '+ idling'), 'IDLE');

    const live = await LiveEvents.open(test);
    const { stdout } = await run('swaks', [
      '--server', `127.0.0.1:${test.port('submission')}`,
      '--tls', '--auth', 'PLAIN', '--auth-user', gina.address, '--auth-password', gina.password,
      '--from', gina.address, '--to', `${hal.address},bob@remote.test`,
      '--header', 'Subject: The whole path', '--body', 'Where does this go?',
      '--timeout', '10',
    ]);
    const id = /250 2\.0\.0 Ok: queued as (\w+)/.exec(stdout)![1]!;
    await live.waitFor((e) => e.type === 'path' && e.id === id && e.created);

    await arrived;
    const fetched = await imap.fetchOne('*', { source: true, uid: true });
    expect(fetched && fetched.source?.toString()).toContain('Where does this go?');
    await imap.logout();

    const retr = (await poplib(`
p = poplib.POP3('127.0.0.1', ARGS['port'], timeout=10)
p.user(ARGS['user']); p.pass_(ARGS['password'])
out(b'\\n'.join(p.retr(1)[1]))
p.quit()
`, { port: test.port('pop3'), user: hal.address, password: hal.password })) as string;
    expect(retr).toContain('Where does this go?');
    await waitFor(() => sink.messages.length > 0, 'the outbound hop');

    const path = await waitFor(async () => {
      const { body } = await api<MessagePath>(test, `/api/paths/${id}`);
      return stepOf(body, 'outbound') && stepOf(body, 'read', 'pop3')?.lines.some((l) => l.text.startsWith('<message')) && body;
    }, 'every step');
    live.close();

    expect(path.subject).toBe('The whole path');
    expect(path.sender).toBe(gina.address);
    const order = kinds(path);
    const at = (kind: PathStep['kind'], service?: string) => path.steps.indexOf(stepOf(path, kind, service)!);
    expect(order.slice(0, 3)).toEqual(['dns', 'dns', 'dns']);
    expect(path.steps.slice(0, 3).map((s) => s.lines[0]!.text.split(' ')[0])).toEqual(['MX', 'A', 'SRV']);
    expect(at('submission')).toBeGreaterThan(at('dns'));
    expect(at('delivery')).toBeGreaterThan(at('submission'));
    expect(at('queued')).toBeGreaterThan(at('submission'));
    expect(at('notified')).toBeGreaterThan(at('delivery'));
    expect(at('read', 'imap')).toBeGreaterThan(at('notified'));
    expect(at('read', 'pop3')).toBeGreaterThan(at('read', 'imap'));
    expect(at('outbound')).toBeGreaterThan(at('queued'));

    // each step's session is the one the inspector shows its lines under
    const lines = test.engine.context.inspector.recent();
    const sessionOf = (match: (text: string) => boolean, service: string) => lines.find((l) => l.service === service && match(l.text))!.session;
    const submission = stepOf(path, 'submission')!;
    expect(submission.session).toMatchObject({ service: 'submission', session: sessionOf((t) => t.includes(`queued as ${id}`), 'submission') });
    const texts = submission.lines.map((l) => `${l.direction}: ${l.text}`);
    for (const expected of [/^C: EHLO/, /^C: STARTTLS/, /^\*: TLS started/, /^C: AUTH PLAIN/, /^S: 235 /, /^C: MAIL FROM:/, /^C: RCPT TO:<hal@/, /^C: DATA/, /^S: 354/, new RegExp(`^S: 250 2\\.0\\.0 Ok: queued as ${id}`)]) {
      expect(texts.some((t) => expected.test(t)), `${expected}`).toBe(true);
    }
    const idleSession = sessionOf((t) => /^\S+ IDLE$/.test(t), 'imap');
    const notified = stepOf(path, 'notified')!;
    expect(notified.session?.session).toBe(idleSession);
    expect(notified.lines.map((l) => l.text)).toEqual(expect.arrayContaining([expect.stringMatching(/ IDLE$/), expect.stringMatching(/^\* \d+ EXISTS$/)]));
    const read = stepOf(path, 'read', 'imap')!;
    expect(read.session?.session).toBe(idleSession);
    expect(read.lines[0]!.text).toMatch(/FETCH/);
    expect(read.lines.at(-1)!.text).toMatch(/^\S+ OK /);
    const pop = stepOf(path, 'read', 'pop3')!;
    expect(pop.lines.map((l) => l.text)).toEqual(['RETR 1', expect.stringMatching(/^\+OK \d+ octets$/), expect.stringMatching(/^<message \d+ bytes>$/)]);
    const delivery = stepOf(path, 'delivery')!;
    const fact = (step: PathStep, key: string) => step.facts.find((f) => f.key === key)?.value;
    expect(fact(delivery, 'user')).toBe(hal.address);
    expect(fact(delivery, 'file')).toMatch(/^mail\/lanpost\.lan\/hal\/Maildir\/new\/\S+,S=\d+$/);
    expect(fact(delivery, 'indexRow')).toMatch(/^messages\.id \d+$/);
    const queued = stepOf(path, 'queued')!;
    const outbound = stepOf(path, 'outbound')!;
    expect(fact(outbound, 'queueId')).toBe(fact(queued, 'queueId'));
    expect(fact(outbound, 'route')).toBe(`route 127.0.0.1:${sink.port} (settings: routes)`);
    expect(fact(outbound, 'dkim')).toBe('d=lanpost.lan; s=lanpost');
    expect(fact(outbound, 'outcome')).toMatch(/^bob@remote\.test: sent \(250/);
    expect(outbound.session?.service).toBe('outbound');
    expect(outbound.lines.some((l) => l.direction === 'C' && l.text.startsWith('MAIL FROM:<gina@lanpost.lan>'))).toBe(true);
    expect(sink.messages[0]!.data.toString()).toMatch(/^DKIM-Signature: /);

    // the password travels nowhere: not in the path, not base64 in AUTH PLAIN
    const all = JSON.stringify(path);
    expect(all).not.toContain(gina.password);
    expect(all).not.toContain(Buffer.from(`\0${gina.address}\0${gina.password}`).toString('base64'));

    // listed among the recent messages, and found from hal's mailbox
    const list = await api(test, '/api/paths');
    expect(list.body.paths[0]).toMatchObject({ id, subject: 'The whole path', steps: expect.arrayContaining(['submission', 'outbound']) });
    const inbox = await api(test, `/api/users/${hal.address}/messages`);
    expect(inbox.body.messages[0]).toMatchObject({ subject: 'The whole path', from: gina.address, path: id });
  });

  it('keeps the last limits.messagePathsKept messages and says why an older one has no path', async () => {
    const missing = await api(test, '/api/paths/NOSUCHID');
    expect(missing.status).toBe(404);
    expect(missing.body.error).toMatch(/keeps the last 200 messages/);
    const unknownUser = await api(test, '/api/users/nobody@lanpost.lan/messages');
    expect(unknownUser.status).toBe(404);
  });
});

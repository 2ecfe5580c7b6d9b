// JMAP core (RFC 8620) on a real engine: the session resource, HTTP Basic and bearer tokens over
// TLS with the same login throttle as the mail protocols, plain HTTP refused, Core/echo as in
// §4.1, result references (§3.7), and the request- and method-level errors of §3.6 — after each of
// which the service still answers.
import https from 'node:https';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CORE, MAIL, SUBMISSION } from '../server/jmap/protocol.js';
import { changeSettings, startTestEngine, type TestEngine } from './helpers/engine.js';
import { basic, jamClient, jmapPost, trustEngineInFetch } from './helpers/jmap.js';
import { caPem, web } from './helpers/web.js';

let test: TestEngine;
const alice = { address: 'alice@lanpost.lan', password: 'alice in the office' };
let restoreFetch: () => void;

beforeAll(async () => {
  test = await startTestEngine({ users: { [alice.address]: alice.password } });
  restoreFetch = trustEngineInFetch(test);
});
afterAll(async () => {
  restoreFetch?.();
  await test?.stop();
});

async function accountId(): Promise<string> {
  const answer = await web(test, 'https', '/.well-known/jmap', { headers: { authorization: basic(alice) } });
  return (JSON.parse(answer.text) as { primaryAccounts: Record<string, string> }).primaryAccounts[MAIL]!;
}

/** The service still answers a good request. */
async function stillAnswers(): Promise<void> {
  const answer = await jmapPost(test, alice, { using: [CORE], methodCalls: [['Core/echo', { ok: 1 }, 'c']] });
  expect(answer.json.methodResponses).toEqual([['Core/echo', { ok: 1 }, 'c']]);
}

describe('session and authentication', () => {
  it('serves the session resource at /.well-known/jmap with the capabilities, honest limits and the account', async () => {
    const answer = await web(test, 'https', '/.well-known/jmap', { headers: { authorization: basic(alice) } });
    expect(answer.status).toBe(200);
    expect(answer.headers['content-type']).toMatch(/^application\/json/);
    const session = JSON.parse(answer.text);
    expect(Object.keys(session.capabilities)).toEqual([CORE, MAIL, SUBMISSION]);
    expect(session.capabilities[CORE]).toEqual({
      maxSizeUpload: 25 * 1024 * 1024,
      maxConcurrentUpload: 4,
      maxSizeRequest: 10 * 1024 * 1024,
      maxConcurrentRequests: 4,
      maxCallsInRequest: 32,
      maxObjectsInGet: 500,
      maxObjectsInSet: 500,
      collationAlgorithms: ['i;ascii-casemap', 'i;unicode-casemap'],
    });
    const id = session.primaryAccounts[MAIL];
    expect(session.accounts[id]).toMatchObject({ name: alice.address, isPersonal: true, isReadOnly: false });
    expect(session.username).toBe(alice.address);
    expect(session.apiUrl).toBe(`https://mail.lanpost.lan:${test.port('https')}/jmap/api`);
    expect(typeof session.state).toBe('string');
  });

  it('takes the limits from the settings', async () => {
    await changeSettings(test, (s) => {
      s.limits.jmapCallsPerRequest = 3;
    });
    try {
      const session = JSON.parse((await web(test, 'https', '/.well-known/jmap', { headers: { authorization: basic(alice) } })).text);
      expect(session.capabilities[CORE].maxCallsInRequest).toBe(3);
    } finally {
      await changeSettings(test, (s) => {
        s.limits.jmapCallsPerRequest = 32;
      });
    }
  });

  it('asks for credentials and refuses a wrong password', async () => {
    const none = await web(test, 'https', '/.well-known/jmap');
    expect(none.status).toBe(401);
    expect(none.headers['www-authenticate']).toMatch(/^Basic realm="LanPost JMAP"/);
    const wrong = await web(test, 'https', '/jmap/api', { body: '{}', headers: { authorization: basic({ address: alice.address, password: 'nope' }) } });
    expect(wrong.status).toBe(401);
    expect(wrong.text).toBe('Unauthorized: wrong address or password\n');
    await stillAnswers();
  });

  it('blocks a client address after too many failures, like the other protocols', async () => {
    await changeSettings(test, (s) => {
      s.authThrottle.lockAfterFailures = 2;
      s.authThrottle.delayAfterFailures = 100;
    });
    const bob = await test.addUser('bob@lanpost.lan', 'bob secret one');
    try {
      for (let i = 0; i < 2; i++) expect((await web(test, 'https', '/.well-known/jmap', { headers: { authorization: basic({ ...bob, password: 'wrong' }) } })).status).toBe(401);
      const blocked = await web(test, 'https', '/.well-known/jmap', { headers: { authorization: basic(bob) } });
      expect(blocked.status).toBe(429);
      expect(blocked.text).toMatch(/^Too Many Requests: too many failed logins; try again in \d+ seconds\n$/);
      expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
    } finally {
      await changeSettings(test, (s) => {
        s.authThrottle.lockAfterFailures = 10;
        s.authThrottle.delayAfterFailures = 3;
      });
    }
  });

  it('refuses plain HTTP outright: no redirect that would carry the password on', async () => {
    for (const path of ['/.well-known/jmap', '/jmap/api', '/jmap/token']) {
      const answer = await web(test, 'http', path, { method: path === '/.well-known/jmap' ? 'GET' : 'POST', body: path === '/.well-known/jmap' ? undefined : '{}', headers: { authorization: basic(alice) } });
      expect(answer.status).toBe(403);
      expect(answer.headers.location).toBeUndefined();
      expect(answer.text).toMatch(/only served over HTTPS/);
    }
  });

  it('gives bearer tokens for a Basic login, which a real client (jmap-jam) uses', async () => {
    const jam = await jamClient(test, alice);
    const [echo] = await jam.api.Core.echo({ hello: 'world' });
    expect(echo).toEqual({ hello: 'world' });
    expect(await jam.getPrimaryAccount()).toBe(await accountId());
    const bad = await web(test, 'https', '/.well-known/jmap', { headers: { authorization: 'Bearer notatoken' } });
    expect(bad.status).toBe(401);
    expect(bad.text).toBe('Unauthorized: the token is unknown or expired; log in again\n');
  });

  it('ends a token when the password changes', async () => {
    const carol = await test.addUser('carol@lanpost.lan', 'carol first password');
    const token = JSON.parse((await web(test, 'https', '/jmap/token', { method: 'POST', body: '', headers: { authorization: basic(carol) } })).text).accessToken as string;
    expect((await web(test, 'https', '/.well-known/jmap', { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
    await test.engine.context.accounts.setPassword(carol.address, 'carol second password');
    expect((await web(test, 'https', '/.well-known/jmap', { headers: { authorization: `Bearer ${token}` } })).status).toBe(401);
    expect((await web(test, 'https', '/.well-known/jmap', { headers: { authorization: basic(carol) } })).status).toBe(401);
  });
});

describe('requests (RFC 8620 §3)', () => {
  it('answers the Core/echo example of §4.1 as written', async () => {
    const answer = await jmapPost(test, alice, '{"using":["urn:ietf:params:jmap:core"],"methodCalls":[["Core/echo",{"hello":true,"high":5},"b3ff"]]}');
    expect(answer.status).toBe(200);
    expect(answer.json.methodResponses).toEqual([['Core/echo', { hello: true, high: 5 }, 'b3ff']]);
    expect(typeof answer.json.sessionState).toBe('string');
  });

  it('resolves result references (§3.7), with * over arrays', async () => {
    const answer = await jmapPost(test, alice, {
      using: [CORE],
      methodCalls: [
        ['Core/echo', { list: [{ id: 'a', tags: ['x', 'y'] }, { id: 'b', tags: ['z'] }] }, '0'],
        ['Core/echo', { '#ids': { resultOf: '0', name: 'Core/echo', path: '/list/*/id' }, '#tags': { resultOf: '0', name: 'Core/echo', path: '/list/*/tags' } }, '1'],
        ['Core/echo', { '#x': { resultOf: '0', name: 'Mailbox/get', path: '/list' } }, '2'],
        ['Core/echo', { '#x': { resultOf: 'nope', name: 'Core/echo', path: '/list' } }, '3'],
        ['Core/echo', { '#x': { resultOf: '0', name: 'Core/echo', path: '/missing' } }, '4'],
      ],
    });
    const [, second, third, fourth, fifth] = answer.json.methodResponses;
    expect(second).toEqual(['Core/echo', { ids: ['a', 'b'], tags: ['x', 'y', 'z'] }, '1']);
    for (const [response, id] of [[third, '2'], [fourth, '3'], [fifth, '4']] as const) {
      expect(response[0]).toBe('error');
      expect(response[1].type).toBe('invalidResultReference');
      expect(response[2]).toBe(id);
    }
  });

  it('answers request-level errors as problem details (§3.6.1) and keeps running', async () => {
    const cases: Array<[string | object, string, Record<string, unknown>?]> = [
      ['{"using": [', 'urn:ietf:params:jmap:error:notJSON'],
      [{ using: [CORE] }, 'urn:ietf:params:jmap:error:notRequest'],
      [{ using: 'core', methodCalls: [] }, 'urn:ietf:params:jmap:error:notRequest'],
      [{ using: [CORE, 'urn:example:unknown'], methodCalls: [] }, 'urn:ietf:params:jmap:error:unknownCapability'],
      [{ using: [CORE], methodCalls: Array.from({ length: 33 }, (_, i) => ['Core/echo', {}, String(i)]) }, 'urn:ietf:params:jmap:error:limit', { limit: 'maxCallsInRequest' }],
    ];
    for (const [body, type, extra] of cases) {
      const answer = await jmapPost(test, alice, body);
      expect(answer.status).toBe(400);
      expect(answer.headers['content-type']).toBe('application/problem+json');
      expect(answer.json).toMatchObject({ type, status: 400, ...extra });
      expect(typeof answer.json.detail).toBe('string');
    }
    await stillAnswers();
  });

  it('refuses a request over maxSizeRequest with the limit error', async () => {
    await changeSettings(test, (s) => {
      s.limits.jmapRequestBytes = 2048;
    });
    try {
      const answer = await jmapPost(test, alice, { using: [CORE], methodCalls: [['Core/echo', { pad: 'x'.repeat(5000) }, '0']] });
      expect(answer.status).toBe(400);
      expect(answer.json).toMatchObject({ type: 'urn:ietf:params:jmap:error:limit', limit: 'maxSizeRequest' });
      expect(answer.json.detail).toMatch(/more than limits\.jmapRequestBytes \(2048\)/);
    } finally {
      await changeSettings(test, (s) => {
        s.limits.jmapRequestBytes = 10 * 1024 * 1024;
      });
    }
    await stillAnswers();
  });

  it('refuses a request over maxConcurrentRequests of the account while an upload is still coming in', async () => {
    await changeSettings(test, (s) => {
      s.limits.jmapConcurrentRequests = 1;
    });
    const account = await accountId();
    // an upload that sends half its body and waits: it holds the account's one slot
    const held = https.request({
      host: '127.0.0.1',
      port: test.port('https'),
      path: `/jmap/upload/${account}/`,
      method: 'POST',
      servername: `mail.${test.domain}`,
      ca: caPem(test),
      headers: { host: `mail.${test.domain}`, authorization: basic(alice), 'content-length': '100' },
    });
    held.on('error', () => {});
    held.write('x'.repeat(50));
    try {
      let answer = await jmapPost(test, alice, { using: [CORE], methodCalls: [['Core/echo', {}, '0']] });
      for (let i = 0; i < 50 && answer.status === 200; i++) answer = await jmapPost(test, alice, { using: [CORE], methodCalls: [['Core/echo', {}, '0']] });
      expect(answer.status).toBe(400);
      expect(answer.json).toMatchObject({ type: 'urn:ietf:params:jmap:error:limit', limit: 'maxConcurrentRequests' });
      const done = new Promise<number>((resolve) => held.on('response', (response) => resolve(response.statusCode ?? 0)));
      held.end('y'.repeat(50));
      expect(await done).toBe(201);
      await stillAnswers();
    } finally {
      held.destroy();
      await changeSettings(test, (s) => {
        s.limits.jmapConcurrentRequests = 4;
      });
    }
  });

  it('answers method-level errors (§3.6.2) and runs the other calls', async () => {
    const answer = await jmapPost(test, alice, {
      using: [CORE, MAIL],
      methodCalls: [
        ['Nothing/here', {}, 'a'],
        ['Mailbox/get', { accountId: 'Anobody' }, 'b'],
        ['Mailbox/get', { accountId: await accountId(), bogus: 1 }, 'c'],
        ['Core/echo', { still: 'here' }, 'd'],
      ],
    });
    expect(answer.status).toBe(200);
    const [a, b, c, d] = answer.json.methodResponses;
    expect(a).toEqual(['error', { type: 'unknownMethod', description: expect.any(String) }, 'a']);
    expect(b).toEqual(['error', { type: 'accountNotFound', description: expect.any(String) }, 'b']);
    expect(c[0]).toBe('error');
    expect(c[1].type).toBe('invalidArguments');
    expect(d).toEqual(['Core/echo', { still: 'here' }, 'd']);
  });

  it('does not run a method whose capability is not in "using"', async () => {
    const answer = await jmapPost(test, alice, { using: [CORE], methodCalls: [['Mailbox/get', { accountId: await accountId() }, 'a']] });
    expect(answer.json.methodResponses[0][1].type).toBe('unknownMethod');
  });
});

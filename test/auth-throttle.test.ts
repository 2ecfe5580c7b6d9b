// Failed logins are throttled per client address and per account: delays, then a temporary refusal.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestEngine, type TestEngine } from './helpers/engine.js';
import { LineClient } from './helpers/line-client.js';

let test: TestEngine;
const user = { address: 'zoe@lanpost.lan', password: 'zoe password 1' };

beforeAll(async () => {
  test = await startTestEngine({ change: (s) => (s.authThrottle = { delayAfterFailures: 2, lockAfterFailures: 3, lockSeconds: 60 }) });
  await test.addUser(user.address, user.password);
});
afterAll(() => test.stop());

const plain = (address: string, password: string) => `AUTH PLAIN ${Buffer.from(`\0${address}\0${password}`).toString('base64')}`;

describe('login throttling', () => {
  it('answers 535 for wrong passwords, then 454 4.7.0 even for the right one, and logs who failed from where', async () => {
    const client = await LineClient.connect(test.port('submission'));
    await client.smtpReply();
    await client.command('EHLO throttle.test');
    for (let i = 0; i < 3; i++) expect((await client.command(plain(user.address, `wrong ${i}`))).code).toBe(535);
    const locked = await client.command(plain(user.address, user.password));
    expect(locked.code).toBe(454);
    expect(locked.text).toMatch(/^4\.7\.0 Too many failed logins, try again in \d+ seconds/);
    client.close();

    const failures = test.engine.context.log.recent().filter((e) => e.message.startsWith(`login failed for ${user.address}`));
    expect(failures.length).toBeGreaterThanOrEqual(3);
    expect(failures[0]).toMatchObject({ client: '127.0.0.1', source: 'submission' });
  });
});

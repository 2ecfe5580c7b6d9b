// The connection layer shared by the TCP services (server/net/): one admission guard for the
// whole engine (limits.connectionsPerClient per client address across SMTP, IMAP and POP3 together,
// limits.connectionsTotal in all), each protocol refusing in its own words; one bad-command rule
// for IMAP and POP3; sessions told goodbye when their service stops. Clients pick their source
// address (127.0.0.2, 127.0.0.3, …) with localAddress.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestEngine, type TestEngine } from './helpers/engine.js';
import { LineClient } from './helpers/line-client.js';
import { Pop3Client } from './helpers/pop3.js';

const A = '127.0.0.2';
const B = '127.0.0.3';

/** The first line a service sends (its greeting, or its refusal). */
async function firstLine(engine: TestEngine, service: 'imap' | 'pop3' | 'smtp', localAddress: string): Promise<{ client: LineClient; line: string }> {
  const client = await LineClient.connect(engine.port(service), { localAddress });
  return { client, line: await client.line() };
}

const refusals = (engine: TestEngine, client: string) =>
  engine.engine.context.log.recent().filter((entry) => entry.message.startsWith('refused connection') && entry.client === client);

describe('one admission guard across services', () => {
  let perClient: TestEngine;
  let total: TestEngine;
  beforeAll(async () => {
    [perClient, total] = await Promise.all([
      startTestEngine({ change: (s) => (s.limits.connectionsPerClient = 3) }),
      startTestEngine({ change: (s) => (s.limits.connectionsTotal = 2) }),
    ]);
  });
  afterAll(() => Promise.all([perClient.stop(), total.stop()]));

  it('counts a client address over IMAP, POP3 and SMTP together: the fourth is refused with 421 4.7.0, another address still gets in', async () => {
    const imap1 = await firstLine(perClient, 'imap', A);
    const imap2 = await firstLine(perClient, 'imap', A);
    const pop3 = await Pop3Client.connect(perClient.port('pop3'), { localAddress: A });
    expect([imap1.line, imap2.line, pop3.greeting]).toEqual([expect.stringMatching(/^\* OK /), expect.stringMatching(/^\* OK /), expect.stringMatching(/^\+OK /)]);

    const smtp = await LineClient.connect(perClient.port('smtp'), { localAddress: A });
    const refused = await smtp.smtpReply();
    expect(refused.code).toBe(421);
    expect(refused.text).toBe('4.7.0 Too many connections from your address, try again later');
    await smtp.waitClosed();

    const other = await LineClient.connect(perClient.port('smtp'), { localAddress: B });
    expect((await other.smtpReply()).code).toBe(220);
    other.close();

    // the same address on IMAP and POP3: each refuses in its own words
    const imap = await firstLine(perClient, 'imap', A);
    expect(imap.line).toBe('* BYE Too many connections from your address, try again later');
    await imap.client.waitClosed();
    const pop3Refused = await Pop3Client.connect(perClient.port('pop3'), { localAddress: A });
    expect(pop3Refused.greeting).toBe('-ERR [SYS/TEMP] Too many connections from your address; close some and try again');
    await pop3Refused.closed();
    expect(refusals(perClient, A)).toHaveLength(3); // logged once each

    // a closed connection gives its place back
    await pop3.quit();
    await expect
      .poll(async () => {
        const retry = await LineClient.connect(perClient.port('smtp'), { localAddress: A });
        const code = (await retry.smtpReply()).code;
        retry.close();
        return code;
      })
      .toBe(220);
    imap1.client.close();
    imap2.client.close();
  });

  it("counts the engine's total over every service (connectionsTotal)", async () => {
    const imap = await firstLine(total, 'imap', A);
    const pop3 = await Pop3Client.connect(total.port('pop3'), { localAddress: B });
    expect(imap.line).toMatch(/^\* OK /);
    expect(pop3.greeting).toMatch(/^\+OK /);

    const smtp = await LineClient.connect(total.port('smtp'), { localAddress: '127.0.0.4' });
    const refused = await smtp.smtpReply();
    expect(refused.code).toBe(421);
    expect(refused.text).toMatch(/^4\.7\.0 \S+ Too many connected clients, try again in a moment$/);
    expect((await firstLine(total, 'imap', '127.0.0.4')).line).toBe('* BYE Too many connections to this server, try again later');
    expect((await Pop3Client.connect(total.port('pop3'), { localAddress: '127.0.0.4' })).greeting).toBe('-ERR [SYS/TEMP] Too many connections to this server; try again later');
    imap.client.close();
    await pop3.quit();
  });
});

describe('the connection layer of IMAP and POP3', () => {
  let test: TestEngine;
  beforeAll(async () => {
    test = await startTestEngine({ change: (s) => (s.limits.badCommandsPerSession = 3) });
  });
  afterAll(() => test.stop());

  it('closes an IMAP session at the bad command that reaches limits.badCommandsPerSession', async () => {
    const { client } = await firstLine(test, 'imap', A);
    client.send('a FROB');
    expect(await client.line()).toBe('a BAD Unknown command FROB');
    client.send('b FROB');
    expect(await client.line()).toBe('b BAD Unknown command FROB');
    client.send('c FROB');
    expect(await client.line()).toBe('c BAD Unknown command FROB');
    expect(await client.line()).toBe('* BYE Too many invalid commands');
    await client.waitClosed();
  });

  it('closes a POP3 session at the same edge', async () => {
    const client = await Pop3Client.connect(test.port('pop3'), { localAddress: A });
    expect(await client.command('FROB')).toBe('-ERR Unknown command FROB');
    expect(await client.command('FROB')).toBe('-ERR Unknown command FROB');
    expect(await client.command('FROB')).toBe('-ERR Unknown command FROB');
    expect(await client.readLine()).toBe('-ERR Too many bad commands; closing the connection');
    await client.closed();
  });

  it('says goodbye to open sessions when their service stops (BYE, -ERR, 421)', async () => {
    const { client: imap } = await firstLine(test, 'imap', A);
    const pop3 = await Pop3Client.connect(test.port('pop3'), { localAddress: A });
    const { client: smtp } = await firstLine(test, 'smtp', A);
    await Promise.all([test.engine.stopService('imap'), test.engine.stopService('pop3'), test.engine.stopService('smtp')]);
    expect(await imap.line()).toBe('* BYE Server shutting down');
    expect(await pop3.readLine()).toBe('-ERR [SYS/TEMP] Server shutting down');
    expect(await smtp.line()).toMatch(/^421 4\.3\.2 /);
    await Promise.all([imap.waitClosed(), pop3.closed(), smtp.waitClosed()]);
  });
});

// JMAP push over EventSource (RFC 8620 §7.3), read with Node's own HTTPS client: a StateChange for
// a delivery over SMTP, an IMAP STORE and a JMAP Email/set; the types filter, closeafter=state
// and ping. Each wait is bounded; the time until the event is printed, not asserted.
import https from 'node:https';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestEngine } from './helpers/engine.js';
import { basic, imapClient, startJmapEngine, type Jam, type JmapEngine, type Json } from './helpers/jmap.js';
import { submitAs } from './helpers/mail.js';
import { caPem } from './helpers/web.js';

const alice = { address: 'alice@lanpost.lan', password: 'alice in the office' };
const bob = { address: 'bob@lanpost.lan', password: 'bob in the office' };
let engine: JmapEngine;
let test: TestEngine;
let jam: Jam;
let accountId: string;

beforeAll(async () => {
  engine = await startJmapEngine({ [alice.address]: alice.password, [bob.address]: bob.password });
  ({ test, jam, accountId } = engine);
});
afterAll(async () => {
  await engine?.stop();
});

interface ServerEvent {
  event: string;
  data: Json;
}

/** An open event stream: its events as they come, and whether the server ended it. */
class EventStream {
  readonly events: ServerEvent[] = [];
  ended = false;
  private waiters: Array<() => void> = [];
  private request!: ReturnType<typeof https.get>;
  status = 0;
  contentType = '';

  static open(query: string, user = alice): Promise<EventStream> {
    const stream = new EventStream();
    return new Promise((resolve, reject) => {
      stream.request = https.get(
        { host: '127.0.0.1', port: test.port('https'), path: `/jmap/eventsource?${query}`, servername: `mail.${test.domain}`, ca: caPem(test), headers: { authorization: basic(user), host: `mail.${test.domain}`, accept: 'text/event-stream' } },
        (response) => {
          stream.status = response.statusCode ?? 0;
          stream.contentType = String(response.headers['content-type']);
          let buffer = '';
          response.setEncoding('utf8');
          response.on('data', (chunk: string) => {
            buffer += chunk;
            let end;
            while ((end = buffer.indexOf('\n\n')) >= 0) {
              const block = buffer.slice(0, end);
              buffer = buffer.slice(end + 2);
              const event = /^event: (.*)$/m.exec(block)?.[1];
              const data = /^data: (.*)$/m.exec(block)?.[1];
              if (event && data) stream.events.push({ event, data: JSON.parse(data) });
              stream.wake();
            }
          });
          response.on('end', () => {
            stream.ended = true;
            stream.wake();
          });
          resolve(stream);
        },
      );
      stream.request.on('error', (error) => (stream.ended ? undefined : reject(error)));
    });
  }

  private wake(): void {
    for (const waiter of this.waiters.splice(0)) waiter();
  }

  /** Waits (at most 10 s) until `done` holds. */
  async until(done: () => boolean): Promise<void> {
    const deadline = Date.now() + 10_000;
    while (!done()) {
      if (Date.now() > deadline) throw new Error(`no such event: ${JSON.stringify(this.events)}`);
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 200);
      });
    }
  }

  stateEvents(): ServerEvent[] {
    return this.events.filter((e) => e.event === 'state');
  }

  close(): void {
    this.request.destroy();
  }
}

async function currentState(): Promise<string> {
  const [got] = await jam.api.Email.get({ accountId, ids: [] });
  return got.state;
}

async function nextStateChange(stream: EventStream, action: () => Promise<unknown>, what: string): Promise<Json> {
  const seen = stream.stateEvents().length;
  const started = performance.now();
  await action();
  const done = performance.now();
  await stream.until(() => stream.stateEvents().length > seen);
  console.log(`StateChange for ${what}: ${(performance.now() - done).toFixed(0)} ms after it was done (${(done - started).toFixed(0)} ms to do)`);
  return stream.stateEvents()[seen]!.data;
}

describe('EventSource', () => {
  it('pushes a StateChange for an SMTP delivery, an IMAP STORE and a JMAP Email/set', async () => {
    const stream = await EventStream.open('types=*&closeafter=no&ping=0');
    expect(stream.status).toBe(200);
    expect(stream.contentType).toBe('text/event-stream; charset=utf-8');
    const imap = await imapClient(test, alice);
    try {
      const delivered = await nextStateChange(stream, () => submitAs(test, bob, { from: bob.address, to: alice.address, subject: 'push me', text: 'hello' }), 'an SMTP delivery');
      const state = await currentState();
      expect(delivered).toEqual({ '@type': 'StateChange', changed: { [accountId]: { Mailbox: state, Email: state, Thread: state } } });

      await imap.mailboxOpen('INBOX');
      const stored = await nextStateChange(stream, () => imap.messageFlagsAdd('1', ['\\Flagged']), 'an IMAP STORE');
      expect(stored.changed[accountId].Email).toBe(await currentState());
      const [changes] = await jam.api.Email.changes({ accountId, sinceState: delivered.changed[accountId].Email });
      expect(changes.updated).toHaveLength(1);

      const [emailId] = changes.updated;
      const set = await nextStateChange(stream, () => jam.api.Email.set({ accountId, update: { [emailId]: { 'keywords/$seen': true } } }), 'a JMAP Email/set');
      expect(set.changed[accountId].Email).toBe(await currentState());
    } finally {
      stream.close();
      await imap.logout();
    }
  });

  it('sends only the types asked for, closes after a state with closeafter=state, and pings', async () => {
    const mailboxOnly = await EventStream.open('types=Mailbox&closeafter=state&ping=1');
    await mailboxOnly.until(() => mailboxOnly.events.some((e) => e.event === 'ping'));
    expect(mailboxOnly.events.find((e) => e.event === 'ping')!.data).toEqual({ '@type': 'Ping', interval: 1 });
    await jam.api.Mailbox.set({ accountId, create: { n: { name: 'Pushed' } } });
    await mailboxOnly.until(() => mailboxOnly.ended);
    const [event] = mailboxOnly.stateEvents();
    expect(Object.keys(event!.data.changed[accountId])).toEqual(['Mailbox']);
  });

  it('asks for credentials and refuses bad arguments', async () => {
    const anonymous = await new Promise<number>((resolve, reject) => {
      https
        .get({ host: '127.0.0.1', port: test.port('https'), path: '/jmap/eventsource?types=*&closeafter=no&ping=0', servername: `mail.${test.domain}`, ca: caPem(test), headers: { host: `mail.${test.domain}` } }, (response) => {
          response.resume();
          resolve(response.statusCode ?? 0);
        })
        .on('error', reject);
    });
    expect(anonymous).toBe(401);
    const bad = await EventStream.open('types=*&closeafter=sometimes&ping=0').catch(() => null);
    expect(bad?.status ?? 400).toBe(400);
  });
});

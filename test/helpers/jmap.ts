// JMAP against a test engine: raw requests (Basic auth, exact bytes, for the RFC examples and the
// error cases) and a real client, jmap-jam, given a bearer token from /jmap/token. jmap-jam uses
// the global fetch; here it goes through an agent that trusts the engine's CA and names
// mail.<domain> in TLS, on loopback.
import { ImapFlow } from 'imapflow';
import { Agent, fetch as undiciFetch } from 'undici';
import { startTestEngine, type TestEngine } from './engine.js';
import { caPem, web, type WebAnswer } from './web.js';

export function basic(user: { address: string; password: string }): string {
  return `Basic ${Buffer.from(`${user.address}:${user.password}`).toString('base64')}`;
}

/** JMAP answers as tests read them: any shape, checked by the expectations. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any;

/** A JMAP API request with Basic auth; the answer parsed when it is JSON. */
export async function jmapPost(test: TestEngine, user: { address: string; password: string }, body: unknown): Promise<WebAnswer & { json: Json }> {
  const answer = await web(test, 'https', '/jmap/api', {
    body: typeof body === 'string' ? body : JSON.stringify(body),
    headers: { authorization: basic(user), 'content-type': 'application/json' },
  });
  let json: unknown = null;
  try {
    json = JSON.parse(answer.text);
  } catch {
    // not JSON: the caller looks at the text
  }
  return { ...answer, json };
}

let agent: Agent | null = null;

/** Makes the global fetch trust the engine's CA (for jmap-jam); undone by restoreFetch. */
export function trustEngineInFetch(test: TestEngine): () => void {
  const original = globalThis.fetch;
  agent = new Agent({ connect: { ca: caPem(test), servername: `mail.${test.domain}` } });
  const dispatcher = agent;
  globalThis.fetch = ((input: Parameters<typeof undiciFetch>[0], init: Parameters<typeof undiciFetch>[1] = {}) => undiciFetch(input, { ...init, dispatcher })) as unknown as typeof fetch;
  return () => {
    globalThis.fetch = original;
    void dispatcher.close();
  };
}

/**
 * jmap-jam as the tests use it. Its types import jmap-rfc-types, which ships TypeScript sources that
 * this project's compiler settings do not take, so the module is loaded by a name the compiler does
 * not follow and described here.
 */
export interface Jam {
  api: Record<string, Record<string, (args: Record<string, unknown>) => Promise<[Json, Json]>>>;
  requestMany(build: (b: Json) => Record<string, unknown>): Promise<[Json, Json]>;
  getPrimaryAccount(): Promise<string>;
  uploadBlob(accountId: string, body: Blob | Uint8Array | string): Promise<Json>;
  downloadBlob(params: { accountId: string; blobId: string; mimeType: string; fileName: string }): Promise<Response>;
}

const JMAP_JAM = 'jmap-jam';

export async function jamClient(test: TestEngine, user: { address: string; password: string }): Promise<Jam> {
  const { JamClient } = (await import(JMAP_JAM)) as { JamClient: new (options: { sessionUrl: string; bearerToken: string }) => Jam };
  const answer = await web(test, 'https', '/jmap/token', { method: 'POST', body: '', headers: { authorization: basic(user) } });
  if (answer.status !== 200) throw new Error(`token: ${answer.status} ${answer.text}`);
  const { accessToken } = JSON.parse(answer.text) as { accessToken: string };
  return new JamClient({ sessionUrl: `https://127.0.0.1:${test.port('https')}/.well-known/jmap`, bearerToken: accessToken });
}

export interface JmapEngine {
  test: TestEngine;
  /** jmap-jam, logged in as the first user. */
  jam: Jam;
  accountId: string;
  /** Mailbox ids by role (inbox, sent, drafts, …). */
  mailboxes: Record<string, string>;
  stop(): Promise<void>;
}

/** An engine with these users (address → password), the global fetch trusting it, and jmap-jam logged in as the first. */
export async function startJmapEngine(users: Record<string, string>): Promise<JmapEngine> {
  const test = await startTestEngine({ users });
  const restoreFetch = trustEngineInFetch(test);
  const [address, password] = Object.entries(users)[0]!;
  const jam = await jamClient(test, { address, password });
  const accountId = await jam.getPrimaryAccount();
  const [got] = await jam.api.Mailbox.get({ accountId, properties: ['role'] });
  const mailboxes = Object.fromEntries(got.list.filter((m: Json) => m.role).map((m: Json) => [m.role, m.id]));
  return {
    test,
    jam,
    accountId,
    mailboxes,
    async stop() {
      restoreFetch();
      await test.stop();
    },
  };
}

/** imapflow logged in to the engine's IMAP port (STARTTLS with the engine's own certificate). */
export async function imapClient(test: TestEngine, user: { address: string; password: string }): Promise<ImapFlow> {
  const client = new ImapFlow({ host: '127.0.0.1', port: test.port('imap'), secure: false, auth: { user: user.address, pass: user.password }, logger: false, tls: { rejectUnauthorized: false } });
  await client.connect();
  return client;
}

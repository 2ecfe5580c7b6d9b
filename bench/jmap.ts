// npm run bench -- jmap [--count=10000] [--size=1024] [--runs=5] [--peer=0]
//
// JMAP against IMAP on one mailbox of `count` messages (filled through MailStore.appendMessage
// before `lanpost serve` starts). List: Email/query (inMailbox, newest 50 by receivedAt) with
// Email/get of the list properties in the same request, over HTTPS with a kept-alive connection,
// against IMAP UID SEARCH ALL + UID FETCH (ENVELOPE FLAGS) of the 50 newest on LanPost — and on the
// peer Dovecot when the peer stack runs (/tmp/refstack/READY). Changes: one new message delivered
// over SMTP, then Email/changes from the state before it against IMAP FETCH 1:* (FLAGS)
// (CHANGEDSINCE <HIGHESTMODSEQ before it>) after the NOOP that makes the session see it. The servers take turns in every round; per step the
// median and range of `runs` rounds, and the JMAP/IMAP time ratio. Figures are printed, never asserted.
import fs from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { Accounts } from '../server/accounts/accounts.js';
import { loadSettings } from '../server/settings/file.js';
import { openDatabase } from '../server/store/db.js';
import { MailStore } from '../server/store/mailstore.js';
import { spawnServe } from '../test/helpers/cli.js';
import { prepareDataDir, tempDataDir } from '../test/helpers/engine.js';
import { Client, message, PEER, peerAvailable, peerFolder } from './imap.js';

const USER = 'bench@lanpost.lan';
const PASSWORD = 'bench password 1';
const LIST_PROPERTIES = ['threadId', 'mailboxIds', 'keywords', 'subject', 'from', 'to', 'receivedAt', 'size', 'preview'];
const FOLDER = 'benchjmap';

interface Options {
  count: number;
  size: number;
  runs: number;
  peer: boolean;
}

function parse(args: string[]): Options {
  const get = (name: string) => args.find((a) => a.startsWith(`--${name}=`))?.split('=')[1];
  return { count: Number(get('count') ?? 10000), size: Number(get('size') ?? 1024), runs: Number(get('runs') ?? 5), peer: get('peer') !== '0' };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const range = (values: number[]) => `${Math.min(...values).toFixed(1)}-${Math.max(...values).toFixed(1)}`;

async function fill(dataDir: string, options: Options): Promise<void> {
  const settings = loadSettings(dataDir).settings;
  const db = openDatabase(dataDir);
  try {
    const store = new MailStore(db, dataDir);
    const user = await new Accounts(db, dataDir, store, () => settings).addUser(USER, PASSWORD);
    const inbox = store.getMailbox(user.id, 'INBOX')!;
    for (let start = 0; start < options.count; start += 200) {
      const batch = Array.from({ length: Math.min(200, options.count - start) }, (_, k) => message(start + k, options.size, USER));
      await Promise.all(batch.map((content, k) => store.appendMessage(user, inbox, content, { inNew: true, internalDate: new Date(Date.UTC(2024, 0, 1) + (start + k) * 1000) })));
    }
  } finally {
    db.close();
  }
}

/** What the benchmark reads of a method response. */
interface Answer {
  list?: Array<{ id: string; role?: string }>;
  state?: string;
  created?: string[];
}

/** JMAP over one kept-alive HTTPS connection, with Basic auth (remembered by the server after the first). */
class JmapClient {
  private readonly agent: https.Agent;

  constructor(
    private readonly port: number,
    ca: string,
  ) {
    this.agent = new https.Agent({ keepAlive: true, maxSockets: 1, ca, servername: 'mail.lanpost.lan' });
  }

  call(methodCalls: unknown[]): Promise<{ methodResponses: Array<[string, Answer, string]> }> {
    const body = JSON.stringify({ using: ['urn:ietf:params:jmap:core', 'urn:ietf:params:jmap:mail'], methodCalls });
    return new Promise((resolve, reject) => {
      const request = https.request(
        {
          host: '127.0.0.1',
          port: this.port,
          path: '/jmap/api',
          method: 'POST',
          agent: this.agent,
          headers: { host: `mail.lanpost.lan:${this.port}`, authorization: `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
        },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (c: Buffer) => chunks.push(c));
          response.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            if (response.statusCode !== 200) reject(new Error(`JMAP ${response.statusCode}: ${text}`));
            else resolve(JSON.parse(text));
          });
        },
      );
      request.on('error', reject);
      request.end(body);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

async function timed<T>(work: () => Promise<T>): Promise<[number, T]> {
  const started = performance.now();
  const result = await work();
  return [performance.now() - started, result];
}

/** IMAP: the 50 newest by UID with their envelopes and flags. */
async function imapList(client: Client, expected: number): Promise<void> {
  const search = await client.command('UID SEARCH ALL');
  const uids = /^\* SEARCH ([\d ]+)/.exec(search.lines[0] ?? '')?.[1]?.trim().split(' ') ?? [];
  const newest = uids.slice(-50).reverse();
  const fetched = await client.command(`UID FETCH ${newest.join(',')} (ENVELOPE FLAGS)`);
  if (fetched.count !== Math.min(50, expected)) throw new Error(`IMAP FETCH gave ${fetched.count} messages`);
}

async function jmapList(jmap: JmapClient, accountId: string, inbox: string): Promise<void> {
  const answer = await jmap.call([
    ['Email/query', { accountId, filter: { inMailbox: inbox }, sort: [{ property: 'receivedAt', isAscending: false }], limit: 50 }, 'q'],
    ['Email/get', { accountId, '#ids': { resultOf: 'q', name: 'Email/query', path: '/ids' }, properties: LIST_PROPERTIES }, 'g'],
  ]);
  const got = answer.methodResponses[1]![1];
  if (got.list?.length !== 50) throw new Error(`Email/get gave ${JSON.stringify(answer.methodResponses[1]).slice(0, 200)}`);
}

async function login(port: number, user: string, password: string, mailbox: string): Promise<{ client: Client; modseq: number }> {
  const client = await Client.open(port);
  await client.command(`LOGIN "${user}" "${password}"`);
  const selected = await client.command(`SELECT ${mailbox} (CONDSTORE)`);
  const modseq = Number(selected.lines.map((l) => /HIGHESTMODSEQ (\d+)/.exec(l)?.[1]).find(Boolean) ?? 0);
  return { client, modseq };
}

function report(label: string, times: Map<string, number[]>, jmapName: string): void {
  console.log(`\n${label}`);
  const jmap = times.get(jmapName)!;
  for (const [name, values] of times) {
    const ratio = name === jmapName ? '' : `   JMAP/${name}: ${(median(jmap) / median(values)).toFixed(2)}`;
    console.log(`  ${name.padEnd(14)} median ${median(values).toFixed(1)} ms (${range(values)})${ratio}`);
  }
}

export async function run(args: string[]): Promise<void> {
  const options = parse(args);
  const dataDir = tempDataDir('lanpost-bench-jmap-');
  prepareDataDir(dataDir);
  console.log(`filling LanPost's INBOX with ${options.count} messages through MailStore.appendMessage …`);
  await fill(dataDir, options);
  const server = await spawnServe(dataDir, 60_000);
  const ca = fs.readFileSync(path.join(dataDir, 'tls', 'ca.crt'), 'utf8');
  const jmap = new JmapClient(server.ports.https!, ca);
  const peerDir = options.peer && peerAvailable() ? peerFolder(FOLDER) : null;
  try {
    const accountId = 'A1';
    const mailboxes = await jmap.call([['Mailbox/get', { accountId, properties: ['role'] }, 'm']]);
    const inbox = mailboxes.methodResponses[0]![1].list!.find((m) => m.role === 'inbox')!.id;
    const imap = await login(server.ports.imap!, USER, PASSWORD, 'INBOX');
    const peer = peerDir ? await populatePeer(peerDir, options) : null;
    // one untimed pass each: caches as a client's first visit leaves them
    await jmapList(jmap, accountId, inbox);
    await imapList(imap.client, options.count);
    if (peer) await imapList(peer.client, options.count);

    const list = new Map<string, number[]>([['JMAP', []], ['LanPost IMAP', []], ...(peer ? [['Dovecot IMAP', []] as [string, number[]]] : [])]);
    for (let round = 0; round < options.runs; round++) {
      list.get('JMAP')!.push((await timed(() => jmapList(jmap, accountId, inbox)))[0]);
      list.get('LanPost IMAP')!.push((await timed(() => imapList(imap.client, options.count)))[0]);
      if (peer) list.get('Dovecot IMAP')!.push((await timed(() => imapList(peer.client, options.count)))[0]);
    }
    report(`Email/query newest 50 + Email/get (${LIST_PROPERTIES.join(', ')}) vs UID SEARCH ALL + UID FETCH 50 (ENVELOPE FLAGS), ${options.count} messages, ${options.runs} rounds:`, list, 'JMAP');

    const nodemailer = await import('nodemailer');
    const transport = nodemailer.default.createTransport({ host: '127.0.0.1', port: server.ports.smtp!, secure: false, ignoreTLS: true });
    const changes = new Map<string, number[]>([['JMAP', []], ['LanPost IMAP', []]]);
    for (let round = 0; round < options.runs; round++) {
      const before = await jmap.call([['Email/get', { accountId, ids: [] }, 's']]);
      const state = before.methodResponses[0]![1].state!;
      const modseq = Number((await imap.client.command('STATUS INBOX (HIGHESTMODSEQ)')).lines.map((l) => /HIGHESTMODSEQ (\d+)/.exec(l)?.[1]).find(Boolean));
      await transport.sendMail({ envelope: { from: 'a@example.org', to: [USER] }, raw: `Subject: new ${round}\r\n\r\nnew mail\r\n` });
      const [jmapMs, jmapAnswer] = await timed(() => jmap.call([['Email/changes', { accountId, sinceState: state }, 'c']]));
      if (jmapAnswer.methodResponses[0]![1].created?.length !== 1) throw new Error(`Email/changes: ${JSON.stringify(jmapAnswer.methodResponses[0])}`);
      // the session learns of the new message at its next command (NOOP), then asks what changed
      const [imapMs, imapAnswer] = await timed(async () => {
        await imap.client.command('NOOP');
        return imap.client.command(`FETCH 1:* (FLAGS) (CHANGEDSINCE ${modseq})`);
      });
      if (!imapAnswer.lines.some((l) => /FETCH/.test(l))) throw new Error(`FETCH CHANGEDSINCE ${modseq} found nothing`);
      changes.get('JMAP')!.push(jmapMs);
      changes.get('LanPost IMAP')!.push(imapMs);
    }
    transport.close();
    report(`Email/changes after one new message vs NOOP + FETCH 1:* (FLAGS) (CHANGEDSINCE …), ${options.runs} rounds:`, changes, 'JMAP');
    imap.client.close();
    peer?.client.close();
  } finally {
    jmap.close();
    await server.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
    if (peerDir) fs.rmSync(peerDir, { recursive: true, force: true });
  }
}

// ── the peer Dovecot ────────────────────────────────────────────────────────────────────────

async function populatePeer(folder: string, options: Options): Promise<{ client: Client } | null> {
  console.log(`filling Dovecot's ${FOLDER} for ${PEER.user} with the peer stack's populate tool …`);
  const populate = spawnSync('python3', [PEER.tool, 'populate', '--folder', folder, '--owner', PEER.user, '--rcpt', `${PEER.user}@lyshark.com`, '--count', String(options.count), '--size', String(options.size)], { encoding: 'utf8' });
  if (populate.status !== 0) {
    console.log(`  peer not measured: ${populate.stderr.trim()}`);
    return null;
  }
  return { client: (await login(PEER.port, PEER.user, PEER.password, FOLDER)).client };
}

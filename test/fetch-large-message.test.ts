// A message far larger than what a session should hold: IMAP FETCH BODY[] (and BODY.PEEK[],
// RFC822, a partial, TEXT) and POP3 RETR of a 48 MB message stream from its file — every byte exact
// (NULs go out as 0x80 in IMAP, one for one, so the literal's length stays the file's), and the
// engine does not hold the message: once the first megabytes have arrived, the memory its buffers
// take (process.memoryUsage().arrayBuffers, measured from after a garbage collection) has not grown
// by anything like the message's size, as it would in a server that reads the message whole before
// sending its first byte. The engine runs as its own process, probed over its IPC channel (memory-probe.mjs).
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Accounts } from '../server/accounts/accounts.js';
import { loadSettings } from '../server/settings/file.js';
import { openDatabase } from '../server/store/db.js';
import { MailStore } from '../server/store/mailstore.js';
import { engineDataDir, forkEngine, isReady, type ForkedEngine } from './helpers/engine-process.js';

const USER = 'large@lanpost.lan';
const PASSWORD = 'large-password-1';
const SIZE = 48 * 1024 * 1024;
/** Bytes of the message received when the engine's memory is probed (the client stops reading meanwhile). */
const PROBE_AT = 1024 * 1024;
/** Growth of the engine's buffers allowed by then: a part of the message's size. */
const ALLOWED_GROWTH = SIZE / 2;
const MEMORY_PROBE = path.join(import.meta.dirname, 'helpers', 'memory-probe.mjs');

const made: string[] = [];
let engine: ForkedEngine;
const ports: Partial<Record<string, number>> = {};
let message: Buffer;

/** CRLF lines, none starting with a dot (so POP3 sends it as it is), NULs here and there, some on chunk edges. */
function bigMessage(): Buffer {
  const head = Buffer.from('From: <big@example.org>\r\nTo: <large@lanpost.lan>\r\nSubject: a large one\r\n\r\n');
  const line = Buffer.from('0123456789 abcdefghijklmnopqrstuvwxyz ABCDEFGHIJKLMNOPQRSTUVWXYZ 0123456789\r\n');
  const content = Buffer.alloc(SIZE);
  head.copy(content);
  for (let at = head.length; at < SIZE; at += line.length) line.copy(content, at, 0, Math.min(line.length, SIZE - at));
  content.write('\r\n', SIZE - 2);
  for (const at of [1000, 65535, 65536, 131071, 5_000_000, SIZE - 3]) content[at] = 0;
  return content;
}

const sha256 = (data: Buffer) => crypto.createHash('sha256').update(data).digest('hex');

/** The engine's buffers (bytes of ArrayBuffers: every Buffer), after a full garbage collection when `collect`. */
async function engineBuffers(collect: boolean): Promise<number> {
  const count = engine.messages.length;
  engine.send({ type: 'memory-probe', collect } as never);
  const answer = (await engine.waitFor((m) => m.type === ('memory' as never) && engine.messages.indexOf(m) >= count, 'a memory probe')) as unknown as NodeJS.MemoryUsage;
  return answer.arrayBuffers;
}

/** Reads a socket a line or a counted run of bytes at a time, never holding a literal whole. */
class StreamReader {
  private pending: Buffer = Buffer.alloc(0);
  private wake: (() => void) | null = null;
  private closed = false;

  constructor(readonly socket: net.Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.pending = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
      this.wake?.();
    });
    socket.on('close', () => {
      this.closed = true;
      this.wake?.();
    });
  }

  static connect(port: number): Promise<StreamReader> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host: '127.0.0.1', port }, () => resolve(new StreamReader(socket)));
      socket.once('error', reject);
    });
  }

  private async more(): Promise<void> {
    if (this.closed) throw new Error(`connection closed; unread: ${this.pending.toString('latin1', 0, 200)}`);
    await new Promise<void>((resolve) => (this.wake = resolve));
    this.wake = null;
  }

  async line(): Promise<string> {
    for (;;) {
      const end = this.pending.indexOf('\r\n');
      if (end >= 0) {
        const line = this.pending.toString('latin1', 0, end);
        this.pending = this.pending.subarray(end + 2);
        return line;
      }
      await this.more();
    }
  }

  /** Lines up to and including the one starting with `prefix`. */
  async until(prefix: string): Promise<string[]> {
    const lines: string[] = [];
    for (;;) {
      lines.push(await this.line());
      if (lines[lines.length - 1]!.startsWith(prefix)) return lines;
    }
  }

  /** The next `count` bytes, handed to `use` as they come, with how many came before. */
  async bytes(count: number, use: (chunk: Buffer, before: number) => Promise<void>): Promise<void> {
    for (let received = 0; received < count; ) {
      if (!this.pending.length) await this.more();
      const chunk = this.pending.subarray(0, count - received);
      this.pending = this.pending.subarray(chunk.length);
      await use(chunk, received);
      received += chunk.length;
    }
  }

  write(text: string): void {
    this.socket.write(text);
  }
}

/**
 * Sends `command`, checks the line that announces `count` bytes and hashes them as they come.
 * Returns the hash and how much the engine's buffers grew from before the command to when
 * PROBE_AT bytes had come (the client not reading while the engine is probed).
 */
async function receive(reader: StreamReader, command: string, announced: RegExp, count: number): Promise<{ sha: string; growth: number }> {
  const start = await engineBuffers(true);
  reader.write(command);
  expect(await reader.line(), command).toMatch(announced);
  const hash = crypto.createHash('sha256');
  let growth = NaN;
  await reader.bytes(count, async (chunk, before) => {
    hash.update(chunk);
    if (before >= PROBE_AT || before + chunk.length < PROBE_AT) return;
    reader.socket.pause();
    growth = (await engineBuffers(false)) - start;
    reader.socket.resume();
  });
  return { sha: hash.digest('hex'), growth };
}

const mb = (bytes: number) => `${(bytes / 1048576).toFixed(1)} MB`;

beforeAll(async () => {
  const dataDir = engineDataDir(made);
  const { settings } = loadSettings(dataDir);
  message = bigMessage();
  const db = openDatabase(dataDir);
  try {
    const store = new MailStore(db, dataDir);
    const user = await new Accounts(db, dataDir, store, () => settings).addUser(USER, PASSWORD);
    await store.appendMessage(user, store.getMailbox(user.id, 'INBOX')!, message);
  } finally {
    db.close();
  }
  engine = forkEngine(dataDir, { preload: MEMORY_PROBE });
  const ready = await engine.waitFor(isReady, 'ready');
  for (const service of ready.state.services) ports[service.name] = service.port;
}, 120_000);

afterAll(async () => {
  if (engine) {
    engine.send({ type: 'stop' });
    await engine.exited;
  }
  for (const dir of made) fs.rmSync(dir, { recursive: true, force: true });
});

describe('a 48 MB message', () => {
  it('IMAP FETCH BODY.PEEK[], RFC822, a partial and TEXT stream it byte-exact, the engine not holding it', async () => {
    const sent = Buffer.from(message);
    for (let at = sent.indexOf(0); at >= 0; at = sent.indexOf(0, at + 1)) sent[at] = 0x80;
    const imap = await StreamReader.connect(ports.imap!);
    await imap.line();
    imap.write(`a LOGIN ${USER} "${PASSWORD}"\r\n`);
    expect((await imap.until('a ')).pop()).toMatch(/^a OK/);
    imap.write('b SELECT INBOX\r\n');
    expect((await imap.until('b ')).pop()).toMatch(/^b OK/);
    const body = message.indexOf('\r\n\r\n') + 4;
    const cases: Array<[tag: string, items: string, from: number]> = [
      ['c', 'BODY.PEEK[]', 0],
      ['d', 'RFC822', 0],
      ['e', '(UID BODY[]<1000.60000000> FLAGS)', 1000],
      ['f', 'BODY.PEEK[TEXT]', body],
    ];
    for (const [tag, items, from] of cases) {
      const length = SIZE - from;
      const got = await receive(imap, `${tag} FETCH 1 ${items}\r\n`, new RegExp(`^\\* 1 FETCH \\(.*\\{${length}\\}$`), length);
      expect(got.sha, items).toBe(sha256(sent.subarray(from)));
      expect((await imap.until(`${tag} `)).pop(), items).toMatch(new RegExp(`^${tag} OK`));
      expect(got.growth, `${items}: the engine's buffers grew by ${mb(got.growth)} with ${mb(PROBE_AT)} sent`).toBeLessThan(ALLOWED_GROWTH);
    }
    // a header field of it comes from its header block alone
    imap.write('g FETCH 1 (BODY.PEEK[HEADER.FIELDS (SUBJECT)])\r\n');
    expect(await imap.until('g ')).toEqual(['* 1 FETCH (BODY[HEADER.FIELDS (SUBJECT)] {24}', 'Subject: a large one', '', ')', 'g OK FETCH completed']);
    imap.write('z LOGOUT\r\n');
    await imap.until('z ');
  });

  it('POP3 RETR streams it byte-exact, the engine not holding it', async () => {
    const pop = await StreamReader.connect(ports.pop3!);
    await pop.line();
    pop.write(`USER ${USER}\r\n`);
    await pop.line();
    pop.write(`PASS ${PASSWORD}\r\n`);
    expect(await pop.line()).toMatch(/^\+OK/);
    const got = await receive(pop, 'RETR 1\r\n', new RegExp(`^\\+OK ${SIZE} octets$`), SIZE);
    expect(await pop.line()).toBe('.');
    expect(got.sha).toBe(sha256(message));
    expect(got.growth, `the engine's buffers grew by ${mb(got.growth)} with ${mb(PROBE_AT)} sent`).toBeLessThan(ALLOWED_GROWTH);
    pop.write('QUIT\r\n');
    await pop.line();
  });
});

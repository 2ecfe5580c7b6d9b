// FETCH ENVELOPE from the header block alone, and the cache behind it: the same envelopes as the
// full MIME parse, kept across a restart (the message_mime table), and never standing in for
// what lives in the index — flags and expunges always come fresh. Also the everyday-address fast
// path, which must read exactly what nodemailer's address parser reads.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEngine, type Engine } from '../server/engine.js';
import { openDatabase } from '../server/store/db.js';
import { formatEnvelope, parseEnvelopeText } from '../server/imap/fetch/structure-format.js';
import { EnvelopeHelper, SharedBatch } from '../server/imap/mime/envelope-helper.js';
import { DONE, FAILED, FREE, HELPER, MAIN, SLOT, type EnvelopeJob } from '../server/imap/mime/envelope-worker.js';
import { envelopeFromHeader, simpleAddresses } from '../server/imap/mime/envelope.js';
import { headerBlockEnd, readHeaderBlock } from '../server/imap/mime/header-block.js';
import { FieldNames, splitHeaderFields } from '../server/imap/mime/headers.js';
import { startTestEngine, type TestEngine } from './helpers/engine.js';
import { undoMigrationsAfter6 } from './helpers/old-database.js';
import { ALTERNATIVE, ENCODED, EXPECTED, MIXED, NESTED, PLAIN } from './imap-fixtures.js';
import { RawImap } from './imap-helpers.js';

const USER = 'carol@lanpost.lan';
const PASSWORD = 'correct horse battery';
const SHAPES = [PLAIN, ALTERNATIVE, MIXED, NESTED, ENCODED];

async function append(client: RawImap, mailbox: string, message: string | Buffer, flags = ''): Promise<number> {
  const bytes = Buffer.isBuffer(message) ? message : Buffer.from(message);
  client.write(`ap APPEND ${mailbox} ${flags ? `(${flags}) ` : ''}{${bytes.length}+}\r\n`);
  client.write(Buffer.concat([bytes, Buffer.from('\r\n')]));
  const reply = await client.until('ap');
  const uid = /APPENDUID \d+ (\d+)/.exec(reply.text)?.[1];
  if (reply.status !== 'OK' || !uid) throw new Error(reply.raw);
  return Number(uid);
}

/** An engine of the test's own with USER on it, restarted when the test asks, removed after it. */
async function withOwnEngine(body: (own: { engine: Engine; dataDir: string; imapPort(): number; restart(meanwhile?: () => void): Promise<void> }) => Promise<void>): Promise<void> {
  const started = await startTestEngine();
  const own = {
    engine: started.engine,
    dataDir: started.dataDir,
    imapPort: () => own.engine.status('imap').port,
    /** Stops the engine, runs `meanwhile` while it is down, starts it again on the same data. */
    async restart(meanwhile?: () => void) {
      await own.engine.stop();
      meanwhile?.();
      own.engine = await startEngine({ dataDir: started.dataDir, print: null });
    },
  };
  try {
    await started.addUser(USER, PASSWORD);
    await body(own);
  } finally {
    await own.engine.stop();
    fs.rmSync(started.dataDir, { recursive: true, force: true });
  }
}

function inboxRows(engine: Engine) {
  const store = engine.context.mailStore;
  return store.listMessages(store.getMailbox(engine.context.accounts.findUser(USER)!.id, 'INBOX')!.id);
}

/** The parenthesized value after `name` in a response line (quoted strings and literals skipped). */
function itemValue(line: string, name: string): string | undefined {
  const start = line.indexOf(`${name} (`);
  if (start < 0) return undefined;
  let depth = 0;
  for (let i = start + name.length + 1; i < line.length; i++) {
    const ch = line[i];
    if (ch === '"') {
      for (i++; line[i] !== '"'; i++) if (line[i] === '\\') i++;
    } else if (ch === '{') {
      const close = line.indexOf('}', i);
      i = close + 2 + Number(line.slice(i + 1, close));
    } else if (ch === '(') depth++;
    else if (ch === ')' && --depth === 0) return line.slice(start + name.length + 1, i + 1);
  }
  return undefined;
}

/** The ENVELOPE of each FETCH response line, by sequence number. */
function envelopes(lines: string[]): Map<number, string> {
  const out = new Map<number, string>();
  for (const line of lines) {
    const seq = /^\* (\d+) FETCH /.exec(line)?.[1];
    const envelope = itemValue(line, 'ENVELOPE');
    if (seq && envelope) out.set(Number(seq), envelope);
  }
  return out;
}

let test: TestEngine;
let c: RawImap;

beforeAll(async () => {
  test = await startTestEngine({ users: { [USER]: PASSWORD } });
  c = await RawImap.loggedIn(test.port('imap'), USER, PASSWORD);
});
afterAll(async () => {
  c.close();
  await test.stop();
});

describe('IMAP FETCH ENVELOPE from the header block', () => {
  it('gives the envelopes of the full MIME parse for every shape, and BODYSTRUCTURE after it agrees', async () => {
    await c.command('CREATE Headers');
    for (const message of SHAPES) await append(c, 'Headers', message);
    await c.command('SELECT Headers');
    // never parsed: ENVELOPE alone reads the header blocks only
    const first = await c.command('FETCH 1:5 (ENVELOPE)');
    expect(first.status).toBe('OK');
    const alone = envelopes(first.lines);
    for (let seq = 1; seq <= 5; seq++) expect(alone.get(seq), `message ${seq}`).toBe(EXPECTED[seq]!.envelope);
    // now the structures are parsed too; the envelopes stay the same
    const both = await c.command('FETCH 1:5 (ENVELOPE BODYSTRUCTURE)');
    for (let seq = 1; seq <= 5; seq++) {
      expect(both.lines[seq - 1]).toBe(`* ${seq} FETCH (ENVELOPE ${EXPECTED[seq]!.envelope} BODYSTRUCTURE ${EXPECTED[seq]!.bodystructure})`);
    }
  });

  it('reads a header longer than the first read, LF-only line ends, and a message without a header', async () => {
    await c.command('CREATE Odd');
    const long = `X-Long: ${'a'.repeat(40_000)}\r\nFrom: "Far Down" <far@example.org>\r\nSubject: after a long field\r\n\r\nbody\r\n`;
    await append(c, 'Odd', long);
    await append(c, 'Odd', 'From: lf@example.org\nTo: "Bob" <bob@lanpost.lan>, other@example.org\nSubject: bare line feeds\n\nbody\n');
    await append(c, 'Odd', '\r\nSubject: this is body text, not a header\r\n\r\nmore\r\n');
    await c.command('SELECT Odd');
    const reply = await c.command('FETCH 1:3 (ENVELOPE)');
    const got = envelopes(reply.lines);
    expect(got.get(1)).toBe('(NIL "after a long field" (("Far Down" NIL "far" "example.org")) (("Far Down" NIL "far" "example.org")) (("Far Down" NIL "far" "example.org")) NIL NIL NIL NIL NIL)');
    expect(got.get(2)).toBe(
      '(NIL "bare line feeds" ((NIL NIL "lf" "example.org")) ((NIL NIL "lf" "example.org")) ((NIL NIL "lf" "example.org")) (("Bob" NIL "bob" "lanpost.lan")(NIL NIL "other" "example.org")) NIL NIL NIL NIL)',
    );
    expect(got.get(3)).toBe('(NIL NIL NIL NIL NIL NIL NIL NIL NIL NIL)');
    // the full parse sees the same headers (and the same empty one)
    const full = await c.command('FETCH 1:3 (ENVELOPE BODY)');
    const again = envelopes(full.lines);
    for (let seq = 1; seq <= 3; seq++) expect(again.get(seq)).toBe(got.get(seq));
  });
});

describe('IMAP envelope cache', () => {
  it('never serves cached flags: a flag change by another session shows in the next FETCH', async () => {
    await c.command('CREATE Flags');
    await append(c, 'Flags', PLAIN);
    await append(c, 'Flags', ALTERNATIVE);
    await c.command('SELECT Flags');
    const before = await c.command('FETCH 1:2 (FLAGS ENVELOPE)');
    expect(before.lines[0]).toMatch(/^\* 1 FETCH \(FLAGS \(\\Recent\) ENVELOPE \(/);
    const other = await RawImap.loggedIn(test.port('imap'), USER, PASSWORD);
    await other.command('SELECT Flags');
    expect((await other.command('STORE 1 +FLAGS.SILENT (\\Flagged $Work)')).status).toBe('OK');
    other.close();
    const after = await c.command('FETCH 1:2 (FLAGS ENVELOPE)');
    const line = after.lines.find((l) => l.startsWith('* 1 FETCH (FLAGS') && l.includes('ENVELOPE'));
    expect(line).toBe(`* 1 FETCH (FLAGS (\\Flagged $Work \\Recent) ENVELOPE ${EXPECTED[1]!.envelope})`);
    const second = after.lines.find((l) => l.startsWith('* 2 FETCH'));
    expect(second).toBe(`* 2 FETCH (FLAGS (\\Recent) ENVELOPE ${EXPECTED[2]!.envelope})`);
  });

  it('never serves an expunged message: FETCH skips it (NO [EXPUNGEISSUED]) until EXPUNGE is reported, then sequence numbers move', async () => {
    await c.command('CREATE Gone');
    for (const message of [PLAIN, ALTERNATIVE, MIXED]) await append(c, 'Gone', message);
    await c.command('SELECT Gone');
    expect(envelopes((await c.command('FETCH 1:3 ENVELOPE')).lines).size).toBe(3);
    const other = await RawImap.loggedIn(test.port('imap'), USER, PASSWORD);
    await other.command('SELECT Gone');
    await other.command('STORE 2 +FLAGS.SILENT (\\Deleted)');
    expect((await other.command('EXPUNGE')).status).toBe('OK');
    other.close();
    // RFC 3501 §7.4.1: no EXPUNGE during FETCH; the gone message is not answered, and the NO
    // says why (RFC 5530)
    const during = await c.command('FETCH 1:3 (UID ENVELOPE)');
    expect([during.status, during.text]).toEqual(['NO', expect.stringMatching(/^\[EXPUNGEISSUED\] /)]);
    const seen = envelopes(during.lines);
    expect([...seen.keys()]).toEqual([1, 3]);
    expect(seen.get(3)).toBe(EXPECTED[3]!.envelope);
    const noop = await c.command('NOOP');
    expect(noop.lines).toContain('* 2 EXPUNGE');
    const now = envelopes((await c.command('FETCH 1:* ENVELOPE')).lines);
    expect([...now.keys()]).toEqual([1, 2]);
    expect(now.get(2)).toBe(EXPECTED[3]!.envelope);
  });

  it('a copy shares the cached envelope and keeps its own flags', async () => {
    await c.command('CREATE Copied');
    await c.command('SELECT Headers');
    expect((await c.command('COPY 4 Copied')).status).toBe('OK');
    await c.command('STORE 4 +FLAGS.SILENT (\\Answered)');
    await c.command('SELECT Copied');
    const reply = await c.command('FETCH 1 (FLAGS ENVELOPE)');
    expect(reply.lines[0]).toBe(`* 1 FETCH (FLAGS (\\Recent) ENVELOPE ${EXPECTED[4]!.envelope})`);
  });

  it('keeps envelopes in the message_mime table and serves them after a restart, with fresh flags', () =>
    withOwnEngine(async (own) => {
      let client = await RawImap.connect(own.imapPort());
      await client.login(USER, PASSWORD);
      for (const message of SHAPES) await append(client, 'INBOX', message);
      await client.command('SELECT INBOX');
      expect(envelopes((await client.command('FETCH 1:5 ENVELOPE')).lines).size).toBe(5);
      await client.command('STORE 3 +FLAGS.SILENT (\\Seen)');
      client.close();
      const rows = inboxRows(own.engine);
      await own.restart(); // the stop writes what the cache still holds
      const stored = own.engine.context.db.prepare('SELECT structure FROM message_mime WHERE guid = ?').pluck();
      for (const [i, row] of rows.entries()) expect(stored.get(row.guid)).toBe(EXPECTED[i + 1]!.envelope);
      client = await RawImap.connect(own.imapPort());
      await client.login(USER, PASSWORD);
      await client.command('SELECT INBOX');
      const reply = await client.command('FETCH 1:5 (FLAGS ENVELOPE)');
      const got = envelopes(reply.lines);
      for (let seq = 1; seq <= 5; seq++) expect(got.get(seq)).toBe(EXPECTED[seq]!.envelope);
      expect(reply.lines[2]).toMatch(/^\* 3 FETCH \(FLAGS \(\\Seen\) ENVELOPE /);
      // SEARCH and SORT read the fields back from the stored text: groups, quoted names, encoded words
      expect((await client.command('SEARCH FROM "Alice Example"')).lines[0]).toBe('* SEARCH 1');
      expect((await client.command('SEARCH CC "erin@example.com"')).lines[0]).toBe('* SEARCH 1');
      expect((await client.command('SEARCH TO "carol, c."')).lines[0]).toBe('* SEARCH 1');
      expect((await client.command('SEARCH SUBJECT "aus K"')).lines[0]).toBe('* SEARCH 5');
      expect((await client.command('SORT (SUBJECT) UTF-8 ALL')).lines[0]).toBe('* SORT 5 1 4 3 2');
      // the structure is parsed on demand and stored with the envelope
      await client.command('FETCH 2 BODYSTRUCTURE');
      await own.restart();
      const again = own.engine.context.db.prepare('SELECT structure FROM message_mime WHERE guid = ?').pluck().get(rows[1]!.guid) as string;
      expect(JSON.parse(again)).toMatchObject({ v: 2, e: EXPECTED[2]!.envelope, s: { subtype: 'alternative' } });
      client.close();
    }));

  it('parses again, after the upgrade that fixed the parser, what an older version cached', () =>
    withOwnEngine(async (own) => {
      const client = await RawImap.connect(own.imapPort());
      await client.login(USER, PASSWORD);
      await append(client, 'INBOX', 'From: <dan (desk)@example.com>\r\nSubject: kept\r\n\r\nx\r\n');
      client.close();
      const [row] = inboxRows(own.engine);
      await own.restart(() => {
        // what a version before migration 6 cached: the comment as the sender's name
        const old = openDatabase(own.dataDir);
        const stale = '(NIL "kept" (("desk" NIL "dan" "example.com")) NIL NIL NIL NIL NIL NIL NIL)';
        old.prepare('INSERT OR REPLACE INTO message_mime (guid, structure) VALUES (?, ?)').run(row!.guid, stale);
        undoMigrationsAfter6(old);
        old.exec('PRAGMA user_version = 5');
        old.close();
      });
      const again = await RawImap.connect(own.imapPort());
      await again.login(USER, PASSWORD);
      await again.command('SELECT INBOX');
      const dan = '((NIL NIL "dan" "example.com"))';
      expect(envelopes((await again.command('FETCH 1 ENVELOPE')).lines).get(1)).toBe(`(NIL "kept" ${dan} ${dan} ${dan} NIL NIL NIL NIL NIL)`);
      again.close();
    }));
});

describe('the envelope helper thread', () => {
  /** Message files of every kind the helper meets; one more path that does not exist. */
  function messageFiles(): { dir: string; files: string[] } {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lanpost-envelope-helper-'));
    const bodies = [
      PLAIN,
      ENCODED,
      NESTED,
      'From: lf@example.org\nSubject: bare line feeds\n\nbody\n',
      `X-Long: ${'x'.repeat(20_000)}\r\nSubject: after a long field\r\n\r\nbody`,
      `From: Grüße <g@example.org>\r\nSubject: ${'8-bit Grüße '.repeat(300)}\r\n\r\n`, // a text longer than a slot
      'Cc: Team: a@b, c@d;, e@f\r\nIn-Reply-To: <r@s>\r\n\r\n',
    ];
    const files: string[] = [];
    for (let i = 0; i < 140; i++) {
      const file = path.join(dir, `m${i}`);
      fs.writeFileSync(file, `Message-ID: <m${i}@example.org>\r\n${bodies[i % bodies.length]!}`);
      files.push(file);
    }
    files.push(path.join(dir, 'gone'));
    return { dir, files };
  }
  const expected = (file: string) => (fs.existsSync(file) ? formatEnvelope(envelopeFromHeader(readHeaderBlock(file))) : null);
  /** Waits (bounded) until `done()`. */
  async function until(done: () => boolean, what: string): Promise<void> {
    for (let waited = 0; !done(); waited += 10) {
      if (waited > 20_000) throw new Error(`${what}: not within 20 s`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  it('makes the texts the main thread would make; what it cannot do is left to the main thread', async () => {
    const { dir, files } = messageFiles();
    const helper = new EnvelopeHelper();
    try {
      expect(helper.share(files)).toBeNull(); // none started yet
      helper.prepare();
      await until(() => helper.ready, 'the helper starting');
      const batch = helper.share(files)!;
      expect(batch).not.toBeNull();
      // the main thread claims nothing until the helper is through
      await until(() => files.every((_, i) => batch.finished(i)), 'the helper finishing');
      let made = 0;
      files.forEach((file, i) => {
        const text = batch.take(i);
        const want = expected(file);
        if (text === null) expect(want === null || want.length > 2048, file).toBe(true);
        else {
          made++;
          expect(text, file).toBe(want);
        }
      });
      expect(made).toBe(files.length - 1 - 20); // all but the missing file and the 20 over-long texts
    } finally {
      helper.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('never gives a message to both threads: each is claimed once in the shared status array', async () => {
    const job: EnvelopeJob = { files: ['a', 'b', 'c', 'd', 'e'], status: new SharedArrayBuffer(20), lengths: new SharedArrayBuffer(20), texts: new SharedArrayBuffer(5 * SLOT) };
    const batch = new SharedBatch(job);
    const status = new Int32Array(job.status);
    // what the helper does for message i (envelope-worker.ts), here by hand
    const helperClaims = (i: number) => Atomics.compareExchange(status, i, FREE, HELPER) === FREE;
    const helperFinishes = (i: number, text: string | null) => {
      if (text !== null) {
        Buffer.from(job.texts).write(text, i * SLOT, 'latin1');
        new Int32Array(job.lengths)[i] = text.length;
      }
      Atomics.store(status, i, text === null ? FAILED : DONE);
      Atomics.notify(status, i);
    };
    // 0: the main thread first — the helper cannot have it any more
    expect(batch.take(0)).toBeNull();
    expect(helperClaims(0)).toBe(false);
    // 3: the helper first and done — the main thread gets its text, and nothing when asking again
    expect(helperClaims(3)).toBe(true);
    helperFinishes(3, '(NIL "three" NIL NIL NIL NIL NIL NIL NIL NIL)');
    expect(batch.finished(3)).toBe(true);
    expect(batch.take(3)).toBe('(NIL "three" NIL NIL NIL NIL NIL NIL NIL NIL)');
    // 2: the helper gave up — the main thread does it
    expect(helperClaims(2)).toBe(true);
    helperFinishes(2, null);
    expect(batch.take(2)).toBeNull();
    // 1: the helper is on it when the main thread comes: it waits for that one message
    expect(helperClaims(1)).toBe(true);
    const done = new Promise<void>((resolve) =>
      setTimeout(() => {
        helperFinishes(1, '(NIL "one" NIL NIL NIL NIL NIL NIL NIL NIL)');
        resolve();
      }, 5),
    );
    // (Atomics.wait blocks this thread, so the helper's part must land before: run it first)
    await done;
    expect(batch.take(1)).toBe('(NIL "one" NIL NIL NIL NIL NIL NIL NIL NIL)');
    expect(status[0]).toBe(MAIN);
    // 4: a helper stuck on a message holds the main thread up only briefly, then it does it itself
    expect(helperClaims(4)).toBe(true);
    expect(batch.take(4)).toBeNull();
    expect(batch.finished(4)).toBe(false);
  });

  it('FETCH ENVELOPE of large never-opened mailboxes, copies included, alone and with the helper, agrees with the stored envelopes', async () => {
    const user = test.engine.context.accounts.findUser(USER)!;
    const store = test.engine.context.mailStore;
    const cache = test.engine.context.mimeCache;
    const shapes = [PLAIN, ALTERNATIVE, MIXED, NESTED, ENCODED];
    const stored = test.engine.context.db.prepare('SELECT structure FROM message_mime WHERE guid = ?').pluck();
    for (const name of ['Large', 'Larger']) {
      await c.command(`CREATE ${name}`);
      const mailbox = store.getMailbox(user.id, name)!;
      for (let i = 0; i < 1200; i++) await store.appendMessage(user, mailbox, Buffer.from(`Subject: ${name} ${i}\r\n${shapes[i % shapes.length]!}`));
      // copies of the first 100 in the same batches: the same guid twice
      await store.copyMessages(user, mailbox, mailbox, store.listMessages(mailbox.id).slice(0, 100));
      // the first FETCH of this kind runs alone and starts the helper for the second
      expect(cache.helper.ready).toBe(name === 'Larger');
      await c.command(`SELECT ${name}`);
      const reply = await c.command('FETCH 1:* (UID ENVELOPE)', 30_000);
      expect(reply.status).toBe('OK');
      const got = envelopes(reply.lines);
      expect(got.size).toBe(1300);
      cache.flush();
      store.listMessages(mailbox.id).forEach((row, i) => {
        expect(got.get(i + 1), `${name} message ${i + 1}`).toBe(expected(store.files(user, mailbox).path(row)));
        expect(stored.get(row.guid)).toBe(got.get(i + 1));
      });
      if (name === 'Large') await until(() => cache.helper.ready, 'the helper starting after the first FETCH');
    }
  }, 60_000);
});

describe('header fields picked by name', () => {
  it('gives what splitting every field and filtering gives (random header blocks)', () => {
    const names = ['date', 'subject', 'from', 'sender', 'reply-to', 'to', 'cc', 'bcc', 'in-reply-to', 'message-id'];
    const only = new FieldNames(names);
    const pieces = ['From', 'FROM', 'from ', ' From', 'To', 'Received', 'X-From', 'Subject', 'Reply-To', 'Message-Id', ':', ': x', 'a@b', '\r\n', '\n', ' ', '\t', '\r', 'Cc:', ' cont', 'Date: 1', 'Return-Path: <a@b>', '\u00a0', '\v', 'x-', 'Subject          '];
    let seed = 7;
    const random = (n: number) => {
      seed ^= seed << 13;
      seed ^= seed >>> 17;
      seed ^= seed << 5;
      return (seed >>> 0) % n;
    };
    for (let n = 0; n < 40_000; n++) {
      let block = '';
      for (let i = random(14); i > 0; i--) block += pieces[random(pieces.length)];
      expect(splitHeaderFields(block, only), JSON.stringify(block)).toEqual(splitHeaderFields(block).filter((f) => names.includes(f.key)));
    }
  });
});

describe('envelope text read back', () => {
  it('gives the fields it was written from (quoted specials, literals, groups, missing parts)', () => {
    const headers = [
      PLAIN,
      ENCODED,
      'From: "Quote \\" Back\\\\slash" <q@example.org>\r\nSubject: a "quoted" \\ thing\r\n\r\n',
      'From: Grüße <g@example.org>\r\nSubject: 8-bit Grüße\r\nTo: undisclosed-recipients:;\r\nCc: Team: a@b, c@d;, e@f\r\n\r\n',
      'From: name only\r\nReply-To: <>\r\nSender: x@\r\nBcc: @y\r\nIn-Reply-To: <r@s>\r\n\r\n',
      'From: Relayed <@a.example,@b.example:r@example.org>\r\nTo: List: <@c.example:s@example.org>;\r\n\r\n',
      '\r\n',
    ];
    for (const header of headers) {
      const latin1 = Buffer.from(header, 'utf8').toString('latin1');
      const envelope = envelopeFromHeader(latin1);
      expect(parseEnvelopeText(formatEnvelope(envelope)), header).toEqual(envelope);
    }
  });
});

describe('the end of a header block', () => {
  it('is found as in the whole message, whatever bytes an earlier read left after the ones that count', () => {
    /** The plain definition: the first CRLF CRLF or LF LF, whichever starts first; an empty header if the message starts with a line end. */
    const expected = (text: string) => {
      if (text.startsWith('\n')) return 1;
      if (text.startsWith('\r\n')) return 2;
      const crlf = text.indexOf('\r\n\r\n');
      const lf = text.indexOf('\n\n');
      if (crlf >= 0 && (lf < 0 || crlf < lf)) return crlf + 4;
      return lf >= 0 ? lf + 2 : text.length;
    };
    const pieces = ['a', '\r', '\n', ':', ' '];
    let seed = 11;
    const random = (n: number) => {
      seed ^= seed << 13;
      seed ^= seed >>> 17;
      seed ^= seed << 5;
      return (seed >>> 0) % n;
    };
    for (let n = 0; n < 50_000; n++) {
      let text = '';
      for (let i = random(12); i > 0; i--) text += pieces[random(pieces.length)];
      let leftover = '';
      for (let i = random(6); i > 0; i--) leftover += pieces[random(pieces.length)];
      const data = Buffer.from(text + leftover, 'latin1');
      expect(headerBlockEnd(data, text.length), JSON.stringify([text, leftover])).toBe(expected(text));
    }
  });
});

describe('everyday addresses without the general parser', () => {
  const addressparser = createRequire(import.meta.url)('nodemailer/lib/addressparser') as (text: string) => Array<{ name: string; address: string; group?: unknown[] }>;
  /** What the general path makes of a text (null for groups, which the fast path never takes). */
  function general(text: string) {
    const out: unknown[] = [];
    for (const entry of addressparser(text)) {
      if (entry.group) return null;
      if (!entry.address && !entry.name) continue;
      const at = entry.address.lastIndexOf('@');
      out.push({ name: entry.name || null, mailbox: at >= 0 ? entry.address.slice(0, at) : entry.address || null, host: at >= 0 ? entry.address.slice(at + 1) : 'MISSING_DOMAIN' });
    }
    return out;
  }

  it('reads the common shapes, and leaves comments, groups, escapes and 8-bit text to the parser', () => {
    expect(simpleAddresses('"Sender 1" <sender1@example.org>')).toEqual([{ name: 'Sender 1', mailbox: 'sender1', host: 'example.org' }]);
    expect(simpleAddresses('Bob <bob@lanpost.lan>, alice@example.org,<x@y>')).toEqual([
      { name: 'Bob', mailbox: 'bob', host: 'lanpost.lan' },
      { name: null, mailbox: 'alice', host: 'example.org' },
      { name: null, mailbox: 'x', host: 'y' },
    ]);
    for (const other of ['a@b (Comment)', 'Team: a@b;', '"a\\"b" <a@b>', '"Carol, C." <c@d>', 'Ünï <a@b>', 'name only', '"  spaced  " <a@b>']) {
      expect(simpleAddresses(other), other).toBeNull();
    }
  });

  it('agrees with the general parser on every text it takes (random texts from address pieces)', () => {
    const pieces = ['a', 'b@c', 'x.y', ' ', '  ', '<', '>', '"', ',', '@', 'Name', 'A.', '.', '=?UTF-8?B?5byg?=', 'd@e.f', '<g@h>', '"Q R"', '" Q"', '"Q  R"', '-', "'", 'Z', '+', '!'];
    let seed = 42;
    const random = (n: number) => {
      // xorshift32: the same texts on every run
      seed ^= seed << 13;
      seed ^= seed >>> 17;
      seed ^= seed << 5;
      return (seed >>> 0) % n;
    };
    let taken = 0;
    for (let n = 0; n < 30_000; n++) {
      let text = '';
      for (let i = 1 + random(8); i > 0; i--) text += pieces[random(pieces.length)];
      const fast = simpleAddresses(text);
      if (!fast) continue;
      taken++;
      expect(fast, JSON.stringify(text)).toEqual(general(text));
    }
    expect(taken).toBeGreaterThan(1000);
  });
});

// Several sessions changing one mailbox at once (as Dovecot's imaptest does): random STORE,
// FETCH, APPEND, EXPUNGE, COPY and NOOP. Every session's idea of the mailbox, kept only from
// the server's untagged EXISTS / EXPUNGE / FETCH responses, must end equal to the store's;
// sessions with CONDSTORE also check that MODSEQs come with every flag report and only grow, and
// no message is \Recent to two sessions.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Flags } from '../server/store/mailstore.js';
import { startTestEngine, type TestEngine } from './helpers/engine.js';
import { RawImap, type Reply } from './imap-helpers.js';

let test: TestEngine;
const USER = 'bob@lanpost.lan';
const PASSWORD = 'correct horse battery';
const FLAGS = ['\\Seen', '\\Flagged', '\\Answered', '\\Draft', '$Work', '$Home'];

/** A client's model of the selected mailbox: UIDs by sequence number, their flags and, with CONDSTORE, their MODSEQs. */
class Model {
  uids: Array<number | undefined> = [];
  flags = new Map<number, string>();
  modseqs = new Map<number, number>();
  /** UIDs this session was told are \Recent: RFC 3501 §2.3.2 gives that to one session only. */
  recent = new Set<number>();
  errors: string[] = [];

  constructor(readonly condstore = false) {}

  /** `asked`: the reply to a FETCH, whose flag data needs no MODSEQ (RFC 7162 §3.2 asks it of flag changes; Dovecot agrees). */
  apply(reply: Reply, asked = false): void {
    for (const line of reply.lines) {
      let m: RegExpExecArray | null;
      if ((m = /^\* (\d+) EXISTS$/.exec(line))) {
        const n = Number(m[1]);
        if (n < this.uids.length) this.errors.push(`EXISTS went down: ${n} < ${this.uids.length}`);
        while (this.uids.length < n) this.uids.push(undefined);
      } else if ((m = /^\* (\d+) EXPUNGE$/.exec(line))) {
        const seq = Number(m[1]);
        if (seq < 1 || seq > this.uids.length) this.errors.push(`EXPUNGE ${seq} of ${this.uids.length}`);
        this.uids.splice(seq - 1, 1);
      } else if ((m = /^\* (\d+) FETCH \((.*)\)$/s.exec(line))) {
        const seq = Number(m[1]);
        if (seq < 1 || seq > this.uids.length) this.errors.push(`FETCH ${seq} of ${this.uids.length}: ${line}`);
        const uid = /UID (\d+)/.exec(m[2]!)?.[1];
        if (uid) {
          const known = this.uids[seq - 1];
          if (known !== undefined && known !== Number(uid)) this.errors.push(`seq ${seq} was UID ${known}, now ${uid}`);
          this.uids[seq - 1] = Number(uid);
        }
        const flags = /FLAGS \(([^)]*)\)/.exec(m[2]!)?.[1];
        const at = this.uids[seq - 1];
        if (flags !== undefined && at !== undefined) {
          if (/\\Recent/i.test(flags)) this.recent.add(at);
          if (this.condstore) this.checkModseq(at, normalize(flags), line, asked);
          this.flags.set(at, normalize(flags));
        }
      }
    }
  }

  /** RFC 7162 §3.2: with CONDSTORE on, reported flag changes come with MODSEQ, which only grows, and grows when the flags change. */
  private checkModseq(uid: number, flags: string, line: string, asked: boolean): void {
    const modseq = Number(/MODSEQ \((\d+)\)/.exec(line)?.[1] ?? NaN);
    if (Number.isNaN(modseq)) {
      if (!asked) this.errors.push(`flag change without MODSEQ: ${line}`);
      return;
    }
    const before = this.modseqs.get(uid);
    if (before !== undefined && modseq < before) this.errors.push(`MODSEQ of UID ${uid} went down: ${before} → ${modseq}`);
    if (before !== undefined && modseq === before && this.flags.has(uid) && this.flags.get(uid) !== flags) {
      this.errors.push(`flags of UID ${uid} changed without a new MODSEQ (${modseq}): ${line}`);
    }
    this.modseqs.set(uid, modseq);
  }
}

function normalize(flags: string): string {
  return flags
    .split(' ')
    .filter((f) => f && f !== '\\Recent')
    .sort()
    .join(' ');
}

function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) & 0x7fffffff;
    return state / 0x7fffffff;
  };
}

beforeAll(async () => {
  test = await startTestEngine({ users: { [USER]: PASSWORD } });
});
afterAll(() => test.stop());

describe('IMAP sessions racing on one mailbox', () => {
  it('keeps every session consistent with the store', async () => {
    const setup = await RawImap.loggedIn(test.port('imap'), USER, PASSWORD);
    await setup.command('CREATE Race');
    await setup.command('CREATE Other');
    for (let i = 0; i < 30; i++) {
      const message = `Subject: race ${i}\r\n\r\nbody ${i}\r\n`;
      setup.write(`a APPEND Race {${message.length}+}\r\n${message}\r\n`);
      await setup.until('a');
    }
    setup.close();
    const sessions = await Promise.all(
      [1, 2, 3, 4].map(async (n) => {
        const c = await RawImap.loggedIn(test.port('imap'), USER, PASSWORD);
        // Two of the four sessions with CONDSTORE, as imaptest uses it where it is offered.
        const model = new Model(n > 2);
        model.apply(await c.command(model.condstore ? 'SELECT Race (CONDSTORE)' : 'SELECT Race'));
        model.apply(await c.command(`FETCH 1:* (UID FLAGS${model.condstore ? ' MODSEQ' : ''})`), true);
        return { c, model, next: random(n * 7919) };
      }),
    );
    await Promise.all(
      sessions.map(async ({ c, model, next }) => {
        for (let step = 0; step < 60; step++) {
          const count = model.uids.length;
          const seq = 1 + Math.floor(next() * Math.max(count, 1));
          const flag = FLAGS[Math.floor(next() * FLAGS.length)]!;
          const roll = next();
          let reply: Reply;
          if (!count || roll < 0.1) {
            const message = `Subject: more ${step}\r\n\r\nx\r\n`;
            c.write(`ap APPEND Race {${message.length}+}\r\n${message}\r\n`);
            reply = await c.until('ap');
          } else if (roll < 0.4) reply = await c.command(`STORE ${seq} ${next() < 0.5 ? '+' : '-'}FLAGS (${flag})`);
          else if (roll < 0.55) reply = await c.command(`UID STORE ${model.uids[seq - 1] ?? 1} +FLAGS.SILENT (${flag})`);
          else if (roll < 0.7) {
            model.apply(await c.command(`FETCH ${seq}:${Math.min(count, seq + 3)} (UID FLAGS${model.condstore && next() < 0.5 ? ' MODSEQ' : ''})`), true);
            continue;
          }
          else if (roll < 0.78) {
            model.apply(await c.command(`STORE ${seq} +FLAGS.SILENT (\\Deleted)`));
            reply = await c.command(next() < 0.5 ? 'EXPUNGE' : `UID EXPUNGE ${model.uids[seq - 1] ?? 1}`);
          } else if (roll < 0.85) reply = await c.command(`COPY ${seq} Other`);
          else if (roll < 0.9) reply = await c.command(`MOVE ${seq} Other`);
          else if (roll < 0.95) reply = await c.command(`SEARCH UNSEEN`);
          else reply = await c.command('NOOP');
          if (reply.status === 'BAD') model.errors.push(`BAD: ${reply.raw}`);
          model.apply(reply);
        }
      }),
    );
    const { mailStore, accounts } = test.engine.context;
    const user = accounts.findUser(USER)!;
    const rows = mailStore.listMessages(mailStore.getMailbox(user.id, 'Race')!.id);
    for (const { c, model } of sessions) {
      model.apply(await c.command('NOOP'));
      model.apply(await c.command(`FETCH 1:* (UID FLAGS${model.condstore ? ' MODSEQ' : ''})`), true);
      expect(model.errors).toEqual([]);
      expect(model.uids).toEqual(rows.map((r) => r.uid));
      for (const row of rows) expect(model.flags.get(row.uid)).toBe(normalize(Flags.of(row).text));
      if (model.condstore) for (const row of rows) expect(model.modseqs.get(row.uid)).toBe(row.modseq);
      c.close();
    }
    const recentTwice = sessions.flatMap(({ model }, i) => [...model.recent].filter((uid) => sessions.some((other, j) => j !== i && other.model.recent.has(uid))));
    expect(sessions.some(({ model }) => model.recent.size > 0)).toBe(true);
    expect(recentTwice).toEqual([]);
  }, 60_000);
});

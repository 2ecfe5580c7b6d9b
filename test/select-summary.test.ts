// SELECT's summary of a large mailbox is kept between SELECTs and caught up from the rows with a
// newer MODSEQ. Whatever happens to the mailbox in between — delivery, flag changes, expunges,
// COPY in, MOVE out, DELETE and CREATE again — it must equal what reading every row gives.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { User } from '../server/accounts/accounts.js';
import { Flags, type MailboxRow, type MailStore, type MessageRow } from '../server/store/mailstore.js';
import { startTestEngine, type TestEngine } from './helpers/engine.js';

let test: TestEngine;
let store: MailStore;
let user: User;

beforeAll(async () => {
  test = await startTestEngine();
  store = test.engine.context.mailStore;
  user = test.engine.context.accounts.findUser((await test.addUser('sam@lanpost.lan')).address)!;
  store.ensureUserMailboxes(user);
});
afterAll(() => test.stop());

/** A small seeded generator, so that a failure can be replayed. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) & 0x7fffffff;
    return state / 0x80000000;
  };
}

/** The summary computed from every row, the way SELECT did before it kept one. */
function fromRows(mailbox: MailboxRow) {
  const rows = store.messagesFromUid(mailbox.id, 1);
  const unseen = rows.findIndex((m) => !/(^| )\\Seen( |$)/.test(m.flags));
  const keywords = new Set(rows.flatMap((m) => m.flags.split(' ').filter((f) => f && !f.startsWith('\\'))));
  return { uids: rows.map((m) => m.uid), modseqs: rows.map((m) => m.modseq), firstUnseen: unseen + 1, keywords };
}

const FLAGS = ['\\Seen', '\\Flagged', '\\Answered', '$Label1', '$Label2', 'work'];

describe('the SELECT summary of a large mailbox', () => {
  it('matches the rows after every kind of change, over 150 random steps', async () => {
    const next = random(20261128);
    const pick = <T>(items: T[], share: number): T[] => items.filter(() => next() < share);
    const message = (i: number) => Buffer.from(`Subject: m${i}\r\n\r\nbody ${i}\r\n`);
    const mailbox = () => store.getMailbox(user.id, 'Big') ?? store.createMailbox(user, 'Big');
    const other = store.getMailbox(user.id, 'Archive') ?? store.createMailbox(user, 'Archive');
    await Promise.all(Array.from({ length: 700 }, (_, i) => store.appendMessage(user, mailbox(), message(i), { inNew: i % 2 === 0 })));
    await Promise.all(Array.from({ length: 20 }, (_, i) => store.appendMessage(user, other, message(1000 + i))));
    const rows = (box: MailboxRow): MessageRow[] => store.messagesFromUid(box.id, 1);
    const seen: string[] = [];
    for (let step = 0; step < 150; step++) {
      const box = mailbox();
      const roll = next();
      if (roll < 0.3) {
        seen.push('append');
        await Promise.all(Array.from({ length: 1 + Math.floor(next() * 3) }, (_, i) => store.appendMessage(user, box, message(step * 10 + i))));
      } else if (roll < 0.6) {
        seen.push('flags');
        const flags = pick(FLAGS, 0.4);
        store.setFlags(user, box, pick(rows(box), 0.05).map((m) => ({ message: m, flags: Flags.from(flags) })));
      } else if (roll < 0.75) {
        seen.push('expunge');
        store.expunge(user, box, pick(rows(box), 0.01));
      } else if (roll < 0.85) {
        seen.push('copy in');
        await store.copyMessages(user, other, box, pick(rows(other), 0.2));
      } else if (roll < 0.97) {
        seen.push('move out');
        await store.moveMessages(user, box, other, pick(rows(box), 0.01));
      } else {
        seen.push('delete and create');
        store.deleteMailbox(user, box);
        await Promise.all(Array.from({ length: 600 }, (_, i) => store.appendMessage(user, mailbox(), message(i))));
      }
      const summary = store.selectSummary(mailbox().id);
      const expected = fromRows(mailbox());
      expect({ step, uids: summary.uids, modseqs: summary.modseqs, firstUnseen: summary.firstUnseen }).toEqual({ step, ...expected, keywords: undefined });
      // Keywords no message carries any more may stay listed (RFC 3501 FLAGS: the flags defined in the mailbox).
      for (const keyword of expected.keywords) expect(summary.keywords.has(keyword)).toBe(true);
      // A summary is the caller's own: the session changes it as the mailbox changes.
      summary.uids.pop();
      expect(store.selectSummary(mailbox().id).uids).toEqual(expected.uids);
    }
    for (const kind of ['append', 'flags', 'expunge', 'copy in', 'move out', 'delete and create']) expect(seen).toContain(kind);
  });

  it('tells a mailbox made again under the id of a deleted one by its UIDVALIDITY, even with the same counters', async () => {
    const fill = async (box: MailboxRow, seenFrom: number) => {
      await Promise.all(Array.from({ length: 600 }, (_, i) => store.appendMessage(user, box, Buffer.from(`Subject: ${i}\r\n\r\nx\r\n`))));
      store.setFlags(user, box, store.messagesFromUid(box.id, 1).slice(seenFrom, seenFrom + 10).map((m) => ({ message: m, flags: Flags.from(['\\Seen']) })));
    };
    const first = store.createMailbox(user, 'Last');
    await fill(first, 0);
    expect(store.selectSummary(first.id).firstUnseen).toBe(11);
    store.deleteMailbox(user, first);
    const again = store.createMailbox(user, 'Again');
    expect(again.id).toBe(first.id); // SQLite gives the highest id out again
    await fill(again, 590);
    const counters = (box: MailboxRow) => [box.uidnext, box.highest_modseq];
    expect(counters(store.mailboxById(again.id)!)).toEqual([601, 611]);
    expect(store.selectSummary(again.id).firstUnseen).toBe(1);
  });
});

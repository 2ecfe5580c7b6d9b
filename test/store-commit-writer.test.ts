// The one group commit on the database (store/commit-writer.ts): what delivery, the outbound queue
// and the MIME cache rely on, on a real SQLite database in a temp folder.
import fs from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { CommitWriter } from '../server/store/commit-writer.js';
import { openDatabase } from '../server/store/db.js';
import { tempDataDir } from './helpers/engine.js';

const dir = tempDataDir('lanpost-commit-writer-');
const db = openDatabase(dir);
db.exec('CREATE TABLE t (k TEXT PRIMARY KEY)');
const insert = db.prepare<[string]>('INSERT INTO t (k) VALUES (?)');
const has = (k: string) => !!db.prepare('SELECT 1 FROM t WHERE k = ?').get(k);
afterAll(() => {
  db.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('CommitWriter', () => {
  it('commits the writes of one turn together, announcing each after the commit, and resolves with what each returned', async () => {
    const writer = new CommitWriter(db);
    writer.syncExplicitly();
    try {
      const events: string[] = [];
      const write = (k: string, durable: boolean) =>
        writer.write(
          () => {
            events.push(`run ${k}`);
            insert.run(k);
            return k.toUpperCase();
          },
          { durable, committed: (result) => events.push(`committed ${result}`) },
        );
      const results = await Promise.all([write('a', true), write('b', false), write('c', true)]);
      expect(results).toEqual(['A', 'B', 'C']);
      expect(events).toEqual(['run a', 'run b', 'run c', 'committed A', 'committed B', 'committed C']);
      expect(['a', 'b', 'c'].every(has)).toBe(true);
    } finally {
      writer.stop();
    }
  });

  it('does not let a failing write take the others of its batch with it', async () => {
    const writer = new CommitWriter(db);
    insert.run('taken');
    const outcomes = await Promise.allSettled([
      writer.write(() => insert.run('d')),
      writer.write(() => insert.run('taken')), // UNIQUE constraint
      writer.write(() => insert.run('e'), { durable: false }),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(has('d') && has('e')).toBe(true);
  });

  it('waits up to withinMs for company, and commits at once what is flushed', async () => {
    const writer = new CommitWriter(db);
    let ran = false;
    const later = writer.write(
      () => {
        ran = true;
        insert.run('f');
      },
      { withinMs: 60_000, durable: false },
    );
    await new Promise((resolve) => setImmediate(resolve));
    expect(ran).toBe(false);
    // a write of the next turn takes the waiting one along
    await writer.write(() => insert.run('g'));
    expect(ran).toBe(true);
    await later;
    const cached = writer.write(() => insert.run('h'), { durable: false });
    writer.flush();
    expect(has('h')).toBe(true);
    await cached;
  });
});

// The `meta` table: facts about the data folder kept with the index, one text value per key (the
// first start done, the window's setup done, the DNS zone's serial and hash).
import type { Db } from './db.js';

export class Meta {
  private readonly statements;

  constructor(private readonly db: Db) {
    this.statements = {
      get: db.prepare<[string]>('SELECT value FROM meta WHERE key = ?').pluck(),
      set: db.prepare<[string, string]>('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value'),
    };
  }

  get(key: string): string | undefined {
    return this.statements.get.get(key) as string | undefined;
  }

  set(key: string, value: string): void {
    this.statements.set.run(key, value);
  }

  /** Reads and writes made by `change` in one transaction that takes the write lock first (read, then change). */
  update<T>(change: () => T): T {
    return this.db.transaction(change).immediate();
  }
}

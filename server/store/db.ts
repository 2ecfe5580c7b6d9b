// The SQLite database (better-sqlite3, WAL): opening, pragmas, migrations with a copy set aside first.
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { MIGRATIONS, type Migration } from './migrations.js';

export type Db = Database.Database;
export const DATABASE_FILE = 'lanpost.db';

export function openDatabase(dataDir: string, log: (line: string) => void = () => {}, migrations: Migration[] = MIGRATIONS): Db {
  fs.mkdirSync(dataDir, { recursive: true });
  const file = path.join(dataDir, DATABASE_FILE);
  const existed = fs.existsSync(file);
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  // FULL: a commit is on disk when it returns. The engine switches to explicit syncs (CommitWriter).
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  migrate(db, file, existed, log, migrations);
  return db;
}

function migrate(db: Db, file: string, existed: boolean, log: (line: string) => void, migrations: Migration[]): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  const pending = migrations.filter((m) => m.version > current);
  if (!pending.length) return;
  if (existed && current > 0) {
    const backup = `${file}.before-v${pending[0]!.version}-${Date.now()}`;
    db.pragma('wal_checkpoint(TRUNCATE)');
    fs.copyFileSync(file, backup);
    log(`database: copied to ${path.basename(backup)} before migrating from v${current}`);
  }
  for (const migration of pending) {
    log(`database: migrating to v${migration.version} (${migration.description})`);
    db.transaction(() => {
      db.exec(migration.sql);
      db.pragma(`user_version = ${migration.version}`);
    })();
  }
}

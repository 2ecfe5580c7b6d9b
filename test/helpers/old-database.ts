// For tests that turn a database back into what an older version left: what the migrations after
// a version added is taken out again (newest first), so that they run again at the next start as
// they would on an older database. The test undoes the migration it is about and sets user_version.
import type { Db } from '../../server/store/db.js';

/** Per migration, what takes its schema out again (migrations that only drop cached rows need nothing). */
const UNDO: Record<number, string> = {
  7: 'ALTER TABLE users DROP COLUMN bcrypt_hash;',
  8: 'DROP TABLE class_members; DROP TABLE classes;',
  10: 'DROP TRIGGER messages_expunged; DROP TABLE expunged; ALTER TABLE mailboxes DROP COLUMN expunges_known_from;',
  11: `DROP TABLE thread_refs; DROP INDEX messages_email_id; DROP INDEX messages_thread_id;
    ALTER TABLE messages DROP COLUMN email_id; ALTER TABLE messages DROP COLUMN thread_id; ALTER TABLE mailboxes DROP COLUMN object_id;`,
  12: 'DROP TRIGGER messages_removed_emails; DROP TABLE removed_emails;',
};

export function undoMigrationsAfter(db: Db, version: number): void {
  const newestFirst = Object.keys(UNDO).map(Number).sort((a, b) => b - a);
  for (const migration of newestFirst) if (migration > version) db.exec(UNDO[migration]!);
}

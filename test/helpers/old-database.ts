// For tests that turn a database back into what an older version left: what migrations 7, 8 and 9
// added taken out again, so that those migrations run again at the next start as they would on
// an older database. The test undoes the earlier migration it is about and sets user_version.
import type { Db } from '../../server/store/db.js';

export function undoMigrationsAfter6(db: Db): void {
  db.exec(`
    DROP TRIGGER messages_removed_emails; DROP TABLE removed_emails;
    DROP TRIGGER messages_expunged; DROP TABLE expunged; ALTER TABLE mailboxes DROP COLUMN expunges_known_from;
    DROP TABLE thread_refs; DROP INDEX messages_email_id; DROP INDEX messages_thread_id;
    ALTER TABLE messages DROP COLUMN email_id; ALTER TABLE messages DROP COLUMN thread_id; ALTER TABLE mailboxes DROP COLUMN object_id;
  `);
}

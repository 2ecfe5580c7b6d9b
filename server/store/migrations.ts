// Versioned schema changes, applied in order; PRAGMA user_version records the last one applied.
export interface Migration {
  version: number;
  description: string;
  sql: string;
}

export const MIGRATIONS: Migration[] = [
  {
    version: 1,
    description: 'users, aliases, mailboxes, message index, outbound queue',
    sql: `
      CREATE TABLE meta (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
      ) WITHOUT ROWID;
      CREATE TABLE users (
        id INTEGER PRIMARY KEY,
        address TEXT NOT NULL UNIQUE COLLATE NOCASE,
        password_hash TEXT NOT NULL,
        display_name TEXT NOT NULL DEFAULT '',
        quota_bytes INTEGER NOT NULL DEFAULT 0,
        disabled INTEGER NOT NULL DEFAULT 0,
        maildir TEXT NOT NULL,
        created_at INTEGER NOT NULL
      );
      CREATE TABLE aliases (
        address TEXT NOT NULL COLLATE NOCASE,
        target TEXT NOT NULL COLLATE NOCASE,
        PRIMARY KEY (address, target)
      ) WITHOUT ROWID;
      CREATE TABLE mailboxes (
        id INTEGER PRIMARY KEY,
        user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        name TEXT NOT NULL,
        folder TEXT NOT NULL,
        uidvalidity INTEGER NOT NULL,
        uidnext INTEGER NOT NULL DEFAULT 1,
        highest_modseq INTEGER NOT NULL DEFAULT 1,
        subscribed INTEGER NOT NULL DEFAULT 1,
        special_use TEXT,
        UNIQUE (user_id, name)
      );
      CREATE TABLE messages (
        id INTEGER PRIMARY KEY,
        mailbox_id INTEGER NOT NULL REFERENCES mailboxes(id) ON DELETE CASCADE,
        uid INTEGER NOT NULL,
        guid TEXT NOT NULL,
        filename TEXT NOT NULL,
        size INTEGER NOT NULL,
        internal_date INTEGER NOT NULL,
        flags TEXT NOT NULL DEFAULT '',
        modseq INTEGER NOT NULL DEFAULT 1,
        UNIQUE (mailbox_id, uid)
      );
      CREATE INDEX messages_guid ON messages (guid);
      CREATE TABLE queue (
        id TEXT PRIMARY KEY,
        sender TEXT NOT NULL,
        file TEXT NOT NULL,
        size INTEGER NOT NULL,
        created_at INTEGER NOT NULL
      );
      CREATE TABLE queue_recipients (
        queue_id TEXT NOT NULL REFERENCES queue(id) ON DELETE CASCADE,
        recipient TEXT NOT NULL,
        status TEXT NOT NULL DEFAULT 'pending',
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at INTEGER NOT NULL,
        last_response TEXT,
        PRIMARY KEY (queue_id, recipient)
      );
    `,
  },
  {
    version: 2,
    description: 'IMAP: \\Recent bookkeeping, subscriptions, cached MIME structure, MODSEQ index',
    sql: `
      ALTER TABLE mailboxes ADD COLUMN first_recent_uid INTEGER NOT NULL DEFAULT 1;
      CREATE TABLE subscriptions (
        user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        name TEXT NOT NULL,
        PRIMARY KEY (user_id, name)
      ) WITHOUT ROWID;
      INSERT INTO subscriptions (user_id, name) SELECT user_id, name FROM mailboxes WHERE subscribed = 1;
      CREATE TABLE message_mime (
        guid TEXT PRIMARY KEY,
        structure TEXT NOT NULL
      ) WITHOUT ROWID;
      CREATE INDEX messages_modseq ON messages (mailbox_id, modseq);
    `,
  },
  {
    version: 3,
    description: 'outbound delivery: per-recipient attempt details, bounce and delay-warning bookkeeping',
    sql: `
      ALTER TABLE queue_recipients ADD COLUMN last_attempt_at INTEGER;
      ALTER TABLE queue_recipients ADD COLUMN status_code TEXT;
      ALTER TABLE queue_recipients ADD COLUMN remote_host TEXT;
      ALTER TABLE queue_recipients ADD COLUMN finished_at INTEGER;
      ALTER TABLE queue_recipients ADD COLUMN dsn_sent_at INTEGER;
      ALTER TABLE queue_recipients ADD COLUMN warned_at INTEGER;
      CREATE INDEX queue_recipients_due ON queue_recipients (status, next_attempt_at);
    `,
  },
  {
    version: 4,
    description: 'mail traffic per hour for the window (messages in and out)',
    sql: `
      CREATE TABLE traffic (
        hour INTEGER NOT NULL, -- hours since 1970-01-01T00:00Z
        direction TEXT NOT NULL CHECK (direction IN ('in', 'out')),
        messages INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (hour, direction)
      ) WITHOUT ROWID;
    `,
  },
  {
    version: 5,
    description: 'message count, bytes and unseen count per mailbox, kept by triggers (quotas and STATUS without reading every message)',
    sql: `
      ALTER TABLE mailboxes ADD COLUMN message_count INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE mailboxes ADD COLUMN message_bytes INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE mailboxes ADD COLUMN unseen_count INTEGER NOT NULL DEFAULT 0;
      UPDATE mailboxes SET
        message_count = (SELECT COUNT(*) FROM messages WHERE mailbox_id = mailboxes.id),
        message_bytes = (SELECT COALESCE(SUM(size), 0) FROM messages WHERE mailbox_id = mailboxes.id),
        unseen_count = (SELECT COUNT(*) FROM messages WHERE mailbox_id = mailboxes.id AND instr(' ' || lower(flags) || ' ', ' \\seen ') = 0);
      CREATE TRIGGER messages_counted_in AFTER INSERT ON messages BEGIN
        UPDATE mailboxes SET message_count = message_count + 1, message_bytes = message_bytes + NEW.size,
          unseen_count = unseen_count + (instr(' ' || lower(NEW.flags) || ' ', ' \\seen ') = 0)
        WHERE id = NEW.mailbox_id;
      END;
      CREATE TRIGGER messages_counted_out AFTER DELETE ON messages BEGIN
        UPDATE mailboxes SET message_count = message_count - 1, message_bytes = message_bytes - OLD.size,
          unseen_count = unseen_count - (instr(' ' || lower(OLD.flags) || ' ', ' \\seen ') = 0)
        WHERE id = OLD.mailbox_id;
      END;
      CREATE TRIGGER messages_counted_changed AFTER UPDATE OF mailbox_id, size, flags ON messages BEGIN
        UPDATE mailboxes SET message_count = message_count - 1, message_bytes = message_bytes - OLD.size,
          unseen_count = unseen_count - (instr(' ' || lower(OLD.flags) || ' ', ' \\seen ') = 0)
        WHERE id = OLD.mailbox_id;
        UPDATE mailboxes SET message_count = message_count + 1, message_bytes = message_bytes + NEW.size,
          unseen_count = unseen_count + (instr(' ' || lower(NEW.flags) || ' ', ' \\seen ') = 0)
        WHERE id = NEW.mailbox_id;
      END;
    `,
  },
  {
    version: 6,
    description:
      'envelopes and MIME structures parsed again: comments inside <…> were taken as names, source routes were dropped, and boundary lines with spaces after the boundary (RFC 2046 transport padding) were not taken as boundaries',
    // a cache: what is dropped is parsed again by the next FETCH or SEARCH that needs it
    sql: 'DELETE FROM message_mime;',
  },
  {
    version: 7,
    description: "users: the password also as bcrypt, which Dovecot reads (BLF-CRYPT), for lanpost export dovecot; made when a password is set, or at the account's next login",
    sql: 'ALTER TABLE users ADD COLUMN bcrypt_hash TEXT;',
  },
  {
    version: 8,
    description: 'classes: a teacher\'s student accounts, made, reset and deleted together',
    // IF NOT EXISTS: runs again harmlessly on a database whose user_version was set back
    sql: `
      CREATE TABLE IF NOT EXISTS classes (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE COLLATE NOCASE,
        created_at INTEGER NOT NULL
      );
      CREATE TABLE IF NOT EXISTS class_members (
        class_id INTEGER NOT NULL REFERENCES classes(id) ON DELETE CASCADE,
        user_id INTEGER NOT NULL UNIQUE REFERENCES users(id) ON DELETE CASCADE,
        PRIMARY KEY (class_id, user_id)
      ) WITHOUT ROWID;
    `,
  },
  {
    version: 9,
    description: 'envelopes parsed again where a comment alone in an address group was taken for a member without a domain',
    // a cache: only the entries that may hold such a member are dropped (MISSING_DOMAIN marks them)
    sql: "DELETE FROM message_mime WHERE structure LIKE '%MISSING_DOMAIN%';",
  },
];

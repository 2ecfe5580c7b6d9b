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
    sql: `
      CREATE TABLE classes (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE COLLATE NOCASE,
        created_at INTEGER NOT NULL
      );
      CREATE TABLE class_members (
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
  {
    version: 10,
    description: 'IMAP QRESYNC: expunged UIDs remembered with the MODSEQ of their removal',
    // Every removal of a message row (EXPUNGE, MOVE, a file gone at reconcile) takes a new MODSEQ
    // of its mailbox and is remembered with it (RFC 7162 §3.2.5: VANISHED (EARLIER)). Removals
    // before this version were not remembered: expunges_known_from says from which MODSEQ on they are.
    sql: `
      ALTER TABLE mailboxes ADD COLUMN expunges_known_from INTEGER NOT NULL DEFAULT 0;
      UPDATE mailboxes SET expunges_known_from = highest_modseq;
      CREATE TABLE expunged (
        mailbox_id INTEGER NOT NULL REFERENCES mailboxes(id) ON DELETE CASCADE,
        uid INTEGER NOT NULL,
        modseq INTEGER NOT NULL,
        PRIMARY KEY (mailbox_id, uid)
      ) WITHOUT ROWID;
      CREATE INDEX expunged_modseq ON expunged (mailbox_id, modseq);
      CREATE TRIGGER messages_expunged AFTER DELETE ON messages BEGIN
        UPDATE mailboxes SET highest_modseq = highest_modseq + 1 WHERE id = OLD.mailbox_id;
        INSERT OR REPLACE INTO expunged (mailbox_id, uid, modseq) SELECT id, OLD.uid, highest_modseq FROM mailboxes WHERE id = OLD.mailbox_id;
      END;
    `,
  },
  {
    version: 11,
    description: 'object ids (RFC 8474, and JMAP): MAILBOXID, EMAILID, THREADID, and the Message-IDs that put messages in threads',
    // The same shape as object-ids.ts makes. Messages stored before this version each start a thread of their own.
    sql: `
      ALTER TABLE mailboxes ADD COLUMN object_id TEXT NOT NULL DEFAULT '';
      UPDATE mailboxes SET object_id = 'F' || lower(hex(randomblob(12)));
      ALTER TABLE messages ADD COLUMN email_id TEXT NOT NULL DEFAULT '';
      ALTER TABLE messages ADD COLUMN thread_id TEXT NOT NULL DEFAULT '';
      UPDATE messages SET email_id = 'M' || lower(hex(randomblob(12))), thread_id = 'T' || lower(hex(randomblob(12)));
      CREATE INDEX messages_email_id ON messages (email_id);
      CREATE INDEX messages_thread_id ON messages (thread_id);
      CREATE TABLE thread_refs (
        user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        message_id TEXT NOT NULL,
        thread_id TEXT NOT NULL,
        PRIMARY KEY (user_id, message_id)
      ) WITHOUT ROWID;
    `,
  },
  {
    version: 12,
    description: 'JMAP: the email and thread ids of removed messages, for Email/changes and Thread/changes',
    // Joined with expunged (migration 10) on (mailbox_id, uid) for the MODSEQ of the removal; removals
    // before this version have no row here, and /changes from before them says cannotCalculateChanges.
    sql: `
      CREATE TABLE removed_emails (
        mailbox_id INTEGER NOT NULL REFERENCES mailboxes(id) ON DELETE CASCADE,
        uid INTEGER NOT NULL,
        email_id TEXT NOT NULL,
        thread_id TEXT NOT NULL,
        PRIMARY KEY (mailbox_id, uid)
      ) WITHOUT ROWID;
      CREATE TRIGGER messages_removed_emails AFTER DELETE ON messages BEGIN
        INSERT OR REPLACE INTO removed_emails (mailbox_id, uid, email_id, thread_id)
          SELECT OLD.mailbox_id, OLD.uid, OLD.email_id, OLD.thread_id WHERE EXISTS (SELECT 1 FROM mailboxes WHERE id = OLD.mailbox_id);
      END;
    `,
  },
];

// The outbound queue: mail accepted for other domains waits here (message file + one row per
// recipient) until outbound delivery sends, retries or bounces it. Durable like local delivery.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Db } from '../store/db.js';
import { directorySync } from '../store/maildir.js';

export interface QueueEntry {
  id: string;
  sender: string;
  file: string;
  size: number;
  created_at: number;
  recipients: Array<{ recipient: string; status: string; attempts: number; next_attempt_at: number; last_response: string | null }>;
}

export class OutboundQueue {
  private readonly dir: string;

  constructor(
    private readonly db: Db,
    dataDir: string,
  ) {
    this.dir = path.join(dataDir, 'queue');
    fs.mkdirSync(path.join(this.dir, 'tmp'), { recursive: true, mode: 0o700 });
  }

  /** Stores the message and its recipients; resolves once both are on disk. */
  async enqueue(sender: string, recipients: string[], content: Buffer): Promise<string> {
    const id = `${Date.now().toString(36)}${crypto.randomBytes(5).toString('hex')}`.toUpperCase();
    const temp = path.join(this.dir, 'tmp', id);
    const file = path.join(this.dir, `${id}.eml`);
    const handle = await fs.promises.open(temp, 'wx', 0o600);
    try {
      await handle.writeFile(content);
      await handle.datasync();
    } finally {
      await handle.close();
    }
    await fs.promises.rename(temp, file);
    await directorySync.sync(this.dir);
    const now = Date.now();
    this.db.transaction(() => {
      this.db.prepare('INSERT INTO queue (id, sender, file, size, created_at) VALUES (?, ?, ?, ?, ?)').run(id, sender, `${id}.eml`, content.length, now);
      const insert = this.db.prepare('INSERT INTO queue_recipients (queue_id, recipient, next_attempt_at) VALUES (?, ?, ?)');
      for (const recipient of new Set(recipients)) insert.run(id, recipient, now);
    })();
    return id;
  }

  list(): QueueEntry[] {
    const entries = this.db.prepare('SELECT * FROM queue ORDER BY created_at').all() as Omit<QueueEntry, 'recipients'>[];
    const recipients = this.db.prepare(
      'SELECT recipient, status, attempts, next_attempt_at, last_response FROM queue_recipients WHERE queue_id = ? ORDER BY recipient',
    );
    return entries.map((entry) => ({ ...entry, recipients: recipients.all(entry.id) as QueueEntry['recipients'] }));
  }

  messagePath(entry: Pick<QueueEntry, 'file'>): string {
    return path.join(this.dir, entry.file);
  }
}

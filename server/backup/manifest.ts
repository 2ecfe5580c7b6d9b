// The manifest, the last entry of a backup archive: what the archive holds (counts) and the
// sha256 of every other entry, so that restore can tell a whole archive from a cut or damaged one.
import { z } from 'zod/v3';

export const MANIFEST_NAME = 'lanpost-backup.json';
export const DATABASE_ENTRY = 'lanpost.db';

const count = z.number().int().min(0);

export const manifestSchema = z.strictObject({
  format: z.literal('lanpost-backup'),
  version: z.literal(1),
  createdAt: z.string(),
  /** The LanPost version that wrote it. */
  lanpost: z.string(),
  /** The database's schema version (PRAGMA user_version): a newer LanPost migrates it at its first start. */
  schemaVersion: count,
  counts: z.strictObject({
    users: count,
    mailboxes: count,
    messages: count,
    queueEntries: count,
    /** Entries before the manifest, and the bytes of their contents. */
    files: count,
    bytes: count,
  }),
  /** Entry name → sha256 (hex) of its content. */
  files: z.record(z.string(), z.string().regex(/^[0-9a-f]{64}$/)),
});

export type Manifest = z.infer<typeof manifestSchema>;
export type BackupCounts = Manifest['counts'];

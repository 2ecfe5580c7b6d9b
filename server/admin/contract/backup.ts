// Backup: the last backup (when, how big, its result or why it failed), the schedule, and
// "back up now" (it runs in the engine; the page asks again until it is done).
import type { LastBackup } from '../../backup/backup.js';
import { z, type RoutePattern, type RouteSpec } from './common.js';

const lastBackup = z.strictObject({
  at: z.string(),
  ok: z.boolean(),
  file: z.string(),
  bytes: z.number(),
  messages: z.number(),
  seconds: z.number(),
  error: z.string().optional(),
}) satisfies z.ZodType<LastBackup>;

export const backupContract = {
  'GET /api/backup': {
    response: z.strictObject({
      running: z.boolean(),
      /** Where backups go (settings.backup.folder, or backups/ in the data folder). */
      folder: z.string(),
      /** The next scheduled backup (ms since 1970), null when none is scheduled. */
      nextAt: z.number().nullable(),
      last: lastBackup.nullable(),
      /** For the restore instructions. */
      dataDir: z.string(),
    }),
  },
  'POST /api/backup': { response: z.strictObject({ running: z.literal(true) }) },
} satisfies Record<RoutePattern, RouteSpec>;

// Backup: what the last one did, and "back up now" (answered at once; the backup runs on in the
// engine and its outcome shows in GET /api/backup and the log).
import type { Handlers } from '../router.js';

export const backupRoutes = {
  'GET /api/backup': ({ state }) => ({ ...state.context.backups.status(), dataDir: state.context.dataDir }),
  'POST /api/backup': ({ state }) => {
    // the outcome is recorded and logged by the scheduler
    state.context.backups.runNow().catch(() => {});
    return { running: true as const };
  },
} satisfies Partial<Handlers>;

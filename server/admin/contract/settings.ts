// Settings: read them, and change some keys (each value validated by the settings' own rules).
import { settingsSchema } from '../../settings/schema.js';
import { serviceStatus, z, type RoutePattern, type RouteSpec } from './common.js';

export const settingsChange = z.object({
  /** A dotted key as in `lanpost settings set KEY VALUE`, e.g. services.smtp.port. */
  key: z.string(),
  value: z.unknown(),
});

export const settingsContract = {
  'GET /api/settings': { response: z.strictObject({ settings: settingsSchema }) },
  'PATCH /api/settings': {
    body: z.object({ changes: z.array(settingsChange).min(1, 'must list at least one {"key": "...", "value": ...}') }),
    response: z.strictObject({ settings: settingsSchema, services: z.array(serviceStatus) }),
  },
} satisfies Record<RoutePattern, RouteSpec>;

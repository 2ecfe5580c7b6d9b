// Overview: every service's state, the LAN addresses, counts, the traffic chart; start/stop.
import { SERVICE_NAMES } from '../../settings/schema.js';
import { diskStatus, lanAddress, serviceStatus, trafficHour, z, type RoutePattern, type RouteSpec } from './common.js';

export const status = z.strictObject({
  hostname: z.string(),
  domain: z.string(),
  lanAddresses: z.array(z.string()),
  services: z.array(serviceStatus),
  users: z.number(),
  /** Free space for the data folder; while `low`, new mail is refused. */
  disk: diskStatus,
});

const overview = status.extend({
  lan: z.array(lanAddress),
  counts: z.strictObject({
    users: z.number(),
    aliases: z.number(),
    /** Messages accepted since midnight (this computer's time). */
    messagesToday: z.number(),
    /** Queue entries waiting for delivery to other servers. */
    queue: z.number(),
  }),
  /** The last 24 hours, oldest first (24 entries). */
  traffic: z.array(trafficHour),
  setupDone: z.boolean(),
});

/** A path naming no service answers 404 with this sentence. */
const service = z.object({
  name: z.enum(SERVICE_NAMES, { errorMap: (_issue, ctx) => ({ message: `no such service: ${ctx.data} (services: ${SERVICE_NAMES.join(', ')})` }) }),
});

export const overviewContract = {
  'GET /api/status': { response: status },
  'GET /api/overview': { response: overview },
  'POST /api/services/:name/start': { params: service, response: z.strictObject({ status: serviceStatus }) },
  'POST /api/services/:name/stop': { params: service, response: z.strictObject({ status: serviceStatus }) },
} satisfies Record<RoutePattern, RouteSpec>;

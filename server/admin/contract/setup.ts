// The first-run wizard: domain, host name, the address to serve on, the admin password; then
// the summary of what clients should use. Also shows the first-start password, once.
import { clientSetup, lanAddress, z, type RoutePattern, type RouteSpec } from './common.js';

const setupState = z.strictObject({
  setupDone: z.boolean(),
  /** The admin mailbox made at the very first start and its password, until the window has shown it. */
  firstStart: z.strictObject({ address: z.string(), password: z.string() }).nullable(),
  domain: z.string(),
  hostname: z.string(),
  /** The address the mail services listen on now (0.0.0.0: all). */
  address: z.string(),
  lan: z.array(lanAddress),
});

export const setupContract = {
  'GET /api/setup': { response: setupState },
  'POST /api/setup/first-start-seen': { response: setupState },
  'POST /api/setup/skip': { response: setupState },
  'POST /api/setup': {
    body: z.object({
      domain: z.string(),
      hostname: z.string(),
      /** 0.0.0.0 (all addresses), 127.0.0.1 (this computer only) or one LAN address. */
      address: z.string(),
      /** Empty: keep the admin password as it is. */
      adminPassword: z.string().default(''),
    }),
    response: z.strictObject({ adminAddress: z.string(), clientSetup }),
  },
} satisfies Record<RoutePattern, RouteSpec>;

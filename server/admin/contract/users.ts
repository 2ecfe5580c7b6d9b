// Users and aliases (distribution lists), each user's client settings card, Apple profile and
// onboarding check.
import { addressAnswer, clientSetup, quotaBytes, z, type RoutePattern, type RouteSpec } from './common.js';

const userInfo = z.strictObject({
  address: z.string(),
  displayName: z.string(),
  quotaBytes: z.number(),
  usedBytes: z.number(),
  messages: z.number(),
  disabled: z.boolean(),
  createdAt: z.number(),
});

const aliasInfo = z.strictObject({ address: z.string(), targets: z.array(z.string()) });

const user = z.object({ address: z.string() });

/** One onboarding URL, asked live on the engine's own ports (server/web/onboarding/check.ts). */
const onboardingCheck = z.strictObject({
  kind: z.enum(['autoconfig', 'autodiscover', 'landing', 'profile', 'ca']),
  name: z.string(),
  url: z.string(),
  ok: z.boolean(),
  detail: z.string(),
});

export const usersContract = {
  'GET /api/users': {
    response: z.strictObject({ users: z.array(userInfo), domain: z.string(), localDomains: z.array(z.string()), defaultQuotaBytes: z.number() }),
  },
  'POST /api/users': {
    body: z.object({ address: z.string(), password: z.string(), displayName: z.string().default(''), quotaBytes }),
    status: 201,
    response: addressAnswer,
  },
  'PATCH /api/users/:address': {
    params: user,
    body: z.object({ displayName: z.string().optional(), quotaBytes, disabled: z.boolean().optional() }),
    response: addressAnswer,
  },
  'POST /api/users/:address/password': { params: user, body: z.object({ password: z.string() }), response: addressAnswer },
  'DELETE /api/users/:address': { params: user, response: z.strictObject({ keptMailIn: z.string() }) },
  'GET /api/users/:address/client-setup': { params: user, response: clientSetup },
  /** The user's Apple configuration profile (mail account and the LanPost CA), without a password. */
  'GET /api/users/:address/mobileconfig': { params: user, download: true },
  /** Does each URL that sets up a device for this user answer? The same check as `lanpost doctor`. */
  'GET /api/users/:address/onboarding-check': { params: user, response: z.strictObject({ checks: z.array(onboardingCheck) }) },
  /** For any user: the user name is left empty (the window says "the full address"). */
  'GET /api/client-setup': { response: clientSetup },
  'GET /api/aliases': { response: z.strictObject({ aliases: z.array(aliasInfo) }) },
  'POST /api/aliases': { body: z.object({ address: z.string(), targets: z.array(z.string()) }), status: 201, response: addressAnswer },
  /** The whole alias, or with ?target= one target of it. */
  'DELETE /api/aliases/:address': { params: user, query: z.object({ target: z.string().optional() }), response: z.strictObject({ removed: z.number() }) },
} satisfies Record<RoutePattern, RouteSpec>;

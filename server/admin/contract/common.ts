// Pieces the admin contract's pages share: the route entry's shape, refusals, and the schemas of
// engine values the API passes on as they are (service states, log and transcript lines, …).
// The engine declares those types itself; `satisfies` keeps each schema in step with its type.
import { z } from 'zod/v3';
import type { SettingsProblem } from '../../settings/schema.js';
import { SERVICE_NAMES, settingsSchema } from '../../settings/schema.js';
import type { LogEntry } from '../../log.js';
import type { TranscriptLine } from '../../inspector/bus.js';
import type { LanAddress } from '../../net/interfaces.js';
import type { ServiceState, ServiceStatus } from '../../net/listener.js';
import type { DiskStatus } from '../../store/disk-space.js';
import type { CertificateSummary } from '../../tls/certificates.js';

export { z };

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/**
 * One route: what its path parameters, query and JSON body must be, and what it answers — JSON
 * (`response`, with `status` when it is not 200) or a file (`download`). Bodies and queries are
 * plain objects whose unknown keys are dropped; answers are strict, so tests catch any key the
 * contract does not name.
 */
export type RouteSpec =
  | { params?: z.ZodTypeAny; query?: z.ZodTypeAny; body?: z.ZodTypeAny; response: z.ZodTypeAny; status?: 201; download?: never }
  | { params?: z.ZodTypeAny; query?: z.ZodTypeAny; download: true; response?: never; body?: never };

/** `'METHOD /api/path/:param'` */
export type RoutePattern = `${Method} /api/${string}`;

// ── refusals ────────────────────────────────────────────────────────────────

export const problem = z.strictObject({ field: z.string(), reason: z.string() }) satisfies z.ZodType<SettingsProblem>;

/** Every refusal: 4xx/5xx with a sentence, and for a bad value the field(s) and why. */
export const apiError = z.strictObject({ error: z.string(), problems: z.array(problem).optional() });

// ── engine values ───────────────────────────────────────────────────────────

export const serviceName = z.enum(SERVICE_NAMES);

export const serviceState = z.enum(['listening', 'blocked', 'in-use', 'error', 'stopped', 'disabled']) satisfies z.ZodType<ServiceState>;

export const serviceStatus = z.strictObject({
  name: serviceName,
  address: z.string(),
  port: z.number(),
  state: serviceState,
  detail: z.string(),
  fix: z.string().optional(),
}) satisfies z.ZodType<ServiceStatus>;

export const diskStatus = z.strictObject({ freeBytes: z.number().nullable(), floorBytes: z.number(), low: z.boolean() }) satisfies z.ZodType<DiskStatus>;

export const lanAddress = z.strictObject({
  interface: z.string(),
  address: z.string(),
  family: z.enum(['IPv4', 'IPv6']),
  subnet: z.string(),
}) satisfies z.ZodType<LanAddress>;

export const logEntry = z.strictObject({
  time: z.number(),
  level: z.enum(['info', 'warn', 'error']),
  source: z.string(),
  message: z.string(),
  session: z.string().optional(),
  client: z.string().optional(),
  user: z.string().optional(),
}) satisfies z.ZodType<LogEntry>;

export const transcriptLine = z.strictObject({
  id: z.number(),
  time: z.number(),
  service: z.union([serviceName, z.enum(['admin', 'outbound'])]),
  session: z.string(),
  client: z.string(),
  direction: z.enum(['C', 'S', '*']),
  text: z.string(),
}) satisfies z.ZodType<TranscriptLine>;

export const certificateSummary = z.strictObject({
  subject: z.string(),
  issuer: z.string(),
  dnsNames: z.array(z.string()),
  ipAddresses: z.array(z.string()),
  notBefore: z.string(),
  notAfter: z.string(),
  fingerprintSha256: z.string(),
  imported: z.boolean(),
}) satisfies z.ZodType<CertificateSummary>;

/** Messages in (accepted by LanPost) and out (handed to other servers) in one hour. */
export const trafficHour = z.strictObject({
  /** Start of the hour, ms since the epoch. */
  hour: z.number(),
  in: z.number(),
  out: z.number(),
});

// ── client setup (the wizard's summary and each user's card) ────────────────

export const tlsMode = z.enum(['ssl', 'starttls', 'none']);

export const clientServer = z.strictObject({
  kind: z.enum(['imap', 'pop3', 'smtp']),
  service: serviceName,
  host: z.string(),
  port: z.number(),
  tls: tlsMode,
  /** Listening now? A stopped or blocked service is listed but marked. */
  state: serviceState,
  recommended: z.boolean(),
});

export const clientSetup = z.strictObject({
  /** The user's full address; empty on the card for any user. */
  username: z.string(),
  domain: z.string(),
  hostname: z.string(),
  /** An address clients can use when the host name does not resolve (no LanPost DNS on the LAN). */
  address: z.string().nullable(),
  incoming: z.array(clientServer),
  outgoing: z.array(clientServer),
  /** Password login without TLS is allowed only from trusted networks (or never / always). */
  plaintextLogin: settingsSchema.shape.plaintextLogin,
  /** The LAN landing page that sets a device up (add ?address=… to fill the address in); null while the LAN web service does not listen. */
  landingPage: z.string().nullable(),
});

/** Bytes, 0 for none; null is the same as leaving it out. */
export const quotaBytes = z
  .number()
  .int('must be a whole number of bytes, 0 for none')
  .min(0, 'must be a whole number of bytes, 0 for none')
  .nullish()
  .transform((value) => value ?? undefined);

/** `{ address }`: what was made or changed, the address normalized. */
export const addressAnswer = z.strictObject({ address: z.string() });

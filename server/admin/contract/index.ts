// The admin API's one contract: every route `'METHOD /api/path/:param'` with zod schemas for its
// path parameters, query, JSON body and answer. The router parses each request with them before
// the handler runs (and names the failing field); handlers return the answer's type; tests check
// every answer against it; the window imports the types only (`import type`), never zod.
import type { z } from 'zod/v3';
import { backupContract } from './backup.js';
import { classicContract } from './classic.js';
import { certificatesContract } from './certificates.js';
import { classesContract } from './classes.js';
import type { apiError, clientServer, clientSetup, problem, RouteSpec, tlsMode, trafficHour } from './common.js';
import { dnsContract } from './dns.js';
import { firewallContract, type firewallCommands, type firewallKind } from './firewall.js';
import { liveContract, type liveEvent } from './live.js';
import { overviewContract } from './overview.js';
import { pathsContract } from './paths.js';
import { queueContract } from './queue.js';
import { settingsContract, type settingsChange } from './settings.js';
import { setupContract } from './setup.js';
import { usersContract } from './users.js';

export const contract = {
  ...overviewContract,
  ...setupContract,
  ...settingsContract,
  ...usersContract,
  ...certificatesContract,
  ...firewallContract,
  ...liveContract,
  ...queueContract,
  ...dnsContract,
  ...backupContract,
  ...pathsContract,
  ...classesContract,
  ...classicContract,
};

export type Contract = typeof contract;
export type RouteKey = keyof Contract;
/** Routes that answer JSON; the others answer a file. */
export type JsonRoute = { [K in RouteKey]: Contract[K] extends { response: z.ZodTypeAny } ? K : never }[RouteKey];
export type DownloadRoute = Exclude<RouteKey, JsonRoute>;
export type GetRoute = Extract<JsonRoute, `GET ${string}`>;

type Part = 'params' | 'query' | 'body';
type Has<K extends RouteKey, P extends Part> = P extends Part ? (Contract[K] extends { [_ in P]: z.ZodTypeAny } ? P : never) : never;
type Schema<K extends RouteKey, P extends Part | 'response'> = Contract[K] extends { [_ in P]: infer S extends z.ZodTypeAny } ? S : never;

/** What a client sends: the path parameters and the body where the route has them; the query is optional. */
export type RequestOf<K extends RouteKey> = { [P in Has<K, 'params' | 'body'>]: z.input<Schema<K, P>> } & { [P in Has<K, 'query'>]?: z.input<Schema<K, P>> };
/** What a handler gets: the same, parsed. */
export type ParsedRequestOf<K extends RouteKey> = { [P in Has<K, Part>]: z.output<Schema<K, P>> };
/** The JSON answer of a route. */
export type ResponseOf<K extends JsonRoute> = z.output<Schema<K, 'response'>>;

// ── the types of the answers, by name ───────────────────────────────────────

export type ApiErrorBody = z.infer<typeof apiError>;
export type Problem = z.infer<typeof problem>;
export type LiveEvent = z.infer<typeof liveEvent>;
export type TrafficHour = z.infer<typeof trafficHour>;
export type TlsMode = z.infer<typeof tlsMode>;
export type ClientServer = z.infer<typeof clientServer>;
export type ClientSetup = z.infer<typeof clientSetup>;
export type FirewallKind = z.infer<typeof firewallKind>;
export type FirewallCommands = z.infer<typeof firewallCommands>;
export type SettingsChange = z.infer<typeof settingsChange>;
export type StatusResponse = ResponseOf<'GET /api/status'>;
export type OverviewResponse = ResponseOf<'GET /api/overview'>;
export type SetupStateResponse = ResponseOf<'GET /api/setup'>;
export type SetupResponse = ResponseOf<'POST /api/setup'>;
export type SettingsResponse = ResponseOf<'GET /api/settings'>;
export type UsersResponse = ResponseOf<'GET /api/users'>;
export type UserInfo = UsersResponse['users'][number];
export type AliasesResponse = ResponseOf<'GET /api/aliases'>;
export type CertificateResponse = ResponseOf<'GET /api/certificate'>;
export type CsrResponse = ResponseOf<'POST /api/certificate/request'>;
export type FirewallResponse = ResponseOf<'GET /api/firewall'>;
export type FirewallPort = FirewallResponse['ports'][number];
export type QueueResponse = ResponseOf<'GET /api/queue'>;
export type QueueEntryInfo = QueueResponse['entries'][number];
export type DnsZoneResponse = ResponseOf<'GET /api/dns/zone'>;
export type BackupResponse = ResponseOf<'GET /api/backup'>;
export type ClassicConfigResponse = ResponseOf<'GET /api/classic-config'>;
export type PathsResponse = ResponseOf<'GET /api/paths'>;
export type PathSummary = PathsResponse['paths'][number];
export type ClassesResponse = ResponseOf<'GET /api/classes'>;
export type ClassInfo = ClassesResponse['classes'][number];
export type IssuedResponse = ResponseOf<'POST /api/classes'>;
export type MailboxMessagesResponse = ResponseOf<'GET /api/users/:address/messages'>;

export type { RouteSpec };
export type { CertificateSummary } from '../../tls/certificates.js';
export type { DiskStatus } from '../../store/disk-space.js';
export type { ExtraRecord } from '../../dns/settings.js';
export type { LogEntry } from '../../log.js';
export type { ServiceName, Settings } from '../../settings/schema.js';
export type { ServiceState, ServiceStatus } from '../../net/listener.js';
export type { TranscriptLine } from '../../inspector/bus.js';
export type { MessagePath, PathStep, PathStepKind, PathFactKey } from '../../inspector/message-path-types.js';
export { EVENTS_PATH, WS_PROTOCOL, WS_TOKEN_PREFIX, liveEvent } from './live.js';
export { apiError } from './common.js';

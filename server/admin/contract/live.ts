// Live: the recent log and transcript lines, and the events of the one WebSocket that brings
// the new ones (with service states, new mail, queue changes, traffic and the disk).
import type { MailboxChange } from '../../store/mailstore.js';
import { diskStatus, logEntry, serviceStatus, trafficHour, transcriptLine, z, type RoutePattern, type RouteSpec } from './common.js';

export const EVENTS_PATH = '/api/events';
/** The client offers two subprotocols: this one and `token.<token>` (a browser cannot set an Authorization header on a WebSocket). */
export const WS_PROTOCOL = 'lanpost.v1';
export const WS_TOKEN_PREFIX = 'token.';

export const liveContract = {
  'GET /api/logs': { response: z.strictObject({ entries: z.array(logEntry) }) },
  'GET /api/inspector': { response: z.strictObject({ lines: z.array(transcriptLine) }) },
} satisfies Record<RoutePattern, RouteSpec>;

const event = <T extends string, S extends z.ZodRawShape>(type: T, shape: S) => z.strictObject({ type: z.literal(type), ...shape });

export const liveEvent = z.discriminatedUnion('type', [
  event('hello', { services: z.array(serviceStatus) }),
  event('service', { status: serviceStatus }),
  event('log', { entry: logEntry }),
  event('inspector', { line: transcriptLine }),
  event('mail', {
    mail: z.strictObject({
      user: z.string(),
      mailbox: z.string(),
      kind: z.enum(['exists', 'expunge', 'flags']) satisfies z.ZodType<MailboxChange['kind']>,
      count: z.number(),
    }),
  }),
  event('queue', { change: z.strictObject({ kind: z.string(), id: z.string() }) }),
  event('settings', {}),
  event('traffic', { hour: trafficHour }),
  /** Free space went below the floor (new mail refused) or back above it. */
  event('disk', { disk: diskStatus }),
  /** A message's path was made (`created`) or got a step: the Message path page follows it. */
  event('path', { id: z.string(), created: z.boolean() }),
]);

// The one settings object: its shape, its rules and the messages a bad value gets.
// The CLI, the engine and the admin API all validate through `validateSettings`.
import net from 'node:net';
import path from 'node:path';
import { z } from 'zod/v3';
import { dnsSettingsProblems, dnsSettingsSchema } from '../dns/settings.js';

export const SERVICE_NAMES = ['smtp', 'submission', 'smtps', 'pop3', 'pop3s', 'imap', 'imaps', 'dns', 'http', 'https'] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];

export const STANDARD_PORTS: Record<ServiceName, number> = {
  smtp: 25,
  submission: 587,
  smtps: 465,
  pop3: 110,
  pop3s: 995,
  imap: 143,
  imaps: 993,
  dns: 53,
  http: 80,
  https: 443,
};

const hostnameRule = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/i;
const domainName = z
  .string()
  .regex(hostnameRule, 'must be a DNS name such as example.lan (letters, digits, hyphens, dots)')
  .transform((s) => s.toLowerCase());

/** `all` listens on every IPv4 and IPv6 address; otherwise one IP address of this machine. */
const listenAddress = z
  .string()
  .refine((s) => s === 'auto' || net.isIP(s) !== 0, 'must be an IP address such as 0.0.0.0, 127.0.0.1 or 192.168.1.20');

const port = z
  .number({ invalid_type_error: 'must be a number' })
  .int('must be a whole number')
  .min(0, 'must be from 0 to 65535 (0 picks a free port)')
  .max(65535, 'must be from 0 to 65535 (0 picks a free port)');

export const cidr = z.string().refine(isCidr, 'must be a network in CIDR form such as 192.168.1.0/24 or ::1/128');

export function isCidr(value: string): boolean {
  const [address, prefix, ...rest] = value.split('/');
  if (rest.length || prefix === undefined || !/^\d{1,3}$/.test(prefix)) return false;
  const family = net.isIP(address ?? '');
  return family !== 0 && Number(prefix) <= (family === 4 ? 32 : 128);
}

const serviceSchema = z.strictObject({
  enabled: z.boolean({ invalid_type_error: 'must be true or false' }),
  address: listenAddress,
  port,
});

const seconds = (min: number) => z.number({ invalid_type_error: 'must be a number of seconds' }).int().min(min, `must be at least ${min} seconds`);
const count = (min: number, what: string) => z.number({ invalid_type_error: `must be a number of ${what}` }).int().min(min, `must be at least ${min}`);

export const settingsSchema = z.strictObject({
  /** Postfix myhostname: the name in greetings, Received headers and the certificate. */
  hostname: domainName,
  /** Postfix mydomain: the mail domain; users are user@domain. */
  domain: domainName,
  /** Postfix myorigin: appended to a bare user name such as `admin`. */
  origin: domainName,
  /** Postfix mydestination: domains whose mail is delivered here. */
  localDomains: z.array(domainName).min(1, 'must list at least the mail domain'),
  services: z.strictObject(
    Object.fromEntries(SERVICE_NAMES.map((name) => [name, serviceSchema])) as Record<ServiceName, typeof serviceSchema>,
  ),
  /** The admin API always binds 127.0.0.1; 0 picks a free port at every start. */
  adminPort: port,
  /** Clients from these networks may log in without TLS (when the policy says so) and, if enabled, relay. */
  trustedNetworks: z.array(cidr),
  /** Dovecot disable_plaintext_auth: where USER/PASS, LOGIN and AUTH PLAIN are allowed without TLS. */
  plaintextLogin: z.enum(['trusted-networks', 'always', 'never'], {
    errorMap: () => ({ message: 'must be trusted-networks, always or never' }),
  }),
  relay: z.strictObject({
    /** Postfix permit_mynetworks: let trusted networks relay without logging in. Authenticated users always may. */
    fromTrustedNetworks: z.boolean({ invalid_type_error: 'must be true or false' }),
  }),
  /** The built-in DNS responder's zone and forwarding (server/dns/settings.ts). */
  dns: dnsSettingsSchema,
  limits: z.strictObject({
    messageSizeBytes: count(1024, 'bytes'),
    recipientsPerMessage: count(1, 'recipients'),
    /** Open connections of one client address on SMTP, POP3, IMAP and the LAN web service together, all ports (server/net/admission.ts). */
    connectionsPerClient: count(1, 'connections'),
    /** Open connections of the engine on SMTP, POP3, IMAP and the LAN web service together. */
    connectionsTotal: count(1, 'connections'),
    commandTimeoutSeconds: seconds(10),
    /** IMAP and POP3 idle timeout; RFC 3501 §5.4 asks for at least 30 minutes for IMAP. */
    idleTimeoutSeconds: seconds(60),
    /** SMTP and POP3: the longest command line. */
    lineLengthBytes: count(512, 'bytes'),
    /** IMAP: the longest command line, literals not counted (long UID sets, ID, SEARCH); Dovecot's imap_max_line_length. */
    imapLineLengthBytes: count(1024, 'bytes'),
    /** IMAP and POP3: the bad command that makes this many closes the session. */
    badCommandsPerSession: count(1, 'commands'),
    /** Postfix queue_minfree: with less free space than this on the data folder's disk, new mail is refused (452 4.3.1). */
    minFreeDiskBytes: count(0, 'bytes'),
    /** SMTP errors in a session (refused RCPT or MAIL, unknown commands…) before each reply waits `smtpErrorSleepSeconds` (Postfix smtpd_soft_error_limit). */
    smtpSoftErrorLimit: count(1, 'errors'),
    /** SMTP errors in a session before the next command gets 421 and the connection closes (Postfix smtpd_hard_error_limit). */
    smtpHardErrorLimit: count(1, 'errors'),
    /** Postfix smtpd_error_sleep_time; 0: no delay. */
    smtpErrorSleepSeconds: seconds(0),
    /** The LAN web service (http, https): the largest request body; a larger one gets 413. */
    webBodyBytes: count(1024, 'bytes'),
    /** The LAN web service: the request line and header fields together; larger ones get 431. */
    webHeaderBytes: count(1024, 'bytes'),
    /** The LAN web service: time to receive a whole request (and, over HTTPS, the TLS handshake); then 408. */
    webRequestTimeoutSeconds: seconds(1),
    /** The recent messages whose whole path (DNS, SMTP, delivery, IDLE, FETCH/RETR, outbound) the window can show, kept in memory. */
    messagePathsKept: count(1, 'messages'),
    /** Accounts one class may have (`lanpost class create|import`, the Classroom page). */
    accountsPerClass: count(1, 'accounts'),
    /**
     * Memory for the ENVELOPE and MIME structures IMAP FETCH, SEARCH and SORT keep at hand, all
     * sessions together (server/imap/mime/cache.ts); the database holds every one, and what does
     * not fit in memory is read from there.
     */
    mimeCacheBytes: count(0, 'bytes'),
    /** JMAP (RFC 8620 §2 maxSizeRequest): the largest API request; uploads are limited by messageSizeBytes. */
    jmapRequestBytes: count(1024, 'bytes'),
    /** JMAP maxCallsInRequest: method calls in one request. */
    jmapCallsPerRequest: count(1, 'calls'),
    /** JMAP maxObjectsInGet and maxObjectsInSet: ids in one /get, changes in one /set. */
    jmapObjectsPerCall: count(1, 'objects'),
    /** JMAP maxConcurrentRequests (and maxConcurrentUpload): API requests of one account at the same time. */
    jmapConcurrentRequests: count(1, 'requests'),
  }),
  /** Failed logins are charged to the client address, never to the account alone (server/accounts/throttle.ts). */
  authThrottle: z.strictObject({
    /** Failures from one client address (on any account) before each further attempt from it waits: 0.5 s, doubling, at most 5 s. */
    delayAfterFailures: count(1, 'failures'),
    /** Failures from one address on one account before that address may not log in to it for `lockSeconds`; other addresses still may. */
    lockAfterFailures: count(2, 'failures'),
    /** How long a block lasts; failures are also forgotten after this long without another one. */
    lockSeconds: seconds(10),
    /** Failures from one address across all accounts before that address may not log in at all for `lockSeconds` (fail2ban maxretry). */
    addressLockAfterFailures: count(2, 'failures'),
    /** Failures on one account from all addresses before each attempt on it waits; never a block, so nobody can lock a user out. */
    accountDelayAfterFailures: count(1, 'failures'),
  }),
  /** Quota given to new users, in bytes; 0 means no limit. */
  defaultQuotaBytes: z.number({ invalid_type_error: 'must be a number of bytes' }).int().min(0),
  /** Postfix transport maps: domain → "host:port" for outbound mail. */
  routes: z.record(domainName, z.string().regex(/^[^\s:]+:\d{1,5}$/, 'must be host:port such as 127.0.0.1:2526')),
  /** Postfix relayhost: with a host set, all mail for other domains goes through this server (an ISP's, where port 25 is blocked). */
  smarthost: z.strictObject({
    /** Empty: no smarthost, mail goes straight to each domain's MX. */
    host: z.string().refine((s) => s === '' || net.isIP(s) !== 0 || hostnameRule.test(s), 'must be empty (no smarthost), a host name or an IP address'),
    port,
    tls: z.enum(['starttls', 'implicit', 'none'], { errorMap: () => ({ message: 'must be starttls, implicit or none' }) }),
    username: z.string(),
    password: z.string(),
    requireValidCertificate: z.boolean({ invalid_type_error: 'must be true or false' }),
  }),
  /** Outbound delivery: MX lookups, retries (Postfix minimal/maximal_backoff_time, maximal_queue_lifetime), concurrency. */
  outbound: z.strictObject({
    /** DNS servers for MX lookups ("192.168.1.1" or "127.0.0.1:5353"); empty: the system's. */
    resolvers: z.array(z.string().refine(isResolverAddress, 'must be an IP address, optionally with :port, such as 192.168.1.1 or 127.0.0.1:5353')),
    /** The port of MX hosts: 25 (another one only for labs and tests). */
    mxPort: port,
    retryBaseSeconds: seconds(1),
    retryMaxSeconds: seconds(1),
    /** How long a message may wait for a deferred recipient before it bounces. */
    lifetimeSeconds: seconds(1),
    /** Tell the sender their mail is still waiting after this many hours; 0: never. */
    delayWarningHours: z.number({ invalid_type_error: 'must be a number of hours' }).min(0, 'must be 0 (off) or more'),
    connectionsPerDestination: count(1, 'connections'),
    connectionsTotal: count(1, 'connections'),
    connectTimeoutSeconds: seconds(1),
    commandTimeoutSeconds: seconds(1),
  }),
  /** Backups the engine makes by itself, once a day (server/backup/schedule.ts); `lanpost backup` makes one at any time. */
  backup: z.strictObject({
    enabled: z.boolean({ invalid_type_error: 'must be true or false' }),
    /** Local time of day, 24-hour clock. */
    timeOfDay: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be a time of day such as 03:00'),
    /** Where the archives go; empty: the folder backups/ in the data folder (better: another disk). */
    folder: z.string().refine((s) => s === '' || path.isAbsolute(s), 'must be empty (backups/ in the data folder) or a full path such as /mnt/usb/lanpost'),
    /** Archives kept in that folder; older ones are removed after a backup succeeded. */
    keep: count(1, 'backups'),
  }),
  /** DKIM signing of outgoing mail; keys in <data>/dkim/<domain>/<selector>.key.pem, published as <selector>._domainkey.<domain>. */
  dkim: z.strictObject({
    enabled: z.boolean({ invalid_type_error: 'must be true or false' }),
    selector: z.string().regex(/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/i, 'must be one DNS label such as lanpost'),
  }),
});

export type Settings = z.infer<typeof settingsSchema>;

/** A DNS server for outbound MX lookups: an IP address, optionally with :port ([v6]:port for IPv6). */
export function isResolverAddress(value: string): boolean {
  if (net.isIP(value)) return true;
  const match = /^(?:\[([^\]]+)\]|([^:]+)):(\d{1,5})$/.exec(value);
  return !!match && net.isIP(match[1] ?? match[2] ?? '') !== 0 && Number(match[3]) <= 65535;
}
export type ServiceSettings = z.infer<typeof serviceSchema>;

export interface SettingsProblem {
  field: string;
  reason: string;
}

export class SettingsError extends Error {
  constructor(readonly problems: SettingsProblem[]) {
    super(problems.map((p) => `${p.field}: ${p.reason}`).join('; '));
    this.name = 'SettingsError';
  }
}

/** Validates a whole settings object; throws SettingsError naming every bad field and why. */
export function validateSettings(candidate: unknown): Settings {
  const result = settingsSchema.safeParse(candidate);
  if (!result.success) {
    throw new SettingsError(
      result.error.issues.map((issue) => ({
        field: issue.path.join('.') || '(settings)',
        reason: describeIssue(issue),
      })),
    );
  }
  const settings = result.data;
  const problems: SettingsProblem[] = [];
  if (!settings.localDomains.includes(settings.domain)) {
    problems.push({ field: 'localDomains', reason: `must include the mail domain ${settings.domain}` });
  }
  for (const name of SERVICE_NAMES) {
    if (name !== 'dns' && settings.services[name].address === 'auto') {
      problems.push({ field: `services.${name}.address`, reason: 'auto is only for dns; use an IP address such as 0.0.0.0' });
    }
  }
  problems.push(...dnsSettingsProblems(settings));
  if (problems.length) throw new SettingsError(problems);
  return settings;
}

function describeIssue(issue: z.ZodIssue): string {
  if (issue.code === 'unrecognized_keys') return `unknown setting ${issue.keys.map((k) => `'${k}'`).join(', ')}`;
  if (issue.code === 'invalid_type' && issue.received === 'undefined') return 'is missing';
  return issue.message;
}

// Request and response types of the admin API, shared with the renderer by `import type`.
// Every JSON body the API sends or accepts is one of these.
import type { LogEntry } from '../log.js';
import type { TranscriptLine } from '../inspector/bus.js';
import type { ServiceState, ServiceStatus } from '../net/listener.js';
import type { ServiceName, Settings, SettingsProblem } from '../settings/schema.js';
import type { DiskStatus } from '../store/disk-space.js';
import type { CertificateSummary } from '../tls/certificates.js';
import type { ExtraRecord } from '../dns/settings.js';

export type { CertificateSummary, DiskStatus, ExtraRecord, LogEntry, ServiceName, ServiceState, ServiceStatus, Settings, SettingsProblem, TranscriptLine };

/** Every refusal: 4xx/5xx with a sentence, and for a bad value the field(s) and why. */
export interface ApiErrorBody {
  error: string;
  problems?: SettingsProblem[];
}

// ── overview ────────────────────────────────────────────────────────────────

export interface LanAddressInfo {
  interface: string;
  address: string;
  family: 'IPv4' | 'IPv6';
  subnet: string;
}

/** Messages in (accepted by LanPost) and out (handed to other servers) in one hour. */
export interface TrafficHour {
  /** Start of the hour, ms since the epoch. */
  hour: number;
  in: number;
  out: number;
}

export interface StatusResponse {
  hostname: string;
  domain: string;
  lanAddresses: string[];
  services: ServiceStatus[];
  users: number;
  /** Free space for the data folder; while `low`, new mail is refused. */
  disk: DiskStatus;
}

export interface OverviewResponse extends StatusResponse {
  lan: LanAddressInfo[];
  counts: {
    users: number;
    aliases: number;
    /** Messages accepted since midnight (this computer's time). */
    messagesToday: number;
    /** Queue entries waiting for delivery to other servers. */
    queue: number;
  };
  /** The last 24 hours, oldest first (24 entries). */
  traffic: TrafficHour[];
  setupDone: boolean;
}

// ── first run ───────────────────────────────────────────────────────────────

export interface SetupStateResponse {
  setupDone: boolean;
  /** The admin mailbox made at the very first start and its password, until the window has shown it. */
  firstStart: { address: string; password: string } | null;
  domain: string;
  hostname: string;
  /** The address the mail services listen on now (0.0.0.0: all). */
  address: string;
  lan: LanAddressInfo[];
}

export interface SetupRequest {
  domain: string;
  hostname: string;
  /** 0.0.0.0 (all addresses), 127.0.0.1 (this computer only) or one LAN address. */
  address: string;
  /** Empty: keep the admin password as it is. */
  adminPassword: string;
}

export interface SetupResponse {
  adminAddress: string;
  clientSetup: ClientSetup;
}

// ── settings ────────────────────────────────────────────────────────────────

export interface SettingsChange {
  /** A dotted key as in `lanpost settings set KEY VALUE`, e.g. services.smtp.port. */
  key: string;
  value: unknown;
}

export interface SettingsPatchRequest {
  changes: SettingsChange[];
}

export interface SettingsResponse {
  settings: Settings;
}

// ── users and aliases ───────────────────────────────────────────────────────

export interface UserInfo {
  address: string;
  displayName: string;
  quotaBytes: number;
  usedBytes: number;
  messages: number;
  disabled: boolean;
  createdAt: number;
}

export interface UsersResponse {
  users: UserInfo[];
  domain: string;
  localDomains: string[];
  defaultQuotaBytes: number;
}

export interface UserCreateRequest {
  address: string;
  password: string;
  displayName?: string;
  quotaBytes?: number;
}

export interface UserUpdateRequest {
  displayName?: string;
  quotaBytes?: number;
  disabled?: boolean;
}

export interface PasswordRequest {
  password: string;
}

export interface UserDeleteResponse {
  keptMailIn: string;
}

export interface AliasInfo {
  address: string;
  targets: string[];
}

export interface AliasesResponse {
  aliases: AliasInfo[];
}

export interface AliasCreateRequest {
  address: string;
  targets: string[];
}

// ── client setup ────────────────────────────────────────────────────────────

export type TlsMode = 'ssl' | 'starttls' | 'none';

export interface ClientServer {
  kind: 'imap' | 'pop3' | 'smtp';
  service: ServiceName;
  host: string;
  port: number;
  tls: TlsMode;
  /** Listening now? A stopped or blocked service is listed but marked. */
  state: ServiceState;
  recommended: boolean;
}

export interface ClientSetup {
  /** The user's full address; empty on the card for any user. */
  username: string;
  domain: string;
  hostname: string;
  /** An address clients can use when the host name does not resolve (no LanPost DNS on the LAN). */
  address: string | null;
  incoming: ClientServer[];
  outgoing: ClientServer[];
  /** Password login without TLS is allowed only from trusted networks (or never / always). */
  plaintextLogin: Settings['plaintextLogin'];
}

// ── certificates ────────────────────────────────────────────────────────────

export interface CertificateResponse {
  certificate: CertificateSummary;
  ca: CertificateSummary;
  /** A key + CSR made here and waiting for the public CA's certificate. */
  pendingRequest: { commonName: string; createdAt: string } | null;
}

export interface CertificateImportRequest {
  certificate: string;
  /** Empty: use the key of the pending certificate request. */
  key: string;
}

export interface CsrRequest {
  commonName: string;
  altNames: string[];
  organization?: string;
  country?: string;
}

export interface CsrResponse {
  csr: string;
  /** The private key, to keep; it also stays in the data folder for the import. */
  key: string;
}

// ── firewall and ports ──────────────────────────────────────────────────────

export interface FirewallPort {
  service: ServiceName;
  protocol: 'tcp' | 'udp';
  port: number;
  address: string;
  state: ServiceState;
  detail: string;
  fix?: string;
}

export type FirewallKind = 'iptables' | 'nftables' | 'firewalld' | 'ufw' | 'windows-netsh' | 'windows-powershell' | 'macos-pf';

export interface FirewallCommands {
  kind: FirewallKind;
  /** Lines to copy into a terminal (or a file, for pf). */
  commands: string[];
}

export interface FirewallResponse {
  /** Enabled ports of this machine's services. */
  ports: FirewallPort[];
  /** Services this version does not have yet (not listed in ports). */
  unavailable: ServiceName[];
  /** The networks the rules open the ports to (the LAN subnets). */
  sources: string[];
  firewalls: FirewallCommands[];
  /** Linux: how to let LanPost bind ports below 1024 without running as root. */
  lowPorts: { ports: number[]; commands: string[] } | null;
  platform: string;
}

// ── live events (WebSocket) ─────────────────────────────────────────────────

export interface MailEvent {
  user: string;
  mailbox: string;
  kind: 'exists' | 'expunge' | 'flags';
  count: number;
}

export type LiveEvent =
  | { type: 'hello'; services: ServiceStatus[] }
  | { type: 'service'; status: ServiceStatus }
  | { type: 'log'; entry: LogEntry }
  | { type: 'inspector'; line: TranscriptLine }
  | { type: 'mail'; mail: MailEvent }
  | { type: 'queue'; change: { kind: string; id: string } }
  | { type: 'settings' }
  | { type: 'traffic'; hour: TrafficHour }
  /** Free space went below the floor (new mail refused) or back above it. */
  | { type: 'disk'; disk: DiskStatus };

// ── queue ─────────────────────────────────────────────────────────────────

export interface QueueRecipientInfo {
  recipient: string;
  /** pending: waiting for (another) attempt; the others are final. */
  status: 'pending' | 'delivered' | 'bounced' | 'expired';
  attempts: number;
  nextAttemptAt: number | null;
  lastAttemptAt: number | null;
  /** The last answer: the remote server's reply, or what went wrong. */
  lastResponse: string | null;
  statusCode: string | null;
  remoteHost: string | null;
}

export interface QueueEntryInfo {
  id: string;
  sender: string;
  size: number;
  createdAt: number;
  recipients: QueueRecipientInfo[];
}

export interface QueueResponse {
  entries: QueueEntryInfo[];
}

// ── DNS ───────────────────────────────────────────────────────────────────

export interface DnsRecordInfo {
  name: string;
  ttl: number;
  type: string;
  /** The record data in zone-file form, absolute names. */
  data: string;
}

export interface DnsZoneResponse {
  serial: number;
  problems: string[];
  /** The mail domain's zone first, then reverse zones. */
  zones: Array<{ origin: string; records: DnsRecordInfo[] }>;
  /** The records added by hand (settings dns.extraRecords), in order. */
  extraRecords: ExtraRecord[];
  dnsService: ServiceStatus;
}

export interface LogsResponse {
  entries: LogEntry[];
}

export interface InspectorResponse {
  lines: TranscriptLine[];
}

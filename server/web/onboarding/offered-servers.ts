// Which mail servers clients are told about (autoconfig, autodiscover, the Apple profile, the
// landing page, the window's settings card): the enabled mail services with their ports, in the
// order clients should prefer them. Pure.
import type { ServiceName, Settings } from '../../settings/schema.js';

export type MailKind = 'imap' | 'pop3' | 'smtp';
/** ssl: TLS from the first byte (RFC 8314); starttls: plain, then STARTTLS/STLS before login. */
export type Security = 'ssl' | 'starttls';

export interface OfferedServer {
  service: ServiceName;
  kind: MailKind;
  port: number;
  tls: Security;
}

/** RFC 8314 §3: implicit TLS first; IMAP before POP3. */
const MAIL_SERVICES: ReadonlyArray<Omit<OfferedServer, 'port'>> = [
  { service: 'imaps', kind: 'imap', tls: 'ssl' },
  { service: 'imap', kind: 'imap', tls: 'starttls' },
  { service: 'pop3s', kind: 'pop3', tls: 'ssl' },
  { service: 'pop3', kind: 'pop3', tls: 'starttls' },
  { service: 'smtps', kind: 'smtp', tls: 'ssl' },
  { service: 'submission', kind: 'smtp', tls: 'starttls' },
];

/**
 * The enabled mail services, each with the port it listens on (`listeningPort`, the bound one
 * where the settings say 0) or else the port of its settings. A disabled service is not offered.
 */
export function offeredServers(settings: Settings, listeningPort: (name: ServiceName) => number | null): OfferedServer[] {
  return MAIL_SERVICES.filter(({ service }) => settings.services[service].enabled).map((server) => ({
    ...server,
    port: listeningPort(server.service) ?? settings.services[server.service].port,
  }));
}

/** The first (preferred) server of a kind, if any is offered. */
export function preferred(servers: readonly OfferedServer[], kind: MailKind): OfferedServer | undefined {
  return servers.find((server) => server.kind === kind);
}

// Where mail for a domain goes, in order: a route from settings (Postfix transport maps), else
// the smarthost (Postfix relayhost), else the domain's MX hosts. Messages with the same
// destination share connections, so the destination key is what concurrency is counted by.
import type { Settings } from '../../settings/schema.js';

export type TlsPolicy =
  /** STARTTLS when offered, certificate not checked, plaintext when the upgrade fails (MX hops). */
  | 'opportunistic'
  /** STARTTLS required, certificate checked unless the setting says otherwise. */
  | 'starttls'
  /** TLS from the first byte (port 465, RFC 8314). */
  | 'implicit'
  | 'none';

export interface Relay {
  host: string;
  port: number;
  tls: TlsPolicy;
  rejectUnauthorized: boolean;
  auth: { user: string; pass: string } | null;
}

export type Route =
  | { kind: 'route'; key: string; relay: Relay }
  | { kind: 'smarthost'; key: string; relay: Relay }
  | { kind: 'mx'; key: string; domain: string; port: number };

export function routeFor(domain: string, settings: Settings): Route {
  const configured = settings.routes[domain.toLowerCase()];
  if (configured) {
    const at = configured.lastIndexOf(':');
    const host = configured.slice(0, at).replace(/^\[(.*)\]$/, '$1');
    const relay: Relay = { host, port: Number(configured.slice(at + 1)), tls: 'opportunistic', rejectUnauthorized: false, auth: null };
    return { kind: 'route', key: `route ${configured}`, relay };
  }
  const smarthost = settings.smarthost;
  if (smarthost.host) {
    const relay: Relay = {
      host: smarthost.host,
      port: smarthost.port,
      tls: smarthost.tls,
      rejectUnauthorized: smarthost.requireValidCertificate,
      auth: smarthost.username ? { user: smarthost.username, pass: smarthost.password } : null,
    };
    // Sessions are shared per key: a change of TLS policy or credentials must not reuse an open one.
    return { kind: 'smarthost', key: `smarthost ${JSON.stringify(relay)}`, relay };
  }
  return { kind: 'mx', key: `mx ${domain.toLowerCase()}`, domain: domain.toLowerCase(), port: settings.outbound.mxPort };
}

// What a mail client should be told (the per-user settings card): servers, ports, TLS mode and
// user name, from the settings and what actually listens. Pure.
import type { LanAddress } from '../net/interfaces.js';
import type { ServiceStatus } from '../net/listener.js';
import type { ServiceName, Settings } from '../settings/schema.js';
import type { ClientServer, ClientSetup, TlsMode } from './contract/index.js';

const INCOMING: Array<[ServiceName, 'imap' | 'pop3', TlsMode]> = [
  ['imaps', 'imap', 'ssl'],
  ['imap', 'imap', 'starttls'],
  ['pop3s', 'pop3', 'ssl'],
  ['pop3', 'pop3', 'starttls'],
];
const OUTGOING: Array<[ServiceName, 'smtp', TlsMode]> = [
  ['smtps', 'smtp', 'ssl'],
  ['submission', 'smtp', 'starttls'],
];

export function clientSetup(username: string, settings: Settings, statuses: ServiceStatus[], lan: LanAddress[]): ClientSetup {
  const byName = new Map(statuses.map((s) => [s.name, s]));
  const servers = <K extends ClientServer['kind']>(list: Array<[ServiceName, K, TlsMode]>): ClientServer[] => {
    const offered = list.filter(([name]) => {
      const status = byName.get(name);
      return settings.services[name].enabled && status && status.detail !== 'not available in this version';
    });
    return offered.map(([service, kind, tls], index) => {
      const status = byName.get(service)!;
      return {
        kind,
        service,
        host: settings.hostname,
        port: status.state === 'listening' ? status.port : settings.services[service].port,
        tls,
        state: status.state,
        // The first offered (implicit TLS where available) per kind is the one to recommend.
        recommended: offered.findIndex(([, k]) => k === kind) === index,
      };
    });
  };
  const bound = settings.services.submission.address;
  const address = bound !== '0.0.0.0' && bound !== '::' ? bound : (lan.find((a) => a.family === 'IPv4')?.address ?? lan[0]?.address ?? null);
  return {
    username,
    domain: settings.domain,
    hostname: settings.hostname,
    address,
    incoming: servers(INCOMING),
    outgoing: servers(OUTGOING),
    plaintextLogin: settings.plaintextLogin,
  };
}

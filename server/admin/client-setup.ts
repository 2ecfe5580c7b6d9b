// What a mail client should be told (the per-user settings card): servers, ports, TLS mode and
// user name, from the settings and what actually listens, and the LAN landing page that sets a
// device up by itself. Pure.
import type { LanAddress } from '../net/interfaces.js';
import type { ServiceStatus } from '../net/listener.js';
import type { ServiceName, Settings } from '../settings/schema.js';
import { offeredServers } from '../web/onboarding/offered-servers.js';
import type { ClientServer, ClientSetup } from './contract/index.js';

export function clientSetup(username: string, settings: Settings, statuses: ServiceStatus[], lan: LanAddress[]): ClientSetup {
  const byName = new Map(statuses.map((s) => [s.name, s]));
  const listeningPort = (name: ServiceName) => (byName.get(name)?.state === 'listening' ? byName.get(name)!.port : null);
  const offered = offeredServers(settings, listeningPort).filter(({ service }) => {
    const status = byName.get(service);
    return status && status.detail !== 'not available in this version';
  });
  const servers = offered.map(
    ({ kind, service, port, tls }, index): ClientServer => ({
      kind,
      service,
      host: settings.hostname,
      port,
      tls,
      state: byName.get(service)!.state,
      // The first offered (implicit TLS where available) per kind is the one to recommend.
      recommended: offered.findIndex((server) => server.kind === kind) === index,
    }),
  );
  return {
    username,
    domain: settings.domain,
    hostname: settings.hostname,
    address: reachableAddress(settings.services.submission.address, lan),
    incoming: servers.filter((server) => server.kind !== 'smtp'),
    outgoing: servers.filter((server) => server.kind === 'smtp'),
    plaintextLogin: settings.plaintextLogin,
    landingPage: landingPage(settings, listeningPort, lan),
  };
}

/** The address a LAN device reaches a service bound to `bound` on: itself, or for the wildcard this machine's first LAN address. */
function reachableAddress(bound: string, lan: LanAddress[]): string | null {
  return bound !== '0.0.0.0' && bound !== '::' ? bound : (lan.find((a) => a.family === 'IPv4')?.address ?? lan[0]?.address ?? null);
}

/**
 * The LAN landing page by address (a phone on the LAN may not use LanPost's DNS): over HTTPS,
 * or over HTTP when only that listens; null when neither does.
 */
function landingPage(settings: Settings, listeningPort: (name: ServiceName) => number | null, lan: LanAddress[]): string | null {
  for (const [service, scheme, standard] of [['https', 'https', 443], ['http', 'http', 80]] as const) {
    const port = listeningPort(service);
    const host = reachableAddress(settings.services[service].address, lan) ?? settings.hostname;
    if (port !== null) return `${scheme}://${host.includes(':') ? `[${host}]` : host}${port === standard ? '' : `:${port}`}/`;
  }
  return null;
}

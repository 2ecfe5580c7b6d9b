// Thunderbird autoconfig: Mozilla's clientConfig 1.1 format, fetched by Thunderbird (and K-9 /
// Thunderbird for Android) from http(s)://autoconfig.<domain>/mail/config-v1.1.xml?emailaddress=…
// and https://<domain>/.well-known/autoconfig/mail/config-v1.1.xml. Every enabled mail service is
// offered, preferred first; the user name is the whole address (%EMAILADDRESS%).
import { XMLBuilder } from 'fast-xml-parser';
import type { EngineContext } from '../../context.js';
import type { Settings } from '../../settings/schema.js';
import { xml } from '../replies.js';
import type { WebRoute } from '../router.js';
import { onboardingAddress } from './mail-address.js';
import { offeredServers, type OfferedServer } from './offered-servers.js';

export const AUTOCONFIG_PATH = '/mail/config-v1.1.xml';
export const WELL_KNOWN_AUTOCONFIG_PATH = '/.well-known/autoconfig/mail/config-v1.1.xml';

const SOCKET_TYPES = { ssl: 'SSL', starttls: 'STARTTLS' } as const;

const builder = new XMLBuilder({ ignoreAttributes: false, format: true, suppressEmptyNode: true });

export function autoconfigXml(settings: Settings, servers: readonly OfferedServer[]): string {
  const server = ({ kind, port, tls }: OfferedServer) => ({
    '@_type': kind,
    hostname: settings.hostname,
    port,
    socketType: SOCKET_TYPES[tls],
    authentication: 'password-cleartext',
    username: '%EMAILADDRESS%',
  });
  return builder.build({
    '?xml': { '@_version': '1.0', '@_encoding': 'UTF-8' },
    clientConfig: {
      '@_version': '1.1',
      emailProvider: {
        '@_id': settings.domain,
        domain: settings.localDomains,
        displayName: `LanPost (${settings.domain})`,
        displayShortName: 'LanPost',
        incomingServer: servers.filter((s) => s.kind !== 'smtp').map(server),
        outgoingServer: servers.filter((s) => s.kind === 'smtp').map(server),
      },
    },
  });
}

function answer(request: { url: URL }, context: EngineContext) {
  const address = request.url.searchParams.get('emailaddress');
  // Thunderbird always sends the address; without one the answer is the same for any user.
  if (address !== null) onboardingAddress(address, context, 'emailaddress');
  const settings = context.settings();
  return xml(autoconfigXml(settings, offeredServers(settings, context.listeningPort)));
}

export const autoconfigRoutes: WebRoute[] = [
  // Thunderbird asks autoconfig.<domain> over plain HTTP too, before its other lookups.
  { methods: ['GET'], path: AUTOCONFIG_PATH, plainHttp: true, handle: answer },
  { methods: ['GET'], path: WELL_KNOWN_AUTOCONFIG_PATH, plainHttp: true, handle: answer },
];

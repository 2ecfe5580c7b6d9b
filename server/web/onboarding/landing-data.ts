// What the landing page shows besides its own text (landing-contract.ts), from the settings, the
// services and the CA.
import { caCertificate } from '../../tls/certificates.js';
import { json } from '../replies.js';
import type { WebRoute } from '../router.js';
import { LANDING_DATA_PATH, type LandingData } from './landing-contract.js';
import { offeredServers } from './offered-servers.js';

export const landingDataRoutes: WebRoute[] = [
  {
    methods: ['GET'],
    path: LANDING_DATA_PATH,
    handle: (request, context) => {
      const settings = context.settings();
      const data: LandingData = {
        domain: settings.domain,
        localDomains: settings.localDomains,
        hostname: settings.hostname,
        servers: offeredServers(settings, context.listeningPort),
        caFingerprintSha256: caCertificate(context.dataDir).fingerprintSha256,
        secure: request.secure,
      };
      return json(data);
    },
  },
];

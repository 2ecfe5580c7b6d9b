// What /onboarding.json answers: the contract between the LAN web service and the landing page
// (renderer/lan imports these types, and nothing else of the engine).
import type { OfferedServer } from './offered-servers.js';

export const LANDING_DATA_PATH = '/onboarding.json';

/** The domain, the servers to type where a device cannot set itself up, the CA's fingerprint, and whether the page came over HTTPS (a password goes into a profile only then). */
export interface LandingData {
  domain: string;
  localDomains: string[];
  hostname: string;
  servers: OfferedServer[];
  caFingerprintSha256: string;
  secure: boolean;
}

// Request and response types of the admin API, shared with the renderer by `import type`.
import type { ServiceStatus } from '../net/listener.js';

export type { ServiceStatus };

export interface StatusResponse {
  hostname: string;
  domain: string;
  lanAddresses: string[];
  services: ServiceStatus[];
  users: number;
}

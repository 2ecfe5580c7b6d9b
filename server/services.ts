// Which code serves which service name.
import type { ServiceFactory } from './context.js';
import { createDnsService } from './dns/service.js';
import { createImapService } from './imap/service.js';
import type { ServiceName } from './settings/schema.js';
import { createPop3Service } from './pop3/service.js';
import { createSmtpService } from './smtp/service.js';

export const SERVICE_FACTORIES: Record<ServiceName, ServiceFactory> = {
  smtp: createSmtpService,
  submission: createSmtpService,
  smtps: createSmtpService,
  dns: createDnsService,
  pop3: createPop3Service,
  pop3s: createPop3Service,
  imap: createImapService,
  imaps: createImapService,
};

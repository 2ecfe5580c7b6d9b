// Which code serves which service name. A TCP protocol written here is a Protocol (a folder with
// its session, see server/net/host.ts) served by the session host: one line per port below.
// The LAN web service (web/) is node:http and node:https, admitted by the same guard.
import type { ServiceFactory } from './context.js';
import { createDnsService } from './dns/service.js';
import { IMAP } from './imap/service.js';
import { hostedService } from './net/host.js';
import { POP3 } from './pop3/service.js';
import type { ServiceName } from './settings/schema.js';
import { createSmtpService } from './smtp/service.js';
import { createWebService } from './web/service.js';

export const SERVICE_FACTORIES: Record<ServiceName, ServiceFactory> = {
  smtp: createSmtpService,
  submission: createSmtpService,
  smtps: createSmtpService,
  dns: createDnsService,
  pop3: hostedService(POP3),
  pop3s: hostedService(POP3, { implicitTls: true }),
  imap: hostedService(IMAP),
  imaps: hostedService(IMAP, { implicitTls: true }),
  http: createWebService,
  https: createWebService,
};

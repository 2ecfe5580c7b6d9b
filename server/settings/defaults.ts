// Settings of a first start: everything works on a LAN without any set-up.
import { defaultDnsSettings } from '../dns/settings.js';
import { defaultTrustedNetworks } from '../net/interfaces.js';
import { SERVICE_NAMES, STANDARD_PORTS, type ServiceName, type ServiceSettings, type Settings } from './schema.js';

export const DEFAULT_DOMAIN = 'lanpost.lan';

export function defaultSettings(): Settings {
  const services = Object.fromEntries(
    SERVICE_NAMES.map((name): [ServiceName, ServiceSettings] => [
      name,
      // DNS binds the LAN address(es) and 127.0.0.1 rather than the wildcard: systemd-resolved
      // holds 127.0.0.53:53 on Linux, and Windows connection sharing may hold UDP 53.
      { enabled: true, address: name === 'dns' ? 'auto' : '0.0.0.0', port: STANDARD_PORTS[name] },
    ]),
  ) as Record<ServiceName, ServiceSettings>;
  return {
    hostname: `mail.${DEFAULT_DOMAIN}`,
    domain: DEFAULT_DOMAIN,
    origin: DEFAULT_DOMAIN,
    localDomains: [DEFAULT_DOMAIN],
    services,
    adminPort: 0,
    trustedNetworks: defaultTrustedNetworks(),
    plaintextLogin: 'trusted-networks',
    relay: { fromTrustedNetworks: false },
    dns: defaultDnsSettings(),
    limits: {
      messageSizeBytes: 25 * 1024 * 1024,
      recipientsPerMessage: 100,
      connectionsPerClient: 20,
      connectionsTotal: 500,
      commandTimeoutSeconds: 300,
      idleTimeoutSeconds: 1800,
      lineLengthBytes: 8192,
      imapLineLengthBytes: 64 * 1024,
      badCommandsPerSession: 20,
      // Room for a few messages of the largest size (Postfix wants at least 1.5 × message_size_limit).
      minFreeDiskBytes: 64 * 1024 * 1024,
      smtpSoftErrorLimit: 10,
      smtpHardErrorLimit: 20,
      smtpErrorSleepSeconds: 1,
      // Onboarding requests are small (an Autodiscover request is under 1 kB).
      webBodyBytes: 64 * 1024,
      webHeaderBytes: 16 * 1024,
      webRequestTimeoutSeconds: 30,
      messagePathsKept: 200,
      accountsPerClass: 500,
      mimeCacheBytes: 8 * 1024 * 1024,
      jmapRequestBytes: 10 * 1024 * 1024,
      jmapCallsPerRequest: 32,
      jmapObjectsPerCall: 500,
      jmapConcurrentRequests: 4,
    },
    authThrottle: {
      delayAfterFailures: 3,
      lockAfterFailures: 10,
      lockSeconds: 300,
      addressLockAfterFailures: 30,
      accountDelayAfterFailures: 20,
    },
    defaultQuotaBytes: 0,
    routes: {},
    smarthost: { host: '', port: 587, tls: 'starttls', username: '', password: '', requireValidCertificate: true },
    outbound: {
      resolvers: [],
      mxPort: 25,
      retryBaseSeconds: 300,
      retryMaxSeconds: 3600,
      lifetimeSeconds: 5 * 86400,
      delayWarningHours: 0,
      connectionsPerDestination: 10,
      connectionsTotal: 40,
      connectTimeoutSeconds: 30,
      commandTimeoutSeconds: 300,
    },
    dkim: { enabled: true, selector: 'lanpost' },
    backup: { enabled: false, timeOfDay: '03:00', folder: '', keep: 7 },
  };
}

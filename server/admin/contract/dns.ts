// Domain & DNS: the zones the built-in DNS serves, as a table and as a zone file. Extra records
// are changed through the settings (dns.extraRecords).
import { extraRecordSchema } from '../../dns/settings.js';
import { serviceStatus, z, type RoutePattern, type RouteSpec } from './common.js';

const dnsRecord = z.strictObject({
  name: z.string(),
  ttl: z.number(),
  type: z.string(),
  /** The record data in zone-file form, absolute names. */
  data: z.string(),
});

export const dnsContract = {
  'GET /api/dns/zone': {
    response: z.strictObject({
      serial: z.number(),
      problems: z.array(z.string()),
      /** The mail domain's zone first, then reverse zones. */
      zones: z.array(z.strictObject({ origin: z.string(), records: z.array(dnsRecord) })),
      /** The records added by hand (settings dns.extraRecords), in order. */
      extraRecords: z.array(extraRecordSchema),
      dnsService: serviceStatus,
    }),
  },
  'GET /api/dns/zone.txt': { download: true },
} satisfies Record<RoutePattern, RouteSpec>;

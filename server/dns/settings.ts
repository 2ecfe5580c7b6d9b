// The `dns` section of the settings: its shape (zod) and the checks that need the whole
// settings object (names inside the zone, CNAME exclusivity). schema.ts includes both.
import net from 'node:net';
import { z } from 'zod/v3';
import { canonicalName, isDomainName, isInZone, ownerName, targetName } from './names.js';

/** RFC 2181 §8: a TTL is at most 2^31 - 1 seconds. */
export const MAX_TTL = 2147483647;

const ttl = z
  .number({ invalid_type_error: 'must be a number of seconds' })
  .int('must be a whole number of seconds')
  .min(0, 'must be at least 0 seconds')
  .max(MAX_TTL, `must be at most ${MAX_TTL} seconds (RFC 2181)`);

const uint16 = (what: string) =>
  z
    .number({ invalid_type_error: `must be a number (${what})` })
    .int('must be a whole number')
    .min(0, 'must be from 0 to 65535')
    .max(65535, 'must be from 0 to 65535');

const owner = z
  .string({ invalid_type_error: 'must be a name such as printer, @ or printer.lanpost.lan.' })
  .refine((s) => s === '@' || isDomainName(s), 'must be a name such as printer, @ (the domain itself) or printer.lanpost.lan.');

const target = z
  .string({ invalid_type_error: 'must be a host name such as mail or www.example.com' })
  .refine((s) => s === '@' || isDomainName(s), 'must be a host name such as mail (in the zone) or www.example.com');

const ipv4 = z.string().refine((s) => net.isIPv4(s), 'must be an IPv4 address such as 192.168.1.20');
const ipv6 = z.string().refine((s) => net.isIPv6(s), 'must be an IPv6 address such as fd00::20');

/** A TXT string: one or more character-strings; longer than 255 bytes is split when served. */
const text = z.union([z.string(), z.array(z.string()).min(1, 'must hold at least one string')], {
  errorMap: () => ({ message: 'must be a text or a list of texts' }),
});

const common = { name: owner, ttl: ttl.optional() };

export const extraRecordSchema = z.discriminatedUnion(
  'type',
  [
    z.strictObject({ type: z.literal('A'), ...common, address: ipv4 }),
    z.strictObject({ type: z.literal('AAAA'), ...common, address: ipv6 }),
    z.strictObject({ type: z.literal('CNAME'), ...common, target }),
    z.strictObject({ type: z.literal('MX'), ...common, preference: uint16('the preference'), exchange: target }),
    z.strictObject({ type: z.literal('TXT'), ...common, text }),
    z.strictObject({
      type: z.literal('SRV'),
      ...common,
      priority: uint16('the priority'),
      weight: uint16('the weight'),
      port: uint16('the port'),
      target: z.string().refine((s) => s === '.' || s === '@' || isDomainName(s), 'must be a host name, or . for "not offered here" (RFC 2782)'),
    }),
  ],
  { errorMap: () => ({ message: 'must have a type of A, AAAA, CNAME, MX, TXT or SRV' }) },
);

export type ExtraRecord = z.infer<typeof extraRecordSchema>;

/** "192.168.1.1", "192.168.1.1:5353", "[fd00::1]:53", "fd00::1" */
export function parseUpstream(value: string): { address: string; port: number } | null {
  const bracket = /^\[([^\]]+)\](?::(\d{1,5}))?$/.exec(value);
  const plain = /^([^:]+?)(?::(\d{1,5}))?$/.exec(value);
  const [address, portText] = bracket ? [bracket[1]!, bracket[2]] : net.isIPv6(value) ? [value, undefined] : plain ? [plain[1]!, plain[2]] : [];
  if (!address || net.isIP(address) === 0) return null;
  const port = portText === undefined ? 53 : Number(portText);
  return port >= 1 && port <= 65535 ? { address, port } : null;
}

export const dnsSettingsSchema = z.strictObject({
  /** MX preference of the mail host (the classic zone's `MX 3 mail`). */
  mxPreference: uint16('the MX preference'),
  /** TTL of every generated record, and the negative-caching TTL (SOA minimum, RFC 2308). */
  ttlSeconds: ttl,
  /** Addresses published for the mail host; empty = detected from the interface the mail services use. */
  hostAddresses: z.array(z.string().refine((s) => net.isIP(s) !== 0, 'must be an IP address such as 192.168.1.20 or fd00::20')),
  /** Records added to the zone; names are relative to the domain unless they end in it or in a dot. */
  extraRecords: z.array(extraRecordSchema),
  /** Out-of-zone queries from trusted networks go to these resolvers; otherwise they are REFUSED. */
  forwarding: z.strictObject({
    enabled: z.boolean({ invalid_type_error: 'must be true or false' }),
    /** "IP" or "IP:port"; empty = the machine's own resolvers. */
    upstreams: z.array(z.string().refine((s) => parseUpstream(s) !== null, 'must be an IP address with an optional port, such as 192.168.1.1 or 127.0.0.1:5353')),
    /** Answers kept (each for its TTL); the oldest go first. */
    cacheEntries: z.number({ invalid_type_error: 'must be a number of answers' }).int('must be a whole number').min(0, 'must be at least 0').max(1_000_000, 'must be at most 1000000'),
  }),
  /** A TCP client that sends nothing for this long is disconnected (RFC 7766 §6.2.3). */
  tcpIdleSeconds: z.number({ invalid_type_error: 'must be a number of seconds' }).int('must be a whole number').min(1, 'must be at least 1 second').max(600, 'must be at most 600 seconds'),
});

export type DnsSettings = z.infer<typeof dnsSettingsSchema>;

export function defaultDnsSettings(): DnsSettings {
  return {
    mxPreference: 10,
    // Short, so that a changed address reaches the LAN clients within minutes.
    ttlSeconds: 300,
    hostAddresses: [],
    extraRecords: [],
    forwarding: { enabled: false, upstreams: [], cacheEntries: 10_000 },
    tcpIdleSeconds: 10,
  };
}

/** Names the zone generates itself (besides the domain): a CNAME may not take one of them. */
export function generatedNames(domain: string, hostname: string): string[] {
  const names = ['dns', 'autoconfig', 'autodiscover', ...['submission', 'submissions', 'imap', 'imaps', 'pop3', 'pop3s', 'autodiscover'].map((s) => `_${s}._tcp`)].map(
    (n) => `${n}.${domain}`,
  );
  return isInZone(hostname, domain) ? [hostname, ...names] : names;
}

/** Checks that need the domain: names inside the zone, one CNAME alone at its name. */
export function dnsSettingsProblems(settings: { domain: string; hostname: string; dns: DnsSettings }): { field: string; reason: string }[] {
  const problems: { field: string; reason: string }[] = [];
  const { domain } = settings;
  const owners = settings.dns.extraRecords.map((record) => ownerName(record.name, domain));
  const generated = new Set([domain, ...generatedNames(domain, canonicalName(settings.hostname))]);
  settings.dns.extraRecords.forEach((record, index) => {
    const field = `dns.extraRecords.${index}`;
    const name = owners[index]!;
    if (!isInZone(name, domain)) {
      problems.push({ field: `${field}.name`, reason: `${record.name} is outside the zone ${domain}; use a name inside it such as printer.${domain}` });
      return;
    }
    if (record.type !== 'CNAME') return;
    // RFC 1034 §3.6.2 / RFC 2181 §10.1: a CNAME is the only record at its name.
    if (name === domain) problems.push({ field: `${field}.name`, reason: `a CNAME cannot be at the domain itself (${domain} has SOA, NS and MX)` });
    else if (generated.has(name)) problems.push({ field: `${field}.name`, reason: `a CNAME cannot share the name ${name} with the records LanPost publishes there` });
    else {
      const other = owners.findIndex((n, i) => i !== index && n === name);
      if (other !== -1) problems.push({ field: `${field}.name`, reason: `a CNAME cannot share its name ${name} with other records (dns.extraRecords.${other})` });
    }
    if (targetName(record.target, domain) === name) problems.push({ field: `${field}.target`, reason: 'a CNAME cannot point at itself' });
  });
  return problems;
}

// MX lookup for direct delivery (RFC 5321 §5.1): MX records in preference order, equal
// preferences shuffled, no MX → the domain's own A/AAAA (the implicit MX), a null MX "." →
// the domain takes no mail (RFC 7505). The DNS servers come from settings (outbound.resolvers),
// so a LAN or a test can point them at its own responder.
import { Resolver } from 'node:dns/promises';

export interface MxHost {
  name: string;
  preference: number;
  /** IPv4 first (a LAN rarely routes IPv6 outwards), then IPv6. */
  addresses: string[];
}

export type MxAnswer = { kind: 'hosts'; hosts: MxHost[] } | { kind: 'null-mx' };

/** A lookup that did not give hosts: permanent (no such domain) or temporary (server trouble). */
export class DnsFailure extends Error {
  constructor(
    message: string,
    readonly permanent: boolean,
    readonly status: string,
  ) {
    super(message);
    this.name = 'DnsFailure';
  }
}

export interface MxRecord {
  exchange: string;
  priority: number;
}

/** At most this many MX hosts are tried per attempt (Postfix smtp_mx_address_limit is similar). */
export const MX_HOST_LIMIT = 5;

/** Node's resolver on the configured servers ("ip" or "ip:port"); none configured: the system's. */
export function createResolver(servers: readonly string[], timeoutMs: number): Resolver {
  const resolver = new Resolver({ timeout: Math.max(100, Math.floor(timeoutMs / 2)), tries: 2 });
  if (servers.length) resolver.setServers([...servers]);
  return resolver;
}

/** Sorted by preference; hosts with equal preference in random order (RFC 5321 §5.1). */
export function orderMx(records: readonly MxRecord[], random: () => number = Math.random): MxRecord[] {
  const keyed = records.map((record) => ({ record, tiebreak: random() }));
  keyed.sort((a, b) => a.record.priority - b.record.priority || a.tiebreak - b.tiebreak);
  return keyed.map((k) => k.record);
}

const isRoot = (exchange: string) => exchange === '' || exchange === '.';

/** Where mail for `domain` goes: the MX hosts with their addresses, or the null MX. */
export async function lookupMx(domain: string, resolver: Resolver): Promise<MxAnswer> {
  let records: MxRecord[];
  try {
    records = await resolver.resolveMx(domain);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOTFOUND') throw new DnsFailure(`domain ${domain} does not exist (DNS: no such domain)`, true, '5.4.4');
    if (code !== 'ENODATA') throw new DnsFailure(`MX lookup for ${domain} failed (DNS: ${code ?? (error as Error).message})`, false, '4.4.3');
    records = []; // NOERROR without MX records: the implicit MX below
  }
  // RFC 7505 §3: a single MX with the root as exchange says "this domain accepts no mail".
  if (records.length && records.every((r) => isRoot(r.exchange))) return { kind: 'null-mx' };
  const ordered = records.length
    ? orderMx(records.filter((r) => !isRoot(r.exchange))).slice(0, MX_HOST_LIMIT)
    : [{ exchange: domain, priority: 0 }]; // RFC 5321 §5.1: no MX → the domain itself, preference 0
  const hosts: MxHost[] = [];
  let temporary: string | null = null;
  for (const record of ordered) {
    const name = record.exchange.replace(/\.$/, '').toLowerCase();
    const [v4, v6] = await Promise.allSettled([resolver.resolve4(name), resolver.resolve6(name)]);
    const addresses = [...(v4.status === 'fulfilled' ? v4.value : []), ...(v6.status === 'fulfilled' ? v6.value : [])];
    for (const result of [v4, v6]) {
      const code = result.status === 'rejected' ? (result.reason as NodeJS.ErrnoException).code : null;
      if (code && code !== 'ENODATA' && code !== 'ENOTFOUND') temporary = `address lookup for ${name} failed (DNS: ${code})`;
    }
    if (addresses.length) hosts.push({ name, preference: record.priority, addresses });
  }
  if (hosts.length) return { kind: 'hosts', hosts };
  if (temporary) throw new DnsFailure(temporary, false, '4.4.3');
  const what = records.length ? `no MX host of ${domain} has an address` : `${domain} has neither MX nor address records`;
  throw new DnsFailure(what, true, '5.4.4');
}

// The authoritative lookup of RFC 1034 §4.3.2 over our zones: exact match, CNAME chasing inside
// the zones, NXDOMAIN versus NODATA (RFC 2308) with the SOA for negative caching, ANY (RFC 8482)
// and the additional addresses of MX, SRV and NS targets.
import { TYPE_ANY, TYPE_CODES, zoneFor, type Zone, type ZoneRecord } from './zone.js';

export const RCODE = { NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3, NOTIMP: 4, REFUSED: 5 } as const;

export interface Resolution {
  rcode: number;
  /** The first name was in one of our zones: we answer with authority. */
  authoritative: boolean;
  answers: ZoneRecord[];
  authorities: ZoneRecord[];
  additionals: ZoneRecord[];
}

/** A chain longer than this is a loop or abuse; what was found so far is answered. */
const MAX_CNAME_CHAIN = 8;

/**
 * Answers `qname` (lower case, no trailing dot) of type `qtype` from the zones, or null when
 * the name is in none of them. `fullAny`: answer ANY with every RRset (TCP) rather than one.
 */
export function resolve(zones: readonly Zone[], qname: string, qtype: number, fullAny: boolean): Resolution | null {
  let zone = zoneFor(zones, qname);
  if (!zone) return null;
  const result: Resolution = { rcode: RCODE.NOERROR, authoritative: true, answers: [], authorities: [], additionals: [] };
  let name = qname;
  for (let step = 0; ; step++) {
    const node = zone.nodes.get(name);
    if (!node) {
      // RFC 8020: a name with names below it exists (an empty non-terminal): NODATA, not NXDOMAIN.
      if (!zone.names.has(name)) result.rcode = RCODE.NXDOMAIN;
      result.authorities.push(negativeSoa(zone));
      break;
    }
    if (qtype === TYPE_ANY) {
      // RFC 8482 §4.2: over UDP one RRset is enough; TCP gets them all.
      const rrsets = [...node.values()];
      for (const rrset of fullAny ? rrsets : rrsets.slice(0, 1)) result.answers.push(...rrset);
      break;
    }
    const rrset = node.get(qtype);
    if (rrset) {
      result.answers.push(...rrset);
      break;
    }
    const cname = node.get(TYPE_CODES.CNAME)?.[0];
    if (!cname || step >= MAX_CNAME_CHAIN) {
      result.authorities.push(negativeSoa(zone));
      break;
    }
    // RFC 1034 §3.6.2: answer with the CNAME and restart at its target while it is ours.
    result.answers.push(cname);
    name = cname.data as string;
    const next = zoneFor(zones, name);
    if (!next || result.answers.filter((r) => r.type === 'CNAME' && r.name === name).length) break;
    zone = next;
  }
  result.additionals = additionalAddresses(zones, result.answers);
  return result;
}

/** RFC 2308 §3: the SOA with the TTL of min(SOA TTL, SOA MINIMUM). */
export function negativeSoa(zone: Zone): ZoneRecord {
  return { ...zone.soa, class: 'IN', ttl: Math.min(zone.soa.ttl, zone.soa.data.minimum ?? zone.soa.ttl) };
}

/** RFC 1035 §3.3.9, RFC 2782: the A/AAAA of MX, SRV and NS targets in our zones. */
function additionalAddresses(zones: readonly Zone[], answers: readonly ZoneRecord[]): ZoneRecord[] {
  const targets = new Set<string>();
  for (const record of answers) {
    if (record.type === 'MX') targets.add(record.data.exchange);
    else if (record.type === 'SRV' && record.data.target) targets.add(record.data.target);
    else if (record.type === 'NS') targets.add(record.data);
  }
  const extra: ZoneRecord[] = [];
  for (const target of targets) {
    const node = zoneFor(zones, target)?.nodes.get(target);
    if (!node) continue;
    extra.push(...(node.get(TYPE_CODES.A) ?? []), ...(node.get(TYPE_CODES.AAAA) ?? []));
  }
  return extra;
}

// The zones LanPost is authoritative for, derived from the settings: the mail domain (SOA, NS,
// MX, A/AAAA, SPF, DKIM, RFC 6186/8314 SRV, autoconfig, autodiscover and its SRV, extra records)
// and a reverse zone per mail host subnet (PTR). Records are dns-packet answer objects so they encode as they are.
import crypto from 'node:crypto';
import net from 'node:net';
import type { MxAnswer, SoaAnswer, SrvAnswer, StringAnswer, TxtAnswer } from 'dns-packet';
import type { Settings } from '../settings/schema.js';
import type { DkimKey } from './dkim.js';
import { formatRecord } from './masterfile.js';
import { canonicalName, isInZone, namesUpTo, ownerName, targetName } from './names.js';
import type { ExtraRecord } from './settings.js';

export type ZoneRecord = (StringAnswer | MxAnswer | TxtAnswer | SrvAnswer | SoaAnswer) & { ttl: number; class: 'IN' };
export type ZoneRecordType = ZoneRecord['type'];

/** Type codes (RFC 1035 §3.2.2, RFC 3596, RFC 2782) of the types a zone holds. */
export const TYPE_CODES = { A: 1, NS: 2, CNAME: 5, SOA: 6, PTR: 12, MX: 15, TXT: 16, AAAA: 28, SRV: 33 } as const;
export const TYPE_ANY = 255;
export const TYPE_OPT = 41;
export const TYPE_AXFR = 252;
export const TYPE_IXFR = 251;

export interface Zone {
  /** "lanpost.lan", "1.168.192.in-addr.arpa" */
  origin: string;
  soa: SoaAnswer & { ttl: number };
  /** owner → type code → RRset, in the order the records were added */
  nodes: Map<string, Map<number, ZoneRecord[]>>;
  /** Every name that exists: the owners and the empty non-terminals between them and the origin (RFC 8020). */
  names: Set<string>;
}

export interface ZoneSet {
  serial: number;
  /** Hash of every record except the SOA serial: a change of it bumps the serial. */
  hash: string;
  /** The mail domain's zone first, then the reverse zones. */
  zones: Zone[];
  /** Records left out, for the log ("CNAME at x dropped: …"). */
  warnings: string[];
}

/** What the zone is derived from besides the settings: facts of this machine and the data folder. */
export interface ZoneFacts {
  /** Addresses of the mail host (detected or from dns.hostAddresses). */
  hostAddresses: string[];
  /** DKIM public keys found in <data>/dkim/<domain>/. */
  dkim: DkimKey[];
}

/** RFC 6186 / RFC 8314 service records, Outlook's autodiscover one (MS-OXDSCLI), and the LanPost service behind each. */
export const SERVICE_SRV = [
  { label: '_submission._tcp', service: 'submission' },
  { label: '_submissions._tcp', service: 'smtps' },
  { label: '_imap._tcp', service: 'imap' },
  { label: '_imaps._tcp', service: 'imaps' },
  { label: '_pop3._tcp', service: 'pop3' },
  { label: '_pop3s._tcp', service: 'pop3s' },
  { label: '_autodiscover._tcp', service: 'https' },
] as const;

const SOA_TIMERS = { refresh: 3600, retry: 900, expire: 604800 };

/** Builds the zones; `serial` goes into every SOA (the hash ignores it). */
export function buildZones(settings: Settings, facts: ZoneFacts, serial: number): ZoneSet {
  const warnings: string[] = [];
  const domain = settings.domain;
  const hostname = canonicalName(settings.hostname);
  const ttl = settings.dns.ttlSeconds;
  const nsHost = `dns.${domain}`;
  // The SOA's mailbox: postmaster@ exists on every LanPost domain (RFC 2142 would say hostmaster).
  const forward = new ZoneBuilder(domain, nsHost, ttl, serial, `postmaster.${domain}`);

  forward.add({ name: domain, type: 'NS', data: nsHost });
  forward.add({ name: domain, type: 'MX', data: { preference: settings.dns.mxPreference, exchange: hostname } });
  // RFC 7208: only the domain's MX hosts send its mail.
  forward.add({ name: domain, type: 'TXT', data: ['v=spf1 mx -all'] });
  for (const name of [hostname, nsHost]) {
    if (!isInZone(name, domain)) continue;
    for (const address of facts.hostAddresses) forward.add({ name, type: net.isIPv6(address) ? 'AAAA' : 'A', data: address });
  }
  // Thunderbird autoconfig and Outlook autodiscover look these names up.
  for (const label of ['autoconfig', 'autodiscover']) {
    const name = `${label}.${domain}`;
    if (name !== hostname) forward.add({ name, type: 'CNAME', data: hostname });
  }
  for (const { label, service } of SERVICE_SRV) {
    const config = settings.services[service];
    const name = `${label}.${domain}`;
    // RFC 6186 §4: target "." says the service is decidedly not offered.
    if (!config.enabled) forward.add({ name, type: 'SRV', data: { priority: 0, weight: 0, port: 0, target: '' } });
    else if (config.port > 0) forward.add({ name, type: 'SRV', data: { priority: 0, weight: 1, port: config.port, target: hostname } });
  }
  for (const key of facts.dkim) {
    forward.add({ name: `${key.selector}._domainkey.${domain}`, type: 'TXT', data: characterStrings(key.record) });
  }
  for (const record of settings.dns.extraRecords) {
    const converted = fromSettings(record, domain, ttl);
    if (isInZone(converted.name, domain)) forward.add(converted);
    else warnings.push(`${converted.name} ${converted.type} left out: outside the zone ${domain}`);
  }

  const reverse = new Map<string, ZoneBuilder>();
  for (const address of facts.hostAddresses) {
    const { zone, owner } = reverseName(address);
    if (!reverse.has(zone)) {
      const builder = new ZoneBuilder(zone, nsHost, ttl, serial, forward.rname);
      builder.add({ name: zone, type: 'NS', data: nsHost });
      reverse.set(zone, builder);
    }
    reverse.get(zone)!.add({ name: owner, type: 'PTR', data: hostname });
  }

  const zones = [forward, ...reverse.values()].map((builder) => builder.finish(warnings));
  return { serial, hash: zoneHash(zones), zones, warnings };
}

/** The zone data without the serial, hashed: equal hashes mean nobody would see a difference. */
function zoneHash(zones: Zone[]): string {
  const hash = crypto.createHash('sha256');
  for (const zone of zones) {
    for (const rrsets of zone.nodes.values()) {
      for (const records of rrsets.values()) {
        for (const record of records) {
          const line = record.type === 'SOA' ? formatRecord({ ...record, data: { ...record.data, serial: 0 } }) : formatRecord(record);
          hash.update(line + '\n');
        }
      }
    }
  }
  return hash.digest('hex');
}

type NewRecord = Omit<ZoneRecord, 'ttl' | 'class'> & { ttl?: number };

class ZoneBuilder {
  private readonly nodes = new Map<string, Map<number, ZoneRecord[]>>();
  private readonly soa: SoaAnswer & { ttl: number; class: 'IN' };

  constructor(
    readonly origin: string,
    nsHost: string,
    private readonly ttl: number,
    serial: number,
    readonly rname: string,
  ) {
    this.soa = {
      name: origin,
      type: 'SOA',
      class: 'IN',
      ttl,
      // RFC 2308 §4: the SOA minimum is the negative-caching TTL.
      data: { mname: nsHost, rname, serial, ...SOA_TIMERS, minimum: ttl },
    };
    this.add(this.soa);
  }

  add(record: NewRecord): void {
    const full = { ...record, class: 'IN', ttl: record.ttl ?? this.ttl } as ZoneRecord;
    let node = this.nodes.get(full.name);
    if (!node) this.nodes.set(full.name, (node = new Map()));
    const code = TYPE_CODES[full.type as keyof typeof TYPE_CODES];
    const rrset = node.get(code) ?? [];
    // RFC 2181 §5: an RRset holds no duplicates.
    if (!rrset.some((existing) => formatRecord({ ...existing, ttl: 0 }) === formatRecord({ ...full, ttl: 0 }))) rrset.push(full);
    node.set(code, rrset);
  }

  finish(warnings: string[]): Zone {
    const names = new Set<string>();
    for (const [name, node] of this.nodes) {
      // RFC 2181 §10.1: a CNAME is alone at its name; the other data wins.
      if (node.has(TYPE_CODES.CNAME) && node.size > 1) {
        warnings.push(`${name} CNAME left out: other records exist at that name`);
        node.delete(TYPE_CODES.CNAME);
      }
      // RFC 2181 §5.2: all records of an RRset share one TTL; the lowest is kept.
      for (const rrset of node.values()) {
        const lowest = Math.min(...rrset.map((r) => r.ttl));
        for (const record of rrset) record.ttl = lowest;
      }
      for (const ancestor of namesUpTo(name, this.origin)) names.add(ancestor);
    }
    return { origin: this.origin, soa: this.soa, nodes: this.nodes, names };
  }
}

function fromSettings(record: ExtraRecord, domain: string, ttl: number): NewRecord {
  const name = ownerName(record.name, domain);
  const common = { name, ttl: record.ttl ?? ttl };
  switch (record.type) {
    case 'A':
    case 'AAAA':
      return { ...common, type: record.type, data: record.address.toLowerCase() };
    case 'CNAME':
      return { ...common, type: 'CNAME', data: targetName(record.target, domain) };
    case 'MX':
      return { ...common, type: 'MX', data: { preference: record.preference, exchange: targetName(record.exchange, domain) } };
    case 'TXT':
      return { ...common, type: 'TXT', data: (Array.isArray(record.text) ? record.text : [record.text]).flatMap(characterStrings) };
    case 'SRV':
      return { ...common, type: 'SRV', data: { priority: record.priority, weight: record.weight, port: record.port, target: targetName(record.target, domain) } };
  }
}

/** RFC 1035 §3.3: a character-string holds at most 255 bytes; longer text is split into several. */
export function characterStrings(text: string): Buffer[] {
  const bytes = Buffer.from(text, 'utf8');
  const chunks: Buffer[] = [];
  for (let offset = 0; offset < bytes.length; offset += 255) chunks.push(bytes.subarray(offset, offset + 255));
  return chunks.length ? chunks : [Buffer.alloc(0)];
}

/** 192.168.1.20 → zone 1.168.192.in-addr.arpa, owner 20.1.168.192.in-addr.arpa; IPv6 by nibbles in its /64. */
export function reverseName(address: string): { zone: string; owner: string } {
  if (net.isIPv4(address)) {
    const octets = address.split('.').reverse();
    return { zone: `${octets.slice(1).join('.')}.in-addr.arpa`, owner: `${octets.join('.')}.in-addr.arpa` };
  }
  const nibbles = expandIPv6(address).split('').reverse();
  return { zone: `${nibbles.slice(16).join('.')}.ip6.arpa`, owner: `${nibbles.join('.')}.ip6.arpa` };
}

/** fd00::2 → "fd000000000000000000000000000002" (32 hex digits). */
function expandIPv6(address: string): string {
  let text = address.toLowerCase();
  // An embedded IPv4 tail (::ffff:192.168.1.2) is two groups.
  const v4 = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (v4) {
    const [a, b, c, d] = v4.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, v4.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.split('::');
  const front = head ? head.split(':') : [];
  const back = tail ? tail.split(':') : [];
  const groups = tail === undefined ? front : [...front, ...new Array<string>(8 - front.length - back.length).fill('0'), ...back];
  return groups.map((group) => group.padStart(4, '0')).join('');
}

/** The zone of ours that `name` falls in (the longest origin that is a suffix), or null. */
export function zoneFor(zones: readonly Zone[], name: string): Zone | null {
  let best: Zone | null = null;
  for (const zone of zones) {
    if (isInZone(name, zone.origin) && (!best || zone.origin.length > best.origin.length)) best = zone;
  }
  return best;
}

/** Every record of a zone, SOA first, for AXFR and the master file. */
export function zoneRecords(zone: Zone): ZoneRecord[] {
  const records: ZoneRecord[] = [];
  for (const node of zone.nodes.values()) for (const rrset of node.values()) records.push(...rrset);
  return records;
}

// Records and zones in BIND master-file form (RFC 1035 §5): one line per record for the
// inspector, and the whole zone file a student would have written by hand for `lanpost export zone`.
import type { Answer, SoaData } from 'dns-packet';
import { absolute, isInZone } from './names.js';
import type { Zone, ZoneRecord } from './zone.js';

/** "mail.lanpost.lan. 300 IN A 192.168.1.20" — absolute names. */
export function formatRecord(record: ZoneRecord | Answer): string {
  if (record.type === 'OPT') return `. OPT udp=${record.udpPayloadSize}`;
  const ttl = 'ttl' in record ? (record.ttl ?? 0) : 0;
  return `${absolute(record.name)} ${ttl} ${('class' in record && record.class) || 'IN'} ${record.type} ${formatData(record, absolute)}`;
}

/** The RDATA in presentation form; names through `name` (absolute or relative to an origin). */
export function formatData(record: ZoneRecord | Answer, name: (n: string) => string): string {
  switch (record.type) {
    case 'A':
    case 'AAAA':
      return record.data;
    case 'NS':
    case 'CNAME':
    case 'PTR':
    case 'DNAME':
      return name(record.data);
    case 'MX':
      return `${record.data.preference ?? 0} ${name(record.data.exchange)}`;
    case 'SRV':
      return `${record.data.priority ?? 0} ${record.data.weight ?? 0} ${record.data.port} ${name(record.data.target)}`;
    case 'TXT': {
      const parts = Array.isArray(record.data) ? record.data : [record.data];
      return parts.map((part) => quote(Buffer.isBuffer(part) ? part : Buffer.from(part))).join(' ');
    }
    case 'SOA':
      return soaData(record.data, name).join(' ');
    default: {
      // RFC 3597 §5: a type we do not spell out, as its raw bytes.
      const data = (record as { data?: unknown }).data;
      return Buffer.isBuffer(data) ? `\\# ${data.length} ${data.toString('hex')}` : JSON.stringify(data);
    }
  }
}

function soaData(soa: SoaData, name: (n: string) => string): string[] {
  return [name(soa.mname), name(soa.rname), `${soa.serial ?? 0}`, `${soa.refresh ?? 0}`, `${soa.retry ?? 0}`, `${soa.expire ?? 0}`, `${soa.minimum ?? 0}`];
}

/** A character-string in quotes: `"` and `\` escaped, bytes outside printable ASCII as \DDD. */
function quote(bytes: Buffer): string {
  let out = '"';
  for (const byte of bytes) {
    if (byte === 0x22 || byte === 0x5c) out += `\\${String.fromCharCode(byte)}`;
    else if (byte < 0x20 || byte > 0x7e) out += `\\${byte.toString().padStart(3, '0')}`;
    else out += String.fromCharCode(byte);
  }
  return `${out}"`;
}

/** The zone as a master file: $ORIGIN and $TTL, names relative to the origin where they are inside it. */
export function formatZone(zone: Zone, header: string[] = []): string {
  const origin = zone.origin;
  const relative = (n: string) => (n === origin ? '@' : isInZone(n, origin) ? n.slice(0, -(origin.length + 1)) : absolute(n));
  const defaultTtl = zone.soa.ttl;
  const lines = [...header.map((line) => `; ${line}`), `$ORIGIN ${absolute(origin)}`, `$TTL ${defaultTtl}`];
  const soa = zone.soa.data;
  const [mname, rname, serial, refresh, retry, expire, minimum] = soaData(soa, relative);
  lines.push(
    `@ IN SOA ${mname} ${rname} (`,
    `        ${serial.padEnd(10)} ; serial (raised on every change)`,
    `        ${refresh.padEnd(10)} ; refresh`,
    `        ${retry.padEnd(10)} ; retry`,
    `        ${expire.padEnd(10)} ; expire`,
    `        ${minimum.padEnd(10)} ) ; minimum: how long "no such name" is cached`,
  );
  const owners = [...zone.nodes.keys()].map(relative);
  const width = Math.min(Math.max(...owners.map((o) => o.length), 1), 40);
  let previousOwner = origin;
  for (const [owner, node] of zone.nodes) {
    for (const rrset of node.values()) {
      for (const record of rrset) {
        if (record.type === 'SOA') continue;
        // A blank owner repeats the previous one, as in hand-written zones.
        const shown = owner === previousOwner ? '' : relative(owner);
        const ttl = record.ttl === defaultTtl ? '' : `${record.ttl}`;
        lines.push(`${shown.padEnd(width)} ${ttl.padEnd(6)} IN ${record.type.padEnd(5)} ${formatData(record, relative)}`);
        previousOwner = owner;
      }
    }
  }
  return lines.join('\n') + '\n';
}

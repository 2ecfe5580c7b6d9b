// Where the served zones come from: the settings, this machine's addresses and the DKIM key files,
// with the SOA serial kept in the database (meta `dns.serial`, next to the hash of the zone it
// belongs to) so that it only ever goes up, and only when the zone really changed.
import type { Settings } from '../settings/schema.js';
import type { Meta } from '../store/meta.js';
import { mailHostAddresses } from './addresses.js';
import { dkimFingerprint, readDkimKeys } from './dkim.js';
import { buildZones, type ZoneSet } from './zone.js';

const SERIAL_KEY = 'dns.serial';
const HASH_KEY = 'dns.zonehash';

/** Builds the zones as they are now, with the serial that belongs to them (raised if they changed). */
export function currentZones(dataDir: string, settings: Settings, meta: Meta): ZoneSet & { problems: string[] } {
  const dkim = readDkimKeys(dataDir, settings.domain);
  const draft = buildZones(settings, { hostAddresses: mailHostAddresses(settings), dkim: dkim.keys }, 0);
  const serial = zoneSerial(meta, draft.hash);
  for (const zone of draft.zones) zone.soa.data.serial = serial;
  return { ...draft, serial, problems: [...dkim.problems, ...draft.warnings] };
}

/**
 * The serial for a zone with this hash: the stored one when the hash is the stored one, else the
 * next one, date-based as in hand-kept zones (YYYYMMDDnn), always above the previous (RFC 1982).
 */
export function zoneSerial(meta: Meta, hash: string, now = new Date()): number {
  return meta.update(() => {
    const previous = Number(meta.get(SERIAL_KEY) ?? 0) || 0;
    if (previous && meta.get(HASH_KEY) === hash) return previous;
    const dated = (now.getUTCFullYear() * 10000 + (now.getUTCMonth() + 1) * 100 + now.getUTCDate()) * 100;
    const next = Math.max(previous + 1, dated) % 2 ** 32 || 1;
    meta.set(SERIAL_KEY, String(next));
    meta.set(HASH_KEY, hash);
    return next;
  });
}

/** Everything the zones depend on, as one string: when it differs, the zones are built again. */
export function zoneInputs(dataDir: string, settings: Settings): string {
  const { domain, hostname, services, dns } = settings;
  return JSON.stringify([domain, hostname, services, dns, mailHostAddresses(settings), dkimFingerprint(dataDir, domain)]);
}

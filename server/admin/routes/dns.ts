// Domain & DNS: the zones the built-in DNS serves (derived from the settings, the same ones
// `lanpost export zone` prints) as a table, and as a BIND zone file to download. Extra records
// are changed through the settings (dns.extraRecords), validated like every setting.
import { formatData, formatZone } from '../../dns/masterfile.js';
import { currentZones } from '../../dns/source.js';
import { zoneRecords } from '../../dns/zone.js';
import type { Handlers } from '../router.js';
import type { AdminState } from '../state.js';

function zones(state: AdminState) {
  return currentZones(state.context.dataDir, state.context.settings(), state.context.mailStore.meta);
}

export const dnsRoutes = {
  'GET /api/dns/zone': ({ state }) => {
    const set = zones(state);
    return {
      serial: set.serial,
      problems: set.problems,
      zones: set.zones.map((zone) => ({
        origin: zone.origin,
        records: zoneRecords(zone).map((record) => ({
          name: record.name,
          ttl: record.ttl,
          type: record.type,
          data: formatData(record, (n) => `${n}.`),
        })),
      })),
      extraRecords: state.context.settings().dns.extraRecords,
      dnsService: state.engine.status('dns'),
    };
  },
  'GET /api/dns/zone.txt': ({ state }) => ({
    filename: `${state.context.settings().domain}.zone`,
    contentType: 'text/plain; charset=utf-8',
    body: zones(state)
      .zones.map((zone) => formatZone(zone, [`zone ${zone.origin}, served by LanPost (derived from its settings; edit those, not this file)`]))
      .join('\n'),
  }),
} satisfies Partial<Handlers>;

// Domain & DNS: the zones the built-in DNS serves (derived from the settings, the same ones
// `lanpost export zone` prints) as a table, and as a BIND zone file to download. Extra records
// are changed through the settings (dns.extraRecords), validated like every setting.
import { formatData, formatZone } from '../../dns/masterfile.js';
import { currentZones } from '../../dns/source.js';
import { zoneRecords } from '../../dns/zone.js';
import { json, type Route } from '../router.js';
import type { AdminState } from '../state.js';
import type { DnsZoneResponse } from '../types.js';

function zones(state: AdminState) {
  return currentZones(state.context.dataDir, state.context.settings(), state.context.mailStore.meta);
}

export const dnsRoutes: Route[] = [
  {
    method: 'GET',
    path: '/api/dns/zone',
    handler: ({ state }) => {
      const set = zones(state);
      const settings = state.context.settings();
      const response: DnsZoneResponse = {
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
        extraRecords: settings.dns.extraRecords,
        dnsService: state.engine.status('dns'),
      };
      return json(response);
    },
  },
  {
    method: 'GET',
    path: '/api/dns/zone.txt',
    handler: ({ state }) => {
      const set = zones(state);
      const body = set.zones
        .map((zone) => formatZone(zone, [`zone ${zone.origin}, served by LanPost (derived from its settings; edit those, not this file)`]))
        .join('\n');
      return { download: { filename: `${state.context.settings().domain}.zone`, contentType: 'text/plain; charset=utf-8', body } };
    },
  },
];

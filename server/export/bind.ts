// `lanpost export bind DIR`: the zones LanPost's DNS serves, as BIND master files, and the
// named.conf lines that load them (to include from named.conf.local).
import { formatZone } from '../dns/masterfile.js';
import { currentZones } from '../dns/source.js';
import { header, type ExportFacts, type ExportFile } from './facts.js';

export function bindFiles(facts: ExportFacts): { files: ExportFile[]; notes: string[] } {
  const zoneSet = currentZones(facts.dataDir, facts.settings, facts.store.meta);
  const files: ExportFile[] = zoneSet.zones.map((zone) => ({
    name: `db.${zone.origin}`,
    content: formatZone(zone, [`zone ${zone.origin}, exported by LanPost (derived from its settings; edit those, not this file)`]),
  }));
  const conf = zoneSet.zones.map((zone) => `zone "${zone.origin}" IN {\n\ttype master;\n\tfile "${facts.out(`db.${zone.origin}`)}";\n\tallow-update { none; };\n};`);
  files.unshift({ name: 'named.conf.local', content: `${header('export bind').replace(/^#/gm, '//')}\n${conf.join('\n')}\n` });
  return { files, notes: zoneSet.problems };
}

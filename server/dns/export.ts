// `lanpost export zone [NAME]`: the zones the DNS service serves, as BIND master files — what a
// student would have written by hand. With NAME, only that zone (for named-checkzone NAME FILE).
import { loadSettings } from '../settings/file.js';
import { openDatabase } from '../store/db.js';
import { Meta } from '../store/meta.js';
import { formatZone } from './masterfile.js';
import { canonicalName } from './names.js';
import { currentZones } from './source.js';

export function exportZoneCommand(dataDir: string, args: string[]): number {
  if (args.length > 1) {
    process.stderr.write('lanpost: export zone takes at most one zone NAME\n');
    return 2;
  }
  const { settings } = loadSettings(dataDir);
  const db = openDatabase(dataDir);
  try {
    const zoneSet = currentZones(dataDir, settings, new Meta(db));
    const wanted = args[0] === undefined ? null : canonicalName(args[0]);
    const zones = wanted === null ? zoneSet.zones : zoneSet.zones.filter((zone) => zone.origin === wanted);
    if (!zones.length) {
      process.stderr.write(`lanpost: no zone ${wanted}; the zones are ${zoneSet.zones.map((z) => z.origin).join(', ')}\n`);
      return 2;
    }
    const text = zones.map((zone) => formatZone(zone, [`zone ${zone.origin}, served by LanPost (derived from its settings; edit those, not this file)`]));
    process.stdout.write(text.join('\n'));
    for (const problem of zoneSet.problems) process.stderr.write(`lanpost: note: ${problem}\n`);
    return 0;
  } finally {
    db.close();
  }
}

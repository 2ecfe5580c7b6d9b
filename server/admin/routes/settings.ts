// Settings: read them, and change some keys — validated by the CLI's own rules (setByKey →
// validateSettings), saved, then applied (only the services whose settings changed restart).
import { saveSettings, setByKey } from '../../settings/file.js';
import { SettingsError, type Settings, type SettingsProblem } from '../../settings/schema.js';
import { ApiError, json, type Route } from '../router.js';
import type { AdminState } from '../state.js';
import type { SettingsChange } from '../types.js';

/**
 * Applies the changes in order (the domain first, so that the host name, origin and local
 * domains follow it as with the CLI). Every bad key is reported; nothing is saved unless all pass.
 */
export function applyChanges(settings: Settings, changes: SettingsChange[]): Settings {
  const ordered = [...changes].sort((a, b) => Number(b.key === 'domain') - Number(a.key === 'domain'));
  const problems: SettingsProblem[] = [];
  let draft = settings;
  for (const { key, value } of ordered) {
    try {
      draft = setByKey(draft, key, value);
    } catch (error) {
      if (!(error instanceof SettingsError)) throw error;
      // A bad domain also makes the names that follow it bad: report the key's own problems first.
      const own = error.problems.filter((p) => p.field === key || p.field.startsWith(`${key}.`));
      problems.push(...(own.length ? own : error.problems).map((p) => (p.field === '(settings)' ? { ...p, field: key } : p)));
    }
  }
  if (problems.length) throw new SettingsError(problems);
  return draft;
}

export async function saveAndApply(state: AdminState, next: Settings): Promise<void> {
  saveSettings(state.context.dataDir, next);
  await state.engine.reloadSettings();
}

function readChanges(body: Record<string, unknown>): SettingsChange[] {
  const changes = body.changes;
  if (!Array.isArray(changes) || !changes.length) throw new ApiError(400, 'send {"changes": [{"key": "...", "value": ...}]}');
  return changes.map((change, index) => {
    if (typeof change !== 'object' || change === null || typeof (change as SettingsChange).key !== 'string' || !('value' in change)) {
      throw new ApiError(400, `changes[${index}] must be {"key": "...", "value": ...}`);
    }
    return change as SettingsChange;
  });
}

export const settingsRoutes: Route[] = [
  { method: 'GET', path: '/api/settings', handler: ({ state }) => json({ settings: state.context.settings() }) },
  {
    method: 'PATCH',
    path: '/api/settings',
    handler: async ({ state, body }) => {
      const next = applyChanges(state.context.settings(), readChanges(body));
      await saveAndApply(state, next);
      return json({ settings: state.context.settings(), services: state.engine.statuses() });
    },
  },
];

// Settings: read them, and change some keys — validated by the CLI's own rules (setByKey →
// validateSettings), saved, then applied (only the services whose settings changed restart).
import { saveSettings, setByKey } from '../../settings/file.js';
import { SettingsError, type Settings, type SettingsProblem } from '../../settings/schema.js';
import type { SettingsChange } from '../contract/index.js';
import type { Handlers } from '../router.js';
import type { AdminState } from '../state.js';

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

export const settingsRoutes = {
  'GET /api/settings': ({ state }) => ({ settings: state.context.settings() }),
  'PATCH /api/settings': async ({ state, body }) => {
    await saveAndApply(state, applyChanges(state.context.settings(), body.changes));
    return { settings: state.context.settings(), services: state.engine.statuses() };
  },
} satisfies Partial<Handlers>;

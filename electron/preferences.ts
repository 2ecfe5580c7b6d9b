// The desktop app's own small state (not the engine's settings): <userData>/desktop.json.
import fs from 'node:fs';
import path from 'node:path';

export interface Preferences {
  /** The one-line notice "LanPost keeps running in the tray" was shown once. */
  closeNoticeShown: boolean;
}

const DEFAULTS: Preferences = { closeNoticeShown: false };
export const PREFERENCES_FILE = 'desktop.json';

export function loadPreferences(dir: string): Preferences {
  try {
    const parsed = JSON.parse(fs.readFileSync(path.join(dir, PREFERENCES_FILE), 'utf8')) as Partial<Preferences>;
    return { closeNoticeShown: parsed.closeNoticeShown === true };
  } catch {
    return { ...DEFAULTS };
  }
}

export function savePreferences(dir: string, preferences: Preferences): void {
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, PREFERENCES_FILE);
  fs.writeFileSync(`${file}.tmp`, JSON.stringify(preferences, null, 2) + '\n');
  fs.renameSync(`${file}.tmp`, file);
}

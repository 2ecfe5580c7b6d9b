// Persistence of the settings object in <data>/settings.json, and the dotted-key edits of the CLI.
import fs from 'node:fs';
import path from 'node:path';
import { defaultSettings } from './defaults.js';
import { SettingsError, validateSettings, type Settings } from './schema.js';

export const SETTINGS_FILE = 'settings.json';

export function settingsPath(dataDir: string): string {
  return path.join(dataDir, SETTINGS_FILE);
}

/** Loads the settings; on a first start writes the defaults. `created` tells which happened. */
export function loadSettings(dataDir: string): { settings: Settings; created: boolean } {
  const file = settingsPath(dataDir);
  if (!fs.existsSync(file)) {
    const settings = defaultSettings();
    saveSettings(dataDir, settings);
    return { settings, created: true };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (error) {
    throw new SettingsError([{ field: SETTINGS_FILE, reason: `is not valid JSON (${(error as Error).message})` }]);
  }
  // Settings added by a newer version start at their defaults.
  return { settings: validateSettings(fillMissing(parsed, defaultSettings())), created: false };
}

/** Writes atomically: a crash leaves the old or the new file, never half of one. */
export function saveSettings(dataDir: string, settings: Settings): void {
  fs.mkdirSync(dataDir, { recursive: true });
  const file = settingsPath(dataDir);
  const temp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(temp, JSON.stringify(settings, null, 2) + '\n', { mode: 0o600 });
  fs.renameSync(temp, file);
}

function fillMissing(value: unknown, defaults: unknown): unknown {
  if (!isPlainObject(value) || !isPlainObject(defaults)) return value;
  const merged: Record<string, unknown> = { ...value };
  for (const [key, fallback] of Object.entries(defaults)) {
    merged[key] = key in value ? fillMissing(value[key], fallback) : fallback;
  }
  return merged;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** VALUE is JSON when it parses as JSON (2525, true, ["10.0.0.0/8"]), else a plain string. */
export function parseCliValue(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

export function getByKey(settings: Settings, key: string): unknown {
  let node: unknown = settings;
  for (const part of key.split('.')) {
    if (!isPlainObject(node) || !(part in node)) throw new SettingsError([{ field: key, reason: 'unknown setting' }]);
    node = node[part];
  }
  return node;
}

/** Returns new settings with KEY set to VALUE, validated as a whole; throws SettingsError. */
export function setByKey(settings: Settings, key: string, value: unknown): Settings {
  getByKey(settings, key); // unknown keys are refused before anything else
  const draft = structuredClone(settings) as unknown as Record<string, unknown>;
  const parts = key.split('.');
  let node = draft;
  for (const part of parts.slice(0, -1)) node = node[part] as Record<string, unknown>;
  node[parts.at(-1)!] = value;
  if (key === 'domain' && typeof value === 'string') followDomain(settings, draft, value.toLowerCase());
  return validateSettings(draft);
}

/** Host name, origin and local domains that still follow the old domain move to the new one. */
function followDomain(before: Settings, draft: Record<string, unknown>, newDomain: string): void {
  const oldDomain = before.domain;
  if (before.hostname === `mail.${oldDomain}`) draft.hostname = `mail.${newDomain}`;
  if (before.origin === oldDomain) draft.origin = newDomain;
  draft.localDomains = [...new Set(before.localDomains.map((d) => (d === oldDomain ? newDomain : d)).concat(newDomain))];
}

// The settings on the Domain & settings page and how their form text maps to values. Pure.
import type { Settings } from '../../../server/admin/contract/index.js';
import type { MessageKey } from '../i18n/en.js';
import { splitList } from './format.js';

export type Kind = 'text' | 'secret' | 'list' | 'number' | 'boolean' | { options: string[] };

export interface FieldSpec {
  key: string;
  kind: Kind;
}

export interface SettingsGroup {
  title: MessageKey;
  fields: FieldSpec[];
}

/** The settings on the Domain & settings page, in groups; labels and help are "setting.<key>" and "setting.<key>.help". */
export const GROUPS: SettingsGroup[] = [
  {
    title: 'settings.group.names',
    fields: [
      { key: 'domain', kind: 'text' },
      { key: 'hostname', kind: 'text' },
      { key: 'origin', kind: 'text' },
      { key: 'localDomains', kind: 'list' },
    ],
  },
  {
    title: 'settings.group.access',
    fields: [
      { key: 'trustedNetworks', kind: 'list' },
      { key: 'plaintextLogin', kind: { options: ['trusted-networks', 'always', 'never'] } },
      { key: 'relay.fromTrustedNetworks', kind: 'boolean' },
    ],
  },
  {
    title: 'settings.group.outbound',
    fields: [
      { key: 'smarthost.host', kind: 'text' },
      { key: 'smarthost.port', kind: 'number' },
      { key: 'smarthost.tls', kind: { options: ['starttls', 'implicit', 'none'] } },
      { key: 'smarthost.username', kind: 'text' },
      { key: 'smarthost.password', kind: 'secret' },
      { key: 'dkim.enabled', kind: 'boolean' },
    ],
  },
  {
    title: 'settings.group.limits',
    fields: [
      { key: 'limits.messageSizeBytes', kind: 'number' },
      { key: 'limits.recipientsPerMessage', kind: 'number' },
      { key: 'limits.connectionsPerClient', kind: 'number' },
      { key: 'limits.connectionsTotal', kind: 'number' },
      { key: 'limits.commandTimeoutSeconds', kind: 'number' },
      { key: 'limits.idleTimeoutSeconds', kind: 'number' },
      { key: 'limits.lineLengthBytes', kind: 'number' },
      { key: 'limits.imapLineLengthBytes', kind: 'number' },
      { key: 'limits.badCommandsPerSession', kind: 'number' },
      { key: 'limits.minFreeDiskBytes', kind: 'number' },
      { key: 'limits.mimeCacheBytes', kind: 'number' },
      { key: 'limits.smtpSoftErrorLimit', kind: 'number' },
      { key: 'limits.smtpHardErrorLimit', kind: 'number' },
      { key: 'limits.smtpErrorSleepSeconds', kind: 'number' },
      { key: 'limits.webBodyBytes', kind: 'number' },
      { key: 'limits.webHeaderBytes', kind: 'number' },
      { key: 'limits.webRequestTimeoutSeconds', kind: 'number' },
      { key: 'limits.messagePathsKept', kind: 'number' },
      { key: 'limits.accountsPerClass', kind: 'number' },
      { key: 'limits.jmapRequestBytes', kind: 'number' },
      { key: 'limits.jmapCallsPerRequest', kind: 'number' },
      { key: 'limits.jmapObjectsPerCall', kind: 'number' },
      { key: 'limits.jmapConcurrentRequests', kind: 'number' },
      { key: 'defaultQuotaBytes', kind: 'number' },
    ],
  },
  {
    title: 'settings.group.throttle',
    fields: [
      { key: 'authThrottle.delayAfterFailures', kind: 'number' },
      { key: 'authThrottle.lockAfterFailures', kind: 'number' },
      { key: 'authThrottle.lockSeconds', kind: 'number' },
      { key: 'authThrottle.addressLockAfterFailures', kind: 'number' },
      { key: 'authThrottle.accountDelayAfterFailures', kind: 'number' },
    ],
  },
];

/** The schedule of the engine's own backups, on the Backup page. */
export const BACKUP_GROUP: SettingsGroup = {
  title: 'settings.group.backup',
  fields: [
    { key: 'backup.enabled', kind: 'boolean' },
    { key: 'backup.timeOfDay', kind: 'text' },
    { key: 'backup.folder', kind: 'text' },
    { key: 'backup.keep', kind: 'number' },
  ],
};

export function valueAt(settings: Settings, key: string): unknown {
  return key.split('.').reduce<unknown>((node, part) => (node as Record<string, unknown>)?.[part], settings);
}

/** What a form field shows for a value. */
export function toText(value: unknown, kind: Kind): string {
  if (kind === 'list') return (value as string[]).join('\n');
  if (kind === 'boolean') return value ? 'true' : 'false';
  return String(value);
}

/** What a form field's text means as a setting value (numbers stay text when not numbers, so the server can say why). */
export function fromText(text: string, kind: Kind): unknown {
  if (kind === 'list') return splitList(text);
  if (kind === 'boolean') return text === 'true';
  if (kind === 'number') return text.trim() !== '' && Number.isFinite(Number(text)) ? Number(text) : text;
  if (kind === 'secret') return text;
  return text.trim();
}


// The classroom's "same thing in the classic stack" panel: the files `lanpost export postfix|
// dovecot|bind` would write for the current settings, as they would sit in /etc (secrets hidden,
// Dovecot's per-mailbox control files left out), and for each of the window's fields the lines
// that do its job there.
import path from 'node:path';
import type { EngineContext } from '../context.js';
import type { Settings } from '../settings/schema.js';
import { bindFiles } from './bind.js';
import { dovecotConfigFiles } from './dovecot.js';
import { exportFacts, type ExportFile } from './facts.js';
import { postfixFiles } from './postfix.js';
import type { ClassicEquivalent, ClassicFile, ClassicServer } from './classic-shapes.js';

const FOLDERS: Record<ClassicServer, string> = { postfix: '/etc/postfix', dovecot: '/etc/dovecot', bind: '/etc/bind' };

/** A line that starts with `key =` (Postfix and Dovecot alike). */
const assignment = (key: string) => new RegExp(`^${key} = .*$`, 'm');
/** Dovecot's inet_listener block of a service. */
const listener = (name: string) => new RegExp(`^  inet_listener ${name} \\{\\n[^}]*\\}`, 'm');
/** A master.cf service entry with its -o lines, found by its syslog name. */
const masterEntry = (name: string) => new RegExp(`^\\S+\\s+inet .*\\n  -o syslog_name=postfix/${name}\\n(?:  -o .*\\n)*`, 'm');

interface Equivalence {
  setting: string;
  value(settings: Settings): unknown;
  find: Array<{ file: (settings: Settings) => string; pattern: (settings: Settings) => RegExp }>;
}

const MAIN_CF = () => '/etc/postfix/main.cf';
const MASTER_CF = () => '/etc/postfix/master.cf';
const DOVECOT_CONF = () => '/etc/dovecot/dovecot.conf';
const ZONE = (s: Settings) => `/etc/bind/db.${s.domain}`;
const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const fixed = (pattern: RegExp) => () => pattern;

const EQUIVALENCES: Equivalence[] = [
  { setting: 'hostname', value: (s) => s.hostname, find: [{ file: MAIN_CF, pattern: fixed(assignment('myhostname')) }, { file: ZONE, pattern: fixed(/^\s+IN MX .*$/m) }] },
  {
    setting: 'domain',
    value: (s) => s.domain,
    find: [
      { file: MAIN_CF, pattern: fixed(assignment('mydomain')) },
      { file: MAIN_CF, pattern: fixed(assignment('virtual_mailbox_domains')) },
      { file: () => '/etc/bind/named.conf.local', pattern: (s) => new RegExp(`^zone "${escape(s.domain)}" IN \\{\\n[^}]*\\};`, 'm') },
    ],
  },
  {
    setting: 'trustedNetworks',
    value: (s) => s.trustedNetworks.join(' '),
    find: [{ file: MAIN_CF, pattern: fixed(assignment('mynetworks')) }, { file: DOVECOT_CONF, pattern: fixed(assignment('login_trusted_networks')) }],
  },
  { setting: 'relay.fromTrustedNetworks', value: (s) => s.relay.fromTrustedNetworks, find: [{ file: MAIN_CF, pattern: fixed(assignment('smtpd_relay_restrictions')) }] },
  {
    setting: 'plaintextLogin',
    value: (s) => s.plaintextLogin,
    find: [{ file: MAIN_CF, pattern: fixed(assignment('smtpd_tls_auth_only')) }, { file: DOVECOT_CONF, pattern: fixed(assignment('disable_plaintext_auth')) }],
  },
  ...(['smtp', 'submission', 'smtps'] as const).map((name) => ({
    setting: `services.${name}.port`,
    value: (s: Settings) => (s.services[name].enabled ? s.services[name].port : 'off'),
    find: [{ file: MASTER_CF, pattern: fixed(masterEntry(name)) }],
  })),
  ...(['imap', 'imaps', 'pop3', 'pop3s'] as const).map((name) => ({
    setting: `services.${name}.port`,
    value: (s: Settings) => (s.services[name].enabled ? s.services[name].port : 'off'),
    find: [{ file: DOVECOT_CONF, pattern: fixed(listener(name)) }],
  })),
  { setting: 'limits.messageSizeBytes', value: (s) => s.limits.messageSizeBytes, find: [{ file: MAIN_CF, pattern: fixed(assignment('message_size_limit')) }] },
  { setting: 'limits.recipientsPerMessage', value: (s) => s.limits.recipientsPerMessage, find: [{ file: MAIN_CF, pattern: fixed(assignment('smtpd_recipient_limit')) }] },
  {
    setting: 'limits.connectionsPerClient',
    value: (s) => s.limits.connectionsPerClient,
    find: [{ file: MAIN_CF, pattern: fixed(assignment('smtpd_client_connection_count_limit')) }, { file: DOVECOT_CONF, pattern: fixed(/^  mail_max_userip_connections = .*$/m) }],
  },
  { setting: 'limits.minFreeDiskBytes', value: (s) => s.limits.minFreeDiskBytes, find: [{ file: MAIN_CF, pattern: fixed(assignment('queue_minfree')) }] },
  { setting: 'smarthost.host', value: (s) => s.smarthost.host || '—', find: [{ file: MAIN_CF, pattern: fixed(assignment('relayhost')) }] },
];

/** The classic configuration of what this engine runs now, and the window's fields beside it. */
export function classicConfiguration(context: EngineContext): { files: ClassicFile[]; equivalents: ClassicEquivalent[] } {
  const settings = context.settings();
  // read once (accounts, aliases, the data folder's owner); each server's files only name their own folder
  const base = exportFacts({ dataDir: context.dataDir, settings, accounts: context.accounts, store: context.mailStore }, FOLDERS.postfix);
  const facts = (server: ClassicServer) => ({ ...base, out: (name: string) => path.posix.join(FOLDERS[server], name) });
  const made: Array<[ClassicServer, ExportFile[]]> = [
    ['postfix', postfixFiles(facts('postfix'))],
    ['dovecot', dovecotConfigFiles(facts('dovecot'))],
    ['bind', bindFiles(facts('bind')).files],
  ];
  const files = made.flatMap(([server, list]) =>
    list.map((file) => ({ server, path: `${FOLDERS[server]}/${file.name}`, content: file.mode === 0o600 ? hideSecrets(file) : file.content })),
  );
  const byPath = new Map(files.map((file) => [file.path, file.content]));
  const equivalents = EQUIVALENCES.map((entry) => ({
    setting: entry.setting,
    value: String(entry.value(settings)),
    lines: entry.find.flatMap(({ file, pattern }) => {
      const path = file(settings);
      const found = byPath.get(path)?.match(pattern(settings));
      return found ? [{ path, text: found[0].trimEnd() }] : [];
    }),
  }));
  return { files, equivalents };
}

/** A secret file (the passwd-file's hashes, the smarthost's password) with its secrets replaced by "…". */
function hideSecrets(file: ExportFile): string {
  return file.content
    .split('\n')
    .map((line) => {
      if (line.startsWith('#') || !line.includes(':')) return line;
      const fields = line.split(':');
      // passwd-file: address:password:uid:…; sasl_passwd: "[host]:port user:password"
      return fields.length > 3 ? [fields[0], '…', ...fields.slice(2)].join(':') : `${fields.slice(0, -1).join(':')}:…`;
    })
    .join('\n');
}

// `lanpost export postfix DIR`: main.cf and master.cf doing what LanPost's SMTP side does now —
// myhostname…mydestination, mynetworks, TLS, submission and smtps, the local domains as virtual
// mailbox domains delivering into the same Maildirs, the aliases, the limits, the smarthost and the
// routes. Lookup tables are texthash: (read as they are; `postmap` and hash: work the same). Logins
// go to Dovecot's SASL socket, as in the classic tutorial (see dovecot.ts).
import { header, listenAddresses, postfixNetwork, type ExportFacts, type ExportFile } from './facts.js';

/** Postfix's own services of a stock master.cf: every installation needs them. */
const INTERNAL_SERVICES = `pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
tlsmgr    unix  -       -       n       1000?   1       tlsmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
proxywrite unix -       -       n       -       1       proxymap
smtp      unix  -       -       n       -       -       smtp
relay     unix  -       -       n       -       -       smtp
  -o syslog_name=postfix/$service_name
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
local     unix  -       n       n       -       -       local
virtual   unix  -       n       n       -       -       virtual
lmtp      unix  -       -       n       -       -       lmtp
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
`;

export function postfixFiles(facts: ExportFacts): ExportFile[] {
  const { settings: s, dataDir } = facts;
  const table = (name: string) => `texthash:${facts.out(name)}`;
  const loopback = ['127.0.0.0/8', '::1/128'];
  const networks = [...new Set([...loopback, ...s.trustedNetworks])].map(postfixNetwork);
  const smtpAddresses = (['smtp', 'submission', 'smtps'] as const).filter((n) => s.services[n].enabled).flatMap((n) => listenAddresses(s.services[n].address));
  const interfaces = smtpAddresses.includes('*') || !smtpAddresses.length ? 'all' : [...new Set(smtpAddresses)].join(', ');
  const relay = ['permit_sasl_authenticated', ...(s.relay.fromTrustedNetworks ? ['permit_mynetworks'] : []), 'reject_unauth_destination'];
  const main = [
    header('export postfix'),
    'compatibility_level = 3.6',
    '',
    '# the names (LanPost: hostname, domain, origin, localDomains)',
    `myhostname = ${s.hostname}`,
    `mydomain = ${s.domain}`,
    `myorigin = ${s.origin === s.domain ? '$mydomain' : s.origin}`,
    '# the local domains are virtual mailbox domains (below), so they are not listed here',
    'mydestination = localhost',
    `inet_interfaces = ${interfaces}`,
    'inet_protocols = all',
    '',
    '# who may relay (LanPost: trustedNetworks, relay.fromTrustedNetworks; logged-in users always may)',
    `mynetworks = ${networks.join(' ')}`,
    `smtpd_relay_restrictions = ${relay.join(', ')}`,
    '',
    '# limits (LanPost: limits.*)',
    `message_size_limit = ${s.limits.messageSizeBytes}`,
    `smtpd_recipient_limit = ${s.limits.recipientsPerMessage}`,
    `smtpd_client_connection_count_limit = ${s.limits.connectionsPerClient}`,
    `smtpd_timeout = ${s.limits.commandTimeoutSeconds}s`,
    `smtpd_soft_error_limit = ${s.limits.smtpSoftErrorLimit}`,
    `smtpd_hard_error_limit = ${s.limits.smtpHardErrorLimit}`,
    `smtpd_error_sleep_time = ${s.limits.smtpErrorSleepSeconds}s`,
    `queue_minfree = ${s.limits.minFreeDiskBytes}`,
    '',
    "# TLS with LanPost's certificate: STARTTLS on 25 and 587, implicit TLS on 465 (master.cf)",
    `smtpd_tls_cert_file = ${dataDir}/tls/server.crt`,
    `smtpd_tls_key_file = ${dataDir}/tls/server.key`,
    'smtpd_tls_security_level = may',
    `smtpd_tls_auth_only = ${s.plaintextLogin === 'always' ? 'no' : 'yes'}`,
    'smtpd_tls_protocols = >=TLSv1.2',
    'smtpd_tls_mandatory_protocols = >=TLSv1.2',
    'smtpd_tls_mandatory_ciphers = high',
    'smtp_tls_security_level = may',
    '',
    '# SMTP AUTH through Dovecot (its passwd-file holds the same passwords)',
    'smtpd_sasl_type = dovecot',
    'smtpd_sasl_path = private/auth',
    'smtpd_sasl_auth_enable = yes',
    'smtpd_sasl_security_options = noanonymous',
    '',
    "# the mailboxes: LanPost's Maildirs, where they are (virtual_mailbox_base is the data folder)",
    `virtual_mailbox_domains = ${s.localDomains.join(', ')}`,
    `virtual_mailbox_base = ${dataDir}`,
    `virtual_mailbox_maps = ${table('vmailbox')}`,
    `virtual_alias_maps = ${table('virtual')}`,
    `virtual_uid_maps = static:${facts.uid}`,
    `virtual_gid_maps = static:${facts.gid}`,
    `virtual_minimum_uid = ${Math.min(facts.uid, 100)}`,
    'virtual_mailbox_limit = 0',
    '',
    '# mail to other domains (LanPost: outbound.*, smarthost, routes)',
    `minimal_backoff_time = ${s.outbound.retryBaseSeconds}s`,
    `maximal_backoff_time = ${s.outbound.retryMaxSeconds}s`,
    `maximal_queue_lifetime = ${s.outbound.lifetimeSeconds}s`,
    `bounce_queue_lifetime = ${s.outbound.lifetimeSeconds}s`,
    `delay_warning_time = ${s.outbound.delayWarningHours}h`,
    `default_destination_concurrency_limit = ${s.outbound.connectionsPerDestination}`,
    `smtp_connect_timeout = ${s.outbound.connectTimeoutSeconds}s`,
    ...(Object.keys(s.routes).length ? [`transport_maps = ${table('transport')}`] : []),
    ...smarthost(facts, table),
    ...(s.dkim.enabled
      ? ['', `# DKIM: Postfix signs through a milter such as OpenDKIM, with the key ${dataDir}/dkim/${s.domain}/${s.dkim.selector}.key.pem (selector ${s.dkim.selector})`]
      : []),
    '',
  ].join('\n');

  const files: ExportFile[] = [
    { name: 'main.cf', content: main },
    { name: 'master.cf', content: masterCf(facts) },
    {
      name: 'vmailbox',
      content: `# address → Maildir (relative to virtual_mailbox_base; the trailing / means Maildir)\n${facts.accounts.map((a) => `${a.address} ${a.maildir}/`).join('\n')}\n`,
    },
    { name: 'virtual', content: `# aliases and lists: address → targets\n${facts.aliases.map((a) => `${a.address} ${a.targets.join(', ')}`).join('\n')}\n` },
  ];
  if (Object.keys(s.routes).length) {
    files.push({ name: 'transport', content: Object.entries(s.routes).map(([domain, hostPort]) => `${domain} smtp:${bracketHost(hostPort)}`).join('\n') + '\n' });
  }
  if (s.smarthost.host && s.smarthost.username) {
    files.push({ name: 'sasl_passwd', content: `[${s.smarthost.host}]:${s.smarthost.port} ${s.smarthost.username}:${s.smarthost.password}\n`, mode: 0o600 });
  }
  return files;
}

function smarthost(facts: ExportFacts, table: (name: string) => string): string[] {
  const { smarthost: host } = facts.settings;
  if (!host.host) return [];
  return [
    `relayhost = [${host.host}]:${host.port}`,
    ...(host.username ? ['smtp_sasl_auth_enable = yes', `smtp_sasl_password_maps = ${table('sasl_passwd')}`, 'smtp_sasl_security_options = noanonymous'] : []),
    ...(host.tls === 'implicit' ? ['smtp_tls_wrappermode = yes', 'smtp_tls_security_level = encrypt'] : host.tls === 'starttls' ? ['smtp_tls_security_level = encrypt'] : []),
    ...(host.tls !== 'none' && host.requireValidCertificate ? ['smtp_tls_CAfile = /etc/ssl/certs/ca-certificates.crt'] : []),
  ];
}

/** "127.0.0.1:2526" → "[127.0.0.1]:2526" (no MX lookup, as LanPost's routes). */
function bracketHost(hostPort: string): string {
  const colon = hostPort.lastIndexOf(':');
  return `[${hostPort.slice(0, colon)}]:${hostPort.slice(colon + 1)}`;
}

function masterCf(facts: ExportFacts): string {
  const { services } = facts.settings;
  const listener = (name: 'smtp' | 'submission' | 'smtps', options: string[]) => {
    const service = services[name];
    if (!service.enabled) return [];
    return listenAddresses(service.address)
      .filter((address) => address !== '::')
      .map((address) => {
        const at = address === '*' ? `${service.port}` : `${address.includes(':') ? `[${address}]` : address}:${service.port}`;
        return [`${at.padEnd(9)} inet  n       -       n       -       -       smtpd`, `  -o syslog_name=postfix/${name}`, ...options.map((o) => `  -o ${o}`)].join('\n');
      });
  };
  const login = ['smtpd_sasl_auth_enable=yes', 'smtpd_relay_restrictions=permit_sasl_authenticated,reject', 'milter_macro_daemon_name=ORIGINATING'];
  return [
    header('export postfix'),
    '# service   type  private unpriv  chroot  wakeup  maxproc command + args',
    ...listener('smtp', []),
    ...listener('submission', ['smtpd_tls_security_level=encrypt', 'smtpd_tls_auth_only=yes', ...login]),
    ...listener('smtps', ['smtpd_tls_wrappermode=yes', ...login]),
    INTERNAL_SERVICES,
  ].join('\n');
}

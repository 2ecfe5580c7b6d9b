// `lanpost export dovecot DIR`: a dovecot.conf (Dovecot 2.3) serving LanPost's Maildirs where they
// are, with the same IMAP and POP3 ports, TLS certificate and plaintext-login rule, and a
// passwd-file with each account's bcrypt hash (BLF-CRYPT; see accounts/password.ts). Dovecot's
// control files go into DIR, never into the data folder: a dovecot-uidlist per mailbox carrying
// LanPost's UIDVALIDITY and UIDs (so mail programs do not fetch everything again) and a copy of the
// keywords' letters. A "." inside a folder name, which LanPost keeps as %2E (Maildir++ has "."
// between levels), shows in Dovecot as "%2E".
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { SPECIAL_MAILBOXES } from '../store/mailboxes.js';
import { header, listenAddresses, type ExportFacts, type ExportFile } from './facts.js';

/** Where Postfix finds Dovecot's SASL socket (smtpd_sasl_path = private/auth in its queue directory). */
export const POSTFIX_AUTH_SOCKET = '/var/spool/postfix/private/auth';

export function dovecotFiles(facts: ExportFacts): ExportFile[] {
  return [...dovecotConfigFiles(facts), ...facts.accounts.flatMap((account) => controlFiles(facts, account))];
}

/** dovecot.conf and the passwd-file, without the control files of each mailbox. */
export function dovecotConfigFiles(facts: ExportFacts): ExportFile[] {
  return [
    { name: 'dovecot.conf', content: dovecotConf(facts) },
    { name: 'passwd', content: passwdFile(facts), mode: 0o600, group: 'dovecot' },
  ];
}

function dovecotConf(facts: ExportFacts): string {
  const { settings: s, dataDir } = facts;
  const imap = s.services.imap.enabled || s.services.imaps.enabled;
  const pop3 = s.services.pop3.enabled || s.services.pop3s.enabled;
  const protocols = [...(imap ? ['imap'] : []), ...(pop3 ? ['pop3'] : [])];
  const listener = (name: 'imap' | 'imaps' | 'pop3' | 'pop3s') => {
    const service = s.services[name];
    return [
      `  inet_listener ${name} {`,
      `    address = ${listenAddresses(service.address).join(', ')}`,
      `    port = ${service.enabled ? service.port : 0}`,
      ...(name.endsWith('s') ? ['    ssl = yes'] : []),
      '  }',
    ];
  };
  const lines = [
    header('export dovecot'),
    `protocols = ${protocols.join(' ') || 'none'}`,
    '',
    "# TLS with LanPost's certificate; plaintext logins as LanPost allows them (plaintextLogin, trustedNetworks)",
    'ssl = yes',
    `ssl_cert = <${dataDir}/tls/server.crt`,
    `ssl_key = <${dataDir}/tls/server.key`,
    'ssl_min_protocol = TLSv1.2',
    `disable_plaintext_auth = ${s.plaintextLogin === 'always' ? 'no' : 'yes'}`,
    ...(s.plaintextLogin === 'trusted-networks' && s.trustedNetworks.length ? [`login_trusted_networks = ${s.trustedNetworks.join(' ')}`] : []),
    'auth_mechanisms = plain login',
    '',
    "# the accounts: each one's password as bcrypt, its Maildir in LanPost's data folder, Dovecot's own files in this folder",
    'passdb {',
    '  driver = passwd-file',
    `  args = scheme=BLF-CRYPT username_format=%u ${facts.out('passwd')}`,
    '}',
    'userdb {',
    '  driver = passwd-file',
    `  args = username_format=%u ${facts.out('passwd')}`,
    '}',
    `first_valid_uid = ${Math.min(facts.uid, 500)}`,
    '',
    '# the folders as LanPost has them: Maildir++ (".Work.2024"), "/" between levels, the special-use folders',
    'namespace inbox {',
    '  inbox = yes',
    '  separator = /',
    ...SPECIAL_MAILBOXES.flatMap(([name, use]) => [`  mailbox ${name} {`, `    special_use = ${use}`, '    auto = subscribe', '  }']),
    '}',
    '',
    '# the ports (LanPost: services.imap, imaps, pop3, pop3s)',
    'service imap-login {',
    ...listener('imap'),
    ...listener('imaps'),
    '}',
    'service pop3-login {',
    ...listener('pop3'),
    ...listener('pop3s'),
    '}',
    `protocol imap {\n  mail_max_userip_connections = ${s.limits.connectionsPerClient}\n}`,
    'pop3_uidl_format = %08Xu%08Xv',
    '',
    "# SMTP AUTH for Postfix (smtpd_sasl_type = dovecot, smtpd_sasl_path = private/auth)",
    'service auth {',
    `  unix_listener ${POSTFIX_AUTH_SOCKET} {`,
    '    mode = 0660',
    '    user = postfix',
    '    group = postfix',
    '  }',
    '}',
    '',
  ];
  return lines.join('\n');
}

/** user:password:uid:gid::home::extra — the home is the folder above the Maildir (mail_location's ~/Maildir). */
function passwdFile(facts: ExportFacts): string {
  const lines = ['# address:password:uid:gid::home::extra fields; "*" = no Dovecot-readable password (see the export\'s notes)'];
  for (const account of facts.accounts) {
    const home = path.dirname(path.join(facts.dataDir, account.maildir));
    const password = account.bcryptHash && !account.disabled ? `{BLF-CRYPT}${account.bcryptHash}` : '*';
    const control = facts.out(path.join('control', account.address));
    const index = facts.out(path.join('index', account.address));
    const mail = `userdb_mail=maildir:~/Maildir:CONTROL=${control}:INDEX=${index}`;
    lines.push(`${account.address}:${password}:${facts.uid}:${facts.gid}::${home}::${mail}`);
  }
  return lines.join('\n') + '\n';
}

/** Per mailbox: dovecot-uidlist with LanPost's UIDVALIDITY and UIDs, and the keywords' letters. */
function controlFiles(facts: ExportFacts, account: ExportFacts['accounts'][number]): ExportFile[] {
  const files: ExportFile[] = [{ name: path.join('index', account.address, '.keep'), content: '', mailOwned: true }];
  for (const mailbox of facts.store.listMailboxes(account.id)) {
    // with CONTROL= set, Dovecot keeps INBOX's control files in ".INBOX" beside the other folders'
    const dir = path.join('control', account.address, mailbox.folder || '.INBOX');
    const guid = crypto.createHash('md5').update(`${account.address}\0${mailbox.uidvalidity}\0${mailbox.name}`).digest('hex');
    const records = facts.store.listMessages(mailbox.id).map((m) => `${m.uid} :${path.basename(m.filename)}`);
    files.push({
      name: path.join(dir, 'dovecot-uidlist'),
      content: [`3 V${mailbox.uidvalidity} N${mailbox.uidnext} G${guid}`, ...records].join('\n') + '\n',
      mailOwned: true,
    });
    const keywords = path.join(facts.store.folderPath(account, mailbox), 'dovecot-keywords');
    if (fs.existsSync(keywords)) files.push({ name: path.join(dir, 'dovecot-keywords'), content: fs.readFileSync(keywords, 'utf8'), mailOwned: true });
    if (mailbox.folder) files.push({ name: path.join(dir, 'maildirfolder'), content: '', mailOwned: true });
  }
  return files;
}

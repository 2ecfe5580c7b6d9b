// The landing page's text in English; zh.ts has every key of it (typed).
export const en = {
  'page.title': 'Set up mail on this device',
  'page.intro': 'LanPost is the mail server of {domain} on this network. Type your address, then follow the steps for your device.',
  'page.language': 'Language',
  'page.loading': 'Loading…',
  'page.unreachable': 'The mail server does not answer. Is LanPost still running?',

  'address.label': 'Your mail address',
  'address.foreign': '{domain} is not a mail domain of this server (it serves {domains}).',
  'address.malformed': 'Type the whole address, such as alice@{domain}.',

  'device.detected': 'This looks like: {device}. Not right? Choose your program or device:',
  'device.thunderbird': 'Thunderbird',
  'device.outlook': 'Outlook',
  'device.apple': 'iPhone, iPad or Mac',
  'device.android': 'Android',
  'device.windows-mail': 'Windows Mail',

  'thunderbird.1': 'Open Thunderbird and choose Account Settings → Account Actions → Add Mail Account (on the first start Thunderbird asks by itself).',
  'thunderbird.2': 'Type your name, {address} and your password, then Continue.',
  'thunderbird.3': 'Thunderbird finds the servers by itself (IMAP and SMTP with SSL/TLS): check them and choose Done. Nothing else to type.',
  'thunderbird.4': 'If Thunderbird warns about the certificate, import the LanPost CA once (below): Settings → Privacy & Security → Certificates → Manage Certificates → Authorities → Import, and tick "Trust this CA to identify websites".',

  'outlook.1': 'Install the LanPost CA once: download lanpost-ca.cer (below), open it, choose Install Certificate → Current User → "Place all certificates in the following store" → Trusted Root Certification Authorities → Finish, and answer Yes.',
  'outlook.2': 'Classic Outlook for Windows: File → Add Account, type {address}, Connect. Outlook looks up autodiscover.{domain} and fills in the servers; type your password when it asks.',
  'outlook.newerTitle': 'Newer Outlook versions',
  'outlook.newer1': 'Outlook for Microsoft 365 and Outlook 2016 or later first ask Microsoft about the address. For a domain that exists only on this network Microsoft knows nothing, and Outlook shows a list of account types: choose IMAP, then type the servers from the table below (Advanced options → "Let me set up my account manually" leads there directly).',
  'outlook.newer2': 'The new Outlook for Windows and Outlook for iPhone and Android reach IMAP accounts through Microsoft\'s cloud, which cannot reach a server on your network: use classic Outlook, Thunderbird or the phone\'s own mail app.',

  'apple.1': 'Tap "Download the profile" below. With your password typed in, the device will not ask for it again.',
  'apple.2': 'iPhone or iPad: Settings → Profile Downloaded → Install. It says "Not Verified": that is expected for a profile made on this network. Mac: System Settings → Privacy & Security → Profiles, then Install.',
  'apple.3': 'iPhone or iPad only: Settings → General → About → Certificate Trust Settings, and turn on "LanPost CA ({domain})".',
  'apple.4': 'Open Mail: the account {address} is there. Installing the profile again later replaces it.',
  'apple.password': 'Password (optional; only sent over this encrypted page)',
  'apple.download': 'Download the profile',
  'apple.notSecure': 'This page did not come over HTTPS, so the profile comes without your password: the device asks for it.',
  'apple.problem.invalid': 'Wrong address or password. Try again, or download the profile without the password.',
  'apple.problem.disabled': 'This mailbox is disabled. Ask the person who runs LanPost.',
  'apple.problem.throttled': 'Too many wrong passwords from this device. Wait a few minutes, or download the profile without the password.',

  'android.1': 'Download lanpost-ca.crt (below). Then Settings → Security → More security settings → Encryption & credentials → Install a certificate → CA certificate, and choose the file. (Names differ between makers: search Settings for "CA certificate".) Compare the fingerprint first.',
  'android.2': 'Thunderbird for Android (K-9 Mail): type {address} and your password; it finds the servers by itself.',
  'android.3': 'Other mail apps (such as Gmail → Add account → Other): choose IMAP and type the servers from the table below, with your whole address as the user name.',

  'windows-mail.1': 'Install the LanPost CA once, as for Outlook: open lanpost-ca.cer (below) → Install Certificate → Current User → Trusted Root Certification Authorities.',
  'windows-mail.2': 'Mail → Settings → Manage accounts → Add account → Advanced setup → Internet email.',
  'windows-mail.3': 'Type {address} as the address and user name, your password, IMAP4, and the servers from the table below; keep "Outgoing server requires authentication" and both "Require SSL" boxes ticked.',
  'windows-mail.4': 'Windows 11 replaced Mail with the new Outlook in 2024; see Outlook for what it can and cannot reach.',

  'servers.title': 'The servers, if a program asks',
  'servers.kind': 'Kind',
  'servers.server': 'Server',
  'servers.port': 'Port',
  'servers.security': 'Security',
  'servers.kind.imap': 'Incoming (IMAP)',
  'servers.kind.pop3': 'Incoming (POP3)',
  'servers.kind.smtp': 'Outgoing (SMTP)',
  'servers.tls.ssl': 'SSL/TLS',
  'servers.tls.starttls': 'STARTTLS',
  'servers.username': 'User name: your whole address. Password: your mailbox password. Authentication: normal password.',

  'ca.title': 'The LanPost certificate authority',
  'ca.intro': 'Your device trusts this server once it trusts the LanPost CA. Before you install it, compare this fingerprint with the one on the Certificates page of LanPost\'s window:',
  'ca.crt': 'lanpost-ca.crt (PEM: Android, Thunderbird, Linux)',
  'ca.cer': 'lanpost-ca.cer (DER: Windows, Mac)',
} as const;

export type MessageKey = keyof typeof en;

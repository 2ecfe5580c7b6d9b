// The Apple configuration profile (.mobileconfig) of one user: a com.apple.mail.managed payload
// (the mail account: IMAP over TLS, SMTP with password login) and a com.apple.security.root
// payload with the LanPost CA, so that an iPhone, iPad or Mac trusts the server in the same step.
// Unsigned (the device says "Not Verified"). Identifiers and UUIDs depend only on the domain and
// the address, so installing the profile again replaces it rather than adding a second account.
import * as plist from 'plist';
import { v5 as uuidFromName } from 'uuid';
import type { EngineContext } from '../../context.js';
import type { Settings } from '../../settings/schema.js';
import { caCertificate } from '../../tls/certificates.js';
import { offeredServers, preferred, type OfferedServer } from './offered-servers.js';

/** The namespace of LanPost's name-based (v5) UUIDs: a constant, so that the same names give the same UUIDs everywhere. */
const UUID_NAMESPACE = '5b1f3a8e-43c2-4d0b-9a57-2f6c1e8d7b90';

export const PROFILE_CONTENT_TYPE = 'application/x-apple-aspen-config';

export interface ProfileAccount {
  address: string;
  /** The user's name, when known (after a login). */
  displayName?: string;
  /** Only when the user typed it on the landing page over HTTPS: then the device does not ask. */
  password?: string;
}

export class ProfileError extends Error {}

export function profileFilename(address: string): string {
  return `${address}.mobileconfig`;
}

export function appleProfile(settings: Settings, servers: readonly OfferedServer[], caDer: Buffer, account: ProfileAccount): string {
  const incoming = preferred(servers, 'imap') ?? preferred(servers, 'pop3');
  const outgoing = preferred(servers, 'smtp');
  if (!incoming || !outgoing) throw new ProfileError('no incoming or no outgoing mail service is turned on');
  const { address, displayName, password } = account;
  const name = (part: string) => `${settings.domain}/${address}/${part}`;
  const identifier = (part: string) => `lan.lanpost.${part}.${settings.domain}.${address}`.replace(/[^A-Za-z0-9.-]/g, '-');
  const mail = {
    PayloadType: 'com.apple.mail.managed',
    PayloadVersion: 1,
    PayloadIdentifier: identifier('mail'),
    PayloadUUID: uuidFromName(name('mail'), UUID_NAMESPACE).toUpperCase(),
    PayloadDisplayName: `Mail (${address})`,
    EmailAccountDescription: address,
    ...(displayName ? { EmailAccountName: displayName } : {}),
    EmailAccountType: incoming.kind === 'imap' ? 'EmailTypeIMAP' : 'EmailTypePOP',
    EmailAddress: address,
    IncomingMailServerAuthentication: 'EmailAuthPassword',
    IncomingMailServerHostName: settings.hostname,
    IncomingMailServerPortNumber: incoming.port,
    // With STARTTLS ports (143, 110, 587) "use SSL" makes Apple's Mail upgrade before logging in.
    IncomingMailServerUseSSL: true,
    IncomingMailServerUsername: address,
    ...(password ? { IncomingPassword: password } : {}),
    OutgoingMailServerAuthentication: 'EmailAuthPassword',
    OutgoingMailServerHostName: settings.hostname,
    OutgoingMailServerPortNumber: outgoing.port,
    OutgoingMailServerUseSSL: true,
    OutgoingMailServerUsername: address,
    OutgoingPasswordSameAsIncomingPassword: true,
    ...(password ? { OutgoingPassword: password } : {}),
  };
  const ca = {
    PayloadType: 'com.apple.security.root',
    PayloadVersion: 1,
    PayloadIdentifier: identifier('ca'),
    PayloadUUID: uuidFromName(name('ca'), UUID_NAMESPACE).toUpperCase(),
    PayloadDisplayName: `LanPost CA (${settings.domain})`,
    PayloadCertificateFileName: 'lanpost-ca.cer',
    PayloadContent: caDer,
  };
  return plist.build({
    PayloadType: 'Configuration',
    PayloadVersion: 1,
    PayloadIdentifier: identifier('profile'),
    PayloadUUID: uuidFromName(name('profile'), UUID_NAMESPACE).toUpperCase(),
    PayloadDisplayName: `Mail for ${address}`,
    PayloadDescription: `The mail account ${address} on ${settings.hostname} and the LanPost certificate authority that vouches for it.`,
    PayloadOrganization: 'LanPost',
    PayloadRemovalDisallowed: false,
    PayloadContent: [mail, ca],
  });
}


/** The profile of `account` with the engine's settings, services and CA. */
export function profileFor(context: EngineContext, account: ProfileAccount): string {
  const settings = context.settings();
  return appleProfile(settings, offeredServers(settings, context.listeningPort), caCertificate(context.dataDir).der, account);
}

// "Copy client settings" in the tray: what a user types into Thunderbird, Outlook or a phone,
// as plain text from the engine's snapshot (only services that are listening are offered).
import type { EngineSnapshot } from '../server/engine-messages.js';
import type { ServiceStatus } from '../server/net/listener.js';
import type { ServiceName } from '../server/settings/schema.js';

interface Offer {
  service: ServiceName;
  security: string;
}

const INCOMING: { title: string; offers: Offer[] }[] = [
  { title: 'Incoming (IMAP)', offers: [{ service: 'imaps', security: 'SSL/TLS' }, { service: 'imap', security: 'STARTTLS' }] },
  { title: 'Incoming (POP3)', offers: [{ service: 'pop3s', security: 'SSL/TLS' }, { service: 'pop3', security: 'STARTTLS' }] },
];
// Port 25 is for servers; clients send on 465 or 587 with a login.
const OUTGOING: Offer[] = [{ service: 'smtps', security: 'SSL/TLS' }, { service: 'submission', security: 'STARTTLS' }];

function listening(snapshot: EngineSnapshot, name: ServiceName): ServiceStatus | undefined {
  return snapshot.services.find((s) => s.name === name && s.state === 'listening');
}

function offered(snapshot: EngineSnapshot, offers: Offer[]): string | null {
  const lines = offers.flatMap((offer) => {
    const status = listening(snapshot, offer.service);
    return status ? [`port ${status.port}, ${offer.security}`] : [];
  });
  return lines.length ? lines.join(' or ') : null;
}

export function clientSettingsText(snapshot: EngineSnapshot): string {
  const server = snapshot.lanAddresses[0] ? `${snapshot.hostname} (or ${snapshot.lanAddresses[0]} where that name does not resolve)` : snapshot.hostname;
  const lines = [`LanPost mail settings for ${snapshot.domain}`, `Server: ${server}`, `User name: your full address, e.g. someone@${snapshot.domain}`];
  for (const { title, offers } of INCOMING) {
    const text = offered(snapshot, offers);
    if (text) lines.push(`${title}: ${text}`);
  }
  const outgoing = offered(snapshot, OUTGOING);
  lines.push(outgoing ? `Outgoing (SMTP): ${outgoing}; authentication: normal password, same user name` : 'Outgoing (SMTP): not running');
  lines.push('Password: the one your LanPost administrator gave you');
  lines.push("The server's certificate is signed by the LanPost local CA: install the CA from the LanPost window (Certificates) to avoid warnings.");
  return lines.join('\n') + '\n';
}

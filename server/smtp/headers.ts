// Trace and missing headers added to accepted mail.
import crypto from 'node:crypto';

export interface ReceivedInfo {
  helo: string;
  clientAddress: string;
  clientHostname: string;
  hostname: string;
  /** RFC 3848 transmission type: SMTP, ESMTP, ESMTPS, ESMTPA, ESMTPSA. */
  protocol: string;
  tlsCipher: { name: string; version: string } | null;
  authenticatedAs: string | null;
  id: string;
  /** Named in the header only when there is exactly one (RFC 5321 §4.4: privacy of lists). */
  recipients: string[];
  date: Date;
}

/** RFC 5321 §4.4 Received line, in the form Postfix writes. */
export function receivedHeader(info: ReceivedInfo): string {
  // Postfix's form: "from HELO (NAME [ADDRESS])", NAME "unknown" without a reverse lookup.
  const name = info.clientHostname && !info.clientHostname.startsWith('[') ? info.clientHostname : 'unknown';
  const lines = [`Received: from ${info.helo || 'unknown'} (${name} [${info.clientAddress}])`];
  if (info.tlsCipher) lines.push(`\t(using ${info.tlsCipher.version} with cipher ${info.tlsCipher.name})`);
  if (info.authenticatedAs) lines.push(`\t(Authenticated sender: ${info.authenticatedAs})`);
  lines.push(`\tby ${info.hostname} (LanPost) with ${info.protocol} id ${info.id}`);
  const forPart = info.recipients.length === 1 ? `for <${info.recipients[0]}>; ` : '';
  lines.push(`\t${forPart}${rfc5322Date(info.date)}`);
  return lines.join('\r\n') + '\r\n';
}

/** "Sat, 28 Nov 2026 12:00:00 +0000" (RFC 5322 §3.3), in UTC. */
export function rfc5322Date(date: Date): string {
  return date.toUTCString().replace('GMT', '+0000');
}

/** The header block of a message (up to the first empty line). */
export function headerBlock(message: Buffer): string {
  const crlf = message.indexOf('\r\n\r\n');
  const lf = message.indexOf('\n\n');
  const end = crlf >= 0 && (lf < 0 || crlf < lf) ? crlf : lf >= 0 ? lf : message.length;
  return message.subarray(0, end).toString('latin1');
}

/** Message-ID and Date for a submitted message that lacks them (RFC 5322 §3.6). */
export function missingHeaders(message: Buffer, hostname: string, now: Date): string {
  const headers = headerBlock(message);
  let added = '';
  if (!/^message-id[ \t]*:/im.test(headers)) added += `Message-ID: <${crypto.randomUUID()}@${hostname}>\r\n`;
  if (!/^date[ \t]*:/im.test(headers)) added += `Date: ${rfc5322Date(now)}\r\n`;
  return added;
}

// Delivery status notifications (RFC 3464): a multipart/report (RFC 6522) with a human-readable
// part, the machine-readable message/delivery-status, and the original message's headers as
// text/rfc822-headers. Sent with the null sender (RFC 5321 §4.5.5) so they are never bounced.
import crypto from 'node:crypto';
import { rfc5322Date } from '../../smtp/headers.js';

export interface DsnRecipient {
  recipient: string;
  /** failed: given up (bounced or expired); delayed: still trying (a delay warning). */
  action: 'failed' | 'delayed';
  /** Enhanced status code (RFC 3463), e.g. 5.1.1. */
  status: string;
  /** The remote server's reply (goes in as "smtp;") or a local description ("x-lanpost;"). */
  diagnostic: string | null;
  diagnosticFromRemote: boolean;
  /** The server that answered, e.g. "mx.example.org[192.0.2.1]:25". */
  remoteMta: string | null;
  lastAttemptAt: number | null;
  /** For delayed: until when delivery goes on being tried. */
  willRetryUntil?: number;
}

export interface DsnInput {
  /** Our host name (Reporting-MTA). */
  hostname: string;
  /** The mail domain: the report comes from MAILER-DAEMON@domain. */
  domain: string;
  /** Who is told: the original envelope sender. */
  to: string;
  queueId: string;
  arrivalDate: number;
  recipients: DsnRecipient[];
  /** The original message (only its header block goes into the report). */
  original: Buffer;
  now?: Date;
}

/** The original's header block, with its own line ends, up to (not including) the empty line. */
export function originalHeaders(message: Buffer): Buffer {
  for (let i = 0; i < message.length; i++) {
    if (message[i] !== 0x0a) continue;
    if (message[i + 1] === 0x0a) return message.subarray(0, i + 1);
    if (message[i + 1] === 0x0d && message[i + 2] === 0x0a) return message.subarray(0, i + 1);
  }
  return message;
}

/** Text that goes into a header field or a DSN field: one line of printable ASCII. */
function fieldText(text: string): string {
  return text.replace(/[\r\n\t]+/g, ' ').replace(/[^\x20-\x7e]/g, '?').trim();
}

export function buildDsn(input: DsnInput): Buffer {
  const now = input.now ?? new Date();
  const failed = input.recipients.some((r) => r.action === 'failed');
  const boundary = `=_lanpost_${crypto.randomBytes(12).toString('hex')}`;
  const headers = [
    `From: Mail Delivery System <MAILER-DAEMON@${input.domain}>`,
    `To: <${input.to}>`,
    `Subject: ${failed ? 'Undelivered Mail Returned to Sender' : 'Delayed Mail (still being retried)'}`,
    `Date: ${rfc5322Date(now)}`,
    `Message-ID: <${input.queueId}.${crypto.randomBytes(6).toString('hex')}@${input.hostname}>`,
    'Auto-Submitted: auto-replied', // RFC 3834: automatic replies never answer this
    'MIME-Version: 1.0',
    `Content-Type: multipart/report; report-type=delivery-status;\r\n\tboundary="${boundary}"`,
  ];

  const explanation = failed
    ? [
        `This is the mail system at host ${input.hostname}.`,
        '',
        "I'm sorry to have to inform you that your message could not be delivered to one or more",
        'recipients. It is attached below (its headers).',
      ]
    : [
        `This is the mail system at host ${input.hostname}.`,
        '',
        '####################################################################',
        '# THIS IS A WARNING ONLY.  YOU DO NOT NEED TO RESEND YOUR MESSAGE. #',
        '####################################################################',
        '',
        'Your message could not be delivered yet to the recipients below. The mail system will go on',
        `trying until ${rfc5322Date(new Date(Math.max(...input.recipients.map((r) => r.willRetryUntil ?? 0))))}.`,
      ];
  for (const r of input.recipients) {
    const where = r.remoteMta ? ` host ${fieldText(r.remoteMta)} said:` : '';
    explanation.push('', `<${fieldText(r.recipient)}>:${where} ${fieldText(r.diagnostic ?? r.status)}`);
  }

  // RFC 3464 §2.2: per-message fields, then one block per recipient (§2.3), blocks separated by empty lines.
  const status = [`Reporting-MTA: dns; ${input.hostname}`, `X-LanPost-Queue-ID: ${input.queueId}`, `Arrival-Date: ${rfc5322Date(new Date(input.arrivalDate))}`];
  for (const r of input.recipients) {
    status.push('', `Final-Recipient: rfc822; ${fieldText(r.recipient)}`, `Action: ${r.action}`, `Status: ${r.status}`);
    if (r.remoteMta) status.push(`Remote-MTA: dns; ${fieldText(r.remoteMta)}`);
    if (r.diagnostic) status.push(`Diagnostic-Code: ${r.diagnosticFromRemote ? 'smtp' : 'x-lanpost'}; ${fieldText(r.diagnostic)}`);
    if (r.lastAttemptAt) status.push(`Last-Attempt-Date: ${rfc5322Date(new Date(r.lastAttemptAt))}`);
    if (r.willRetryUntil) status.push(`Will-Retry-Until: ${rfc5322Date(new Date(r.willRetryUntil))}`);
  }

  const original = originalHeaders(input.original);
  const eightBit = original.some((byte) => byte > 0x7f);
  const text = [
    headers.join('\r\n'),
    '',
    'This is a MIME-encapsulated message.',
    '',
    `--${boundary}`,
    'Content-Description: Notification',
    'Content-Type: text/plain; charset=us-ascii',
    '',
    explanation.join('\r\n'),
    '',
    `--${boundary}`,
    'Content-Description: Delivery report',
    'Content-Type: message/delivery-status',
    '',
    status.join('\r\n'),
    '',
    `--${boundary}`,
    'Content-Description: Undelivered Message Headers',
    'Content-Type: text/rfc822-headers',
    ...(eightBit ? ['Content-Transfer-Encoding: 8bit'] : []),
    '',
    '',
  ].join('\r\n');
  const tail = `\r\n--${boundary}--\r\n`;
  return Buffer.concat([Buffer.from(text, 'latin1'), normalizeLineEnds(original), Buffer.from(tail)]);
}

function normalizeLineEnds(bytes: Buffer): Buffer {
  const text = bytes.toString('latin1').replace(/\r?\n/g, '\r\n').replace(/\r\n$/, '');
  return Buffer.from(text, 'latin1');
}

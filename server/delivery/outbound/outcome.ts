// What one attempt meant for one recipient: delivered (2xx), deferred (4xx, no connection, DNS
// trouble: try again later) or failed (5xx, null MX, no such domain: bounce now), with the
// enhanced status code (RFC 3463) that goes into the queue row and the DSN.

export type OutcomeKind = 'delivered' | 'deferred' | 'failed';

export interface Outcome {
  kind: OutcomeKind;
  /** Enhanced status code, e.g. 2.0.0, 4.4.1, 5.1.1. */
  status: string;
  /** The remote server's reply as it came, or a description of what went wrong locally. */
  response: string;
  /** Whether `response` is the remote server's own reply (it then becomes the DSN's Diagnostic-Code: smtp;). */
  fromRemote: boolean;
}

const ENHANCED = /^[245]\.\d{1,3}\.\d{1,3}$/;

/** An outcome from a remote SMTP reply such as "550 5.1.1 <bob@x>: no such user". */
export function outcomeFromReply(reply: string): Outcome {
  const text = oneLine(reply);
  const code = Number(text.slice(0, 3));
  const kind: OutcomeKind = code >= 200 && code < 300 ? 'delivered' : code >= 500 && code < 600 ? 'failed' : 'deferred';
  const words = text.slice(4).split(/\s+/);
  // The enhanced code must agree with the reply class (RFC 3463 §2); else derive a generic one.
  const enhanced = words[0] && ENHANCED.test(words[0]) && words[0][0] === text[0] ? words[0] : null;
  const generic = kind === 'delivered' ? '2.0.0' : kind === 'failed' ? '5.0.0' : '4.0.0';
  return { kind, status: enhanced ?? generic, response: text, fromRemote: code >= 200 && code < 600 };
}

export function delivered(response: string): Outcome {
  return { kind: 'delivered', status: '2.0.0', response, fromRemote: false };
}

export function deferred(status: string, response: string): Outcome {
  return { kind: 'deferred', status, response, fromRemote: false };
}

export function failed(status: string, response: string): Outcome {
  return { kind: 'failed', status, response, fromRemote: false };
}

/** The shape of the errors nodemailer's SMTP connection reports. */
export interface SmtpClientError extends Error {
  code?: string;
  originalCode?: string;
  response?: string;
  responseCode?: number;
  command?: string;
  rejectedErrors?: SmtpClientError[];
  recipient?: string;
}

/** An error that ended a session or a transaction without a usable per-recipient reply. */
export function outcomeFromError(error: SmtpClientError): Outcome {
  if (error.responseCode && error.response) return outcomeFromReply(error.response);
  const cause = error.originalCode ?? error.code ?? '';
  const message = oneLine(error.message);
  if (error.code === 'EMESSAGE' && /size larger than allowed/i.test(message)) {
    // RFC 1870: the server announced a SIZE limit the message exceeds; it will never fit.
    return failed('5.3.4', `message too big for the remote server (${message})`);
  }
  if (error.code === 'EAUTH') return deferred('4.7.0', `authentication failed: ${message}`);
  if (isTlsError(error)) return deferred('4.7.5', `TLS failed: ${message}`);
  if (cause === 'ECONNREFUSED' || cause === 'EHOSTUNREACH' || cause === 'ENETUNREACH' || cause === 'CONNECT_TIMEOUT' || error.command === 'CONN') {
    return deferred('4.4.1', `connection failed: ${message}`);
  }
  return deferred('4.4.2', `connection lost: ${message}`);
}

/** The TLS handshake failed: no common protocol or cipher, or a certificate that does not verify. */
export function isTlsError(error: SmtpClientError): boolean {
  const cause = error.originalCode ?? '';
  return error.code === 'ETLS' || /CERT|SSL|TLS|SIGNATURE|ALTNAME/i.test(cause);
}

/** Server replies are kept on one line, without control characters, at a sane length. */
export function oneLine(text: string): string {
  const flat = text.replace(/\r?\n/g, ' ').replace(/[\x00-\x1f\x7f]/g, '').trim();
  return flat.length > 1000 ? `${flat.slice(0, 1000)}…` : flat;
}

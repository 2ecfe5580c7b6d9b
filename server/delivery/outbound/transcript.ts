// The inspector's view of an outbound session: nodemailer's transaction log (the commands we
// send, the replies we get, TLS and connection events) turned into transcript lines, with the
// AUTH exchange redacted as the inbound sessions redact it.
import { format } from 'node:util';
import { REDACTED, type SessionTranscript } from '../../inspector/bus.js';

type LogMethod = (entry: { tnx?: string } | undefined, message?: string, ...args: unknown[]) => void;

/** A logger for nodemailer's SMTP connection (with `transactionLog: true`) that writes `transcript`. */
export function transcriptLogger(transcript: SessionTranscript): Record<'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal', LogMethod> {
  // From "AUTH ..." until the server's verdict (a reply other than 334), what we send is secret.
  let authenticating = false;
  const debug: LogMethod = (entry, message = '', ...args) => {
    const text = format(message, ...args);
    if (entry?.tnx === 'client') {
      const auth = /^AUTH\s+\S+/i.exec(text);
      if (auth) authenticating = true;
      transcript.client(auth ? (auth[0] === text ? text : `${auth[0]} ${REDACTED}`) : authenticating ? REDACTED : text);
    } else if (entry?.tnx === 'server') {
      if (!text.startsWith('334')) authenticating = false;
      for (const line of text.split(/\r?\n/)) if (line) transcript.server(line);
    }
  };
  const event: LogMethod = (entry, message = '', ...args) => {
    if (entry?.tnx !== 'client' && entry?.tnx !== 'server') transcript.event(format(message, ...args));
  };
  return { trace: () => {}, debug, info: event, warn: event, error: event, fatal: event };
}

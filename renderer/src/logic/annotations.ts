// What each protocol command means, for the classroom: a key into the message catalogue and the
// RFC section. Pure; the words themselves are in i18n/.
import { protocolOf } from './sessions.js';

export interface Annotation {
  /** Message key: "cmd.<protocol>.<verb>". */
  key: string;
  rfc: string;
}

const TABLE: Record<'smtp' | 'pop3' | 'imap', Record<string, string>> = {
  smtp: {
    EHLO: 'RFC 5321 §4.1.1.1',
    HELO: 'RFC 5321 §4.1.1.1',
    STARTTLS: 'RFC 3207 §4',
    AUTH: 'RFC 4954 §4',
    'MAIL': 'RFC 5321 §4.1.1.2',
    'RCPT': 'RFC 5321 §4.1.1.3',
    DATA: 'RFC 5321 §4.1.1.4',
    RSET: 'RFC 5321 §4.1.1.5',
    NOOP: 'RFC 5321 §4.1.1.9',
    QUIT: 'RFC 5321 §4.1.1.10',
    VRFY: 'RFC 5321 §4.1.1.6',
  },
  pop3: {
    USER: 'RFC 1939 §7',
    PASS: 'RFC 1939 §7',
    STAT: 'RFC 1939 §5',
    LIST: 'RFC 1939 §5',
    RETR: 'RFC 1939 §5',
    DELE: 'RFC 1939 §5',
    UIDL: 'RFC 1939 §7',
    TOP: 'RFC 1939 §7',
    QUIT: 'RFC 1939 §6',
    CAPA: 'RFC 2449 §5',
    STLS: 'RFC 2595 §4',
    AUTH: 'RFC 5034 §4',
  },
  imap: {
    CAPABILITY: 'RFC 3501 §6.1.1',
    LOGIN: 'RFC 3501 §6.2.3',
    AUTHENTICATE: 'RFC 3501 §6.2.2',
    STARTTLS: 'RFC 3501 §6.2.1',
    SELECT: 'RFC 3501 §6.3.1',
    EXAMINE: 'RFC 3501 §6.3.2',
    LIST: 'RFC 3501 §6.3.8',
    STATUS: 'RFC 3501 §6.3.10',
    FETCH: 'RFC 3501 §6.4.5',
    STORE: 'RFC 3501 §6.4.6',
    SEARCH: 'RFC 3501 §6.4.4',
    EXPUNGE: 'RFC 3501 §6.4.3',
    APPEND: 'RFC 3501 §6.3.11',
    IDLE: 'RFC 2177 §3',
    LOGOUT: 'RFC 3501 §6.1.3',
    NOOP: 'RFC 3501 §6.1.2',
  },
};

/** The annotation of a client line, or null when the command is not in the table. */
export function annotate(service: string, text: string): Annotation | null {
  const protocol = protocolOf(service);
  if (protocol !== 'smtp' && protocol !== 'pop3' && protocol !== 'imap') return null;
  const words = text.trim().split(/\s+/);
  // IMAP commands follow a tag ("a1 LOGIN …"); UID FETCH etc. are annotated as the inner command.
  let verb = (protocol === 'imap' ? words[1] : words[0])?.toUpperCase() ?? '';
  if (protocol === 'imap' && verb === 'UID') verb = words[2]?.toUpperCase() ?? '';
  verb = verb.replace(/:.*$/, ''); // "MAIL FROM:<a@b>" → MAIL
  const rfc = TABLE[protocol][verb];
  return rfc ? { key: `cmd.${protocol}.${verb.toLowerCase()}`, rfc } : null;
}

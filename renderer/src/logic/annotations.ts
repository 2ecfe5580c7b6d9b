// What each transcript line means, for the classroom: the client's commands and the server's
// replies of SMTP, POP3 and IMAP, and the DNS questions and answers, as keys into the message
// catalogue with the RFC section. A line may get several notes (an SMTP reply's code and its
// enhanced code; a DNS answer's result, flags and record types). Pure; the words are in i18n/.
import type { TranscriptLine } from '../../../server/admin/contract/index.js';
import { protocolOf } from './sessions.js';

export interface Annotation {
  /** Message key: "cmd.<protocol>.<verb>", "reply.…", "enh.…", "dns.…". */
  key: string;
  rfc: string;
}

const COMMANDS: Record<'smtp' | 'pop3' | 'imap', Record<string, string>> = {
  smtp: {
    EHLO: 'RFC 5321 §4.1.1.1',
    HELO: 'RFC 5321 §4.1.1.1',
    STARTTLS: 'RFC 3207 §4',
    AUTH: 'RFC 4954 §4',
    MAIL: 'RFC 5321 §4.1.1.2',
    RCPT: 'RFC 5321 §4.1.1.3',
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
  const rfc = COMMANDS[protocol][verb];
  return rfc ? { key: `cmd.${protocol}.${verb.toLowerCase()}`, rfc } : null;
}

// ── SMTP replies ─────────────────────────────────────────────────────────────

const SMTP_REPLIES: Record<string, string> = {
  '220': 'RFC 5321 §4.2.2',
  '221': 'RFC 5321 §4.2.2',
  '235': 'RFC 4954 §6',
  '250': 'RFC 5321 §4.2.2',
  '334': 'RFC 4954 §4',
  '354': 'RFC 5321 §4.2.2',
  '421': 'RFC 5321 §4.2.2',
  '450': 'RFC 5321 §4.2.2',
  '451': 'RFC 5321 §4.2.2',
  '452': 'RFC 5321 §4.2.2',
  '454': 'RFC 4954 §6',
  '500': 'RFC 5321 §4.2.2',
  '501': 'RFC 5321 §4.2.2',
  '502': 'RFC 5321 §4.2.2',
  '503': 'RFC 5321 §4.2.2',
  '504': 'RFC 5321 §4.2.2',
  '530': 'RFC 4954 §6',
  '535': 'RFC 4954 §6',
  '538': 'RFC 4954 §6',
  '550': 'RFC 5321 §4.2.2',
  '552': 'RFC 5321 §4.2.2',
  '553': 'RFC 5321 §4.2.2',
  '554': 'RFC 5321 §4.2.2',
  '555': 'RFC 5321 §4.2.2',
};

/** EHLO keywords (the lines of the 250 reply to EHLO), each the extension an RFC defines. */
const SMTP_EXTENSIONS: Record<string, string> = {
  SIZE: 'RFC 1870 §4',
  PIPELINING: 'RFC 2920 §3',
  '8BITMIME': 'RFC 6152 §2',
  STARTTLS: 'RFC 3207 §4',
  AUTH: 'RFC 4954 §3',
  ENHANCEDSTATUSCODES: 'RFC 2034 §3',
  SMTPUTF8: 'RFC 6531 §3.1',
  CHUNKING: 'RFC 3030 §2',
  DSN: 'RFC 3461 §4',
};

/** Enhanced status codes (RFC 3463) explained one by one; the others by their class and subject. */
const ENHANCED: Record<string, string> = {
  '2.0.0': 'RFC 3463 §3.1',
  '2.1.0': 'RFC 3463 §3.2',
  '2.1.5': 'RFC 3463 §3.2',
  '2.7.0': 'RFC 4954 §6',
  '4.2.2': 'RFC 3463 §3.3',
  '4.3.0': 'RFC 3463 §3.4',
  '4.3.1': 'RFC 3463 §3.4',
  '4.3.2': 'RFC 3463 §3.4',
  '4.4.1': 'RFC 3463 §3.5',
  '4.4.2': 'RFC 3463 §3.5',
  '4.4.3': 'RFC 3463 §3.5',
  '4.4.7': 'RFC 3463 §3.5',
  '4.5.3': 'RFC 3463 §3.6',
  '4.7.0': 'RFC 4954 §6',
  '5.1.1': 'RFC 3463 §3.2',
  '5.1.3': 'RFC 3463 §3.2',
  '5.1.10': 'RFC 7505 §4.2',
  '5.2.2': 'RFC 3463 §3.3',
  '5.3.4': 'RFC 3463 §3.4',
  '5.4.4': 'RFC 3463 §3.5',
  '5.4.6': 'RFC 3463 §3.5',
  '5.5.1': 'RFC 3463 §3.6',
  '5.5.2': 'RFC 3463 §3.6',
  '5.5.4': 'RFC 3463 §3.6',
  '5.7.0': 'RFC 4954 §6',
  '5.7.1': 'RFC 3463 §3.8',
  '5.7.8': 'RFC 4954 §6',
  '5.7.11': 'RFC 4954 §6',
};

const SMTP_REPLY = /^(\d{3})([ -])(?:([245])\.(\d{1,3})\.(\d{1,3})(?=\s|$))?\s*(\S*)/;

function smtpReply(text: string): Annotation[] {
  const match = SMTP_REPLY.exec(text);
  if (!match) return [];
  const [, code, , klass, subject, detail, firstWord] = match;
  const keyword = firstWord?.toUpperCase() ?? '';
  // the lines of the answer to EHLO name one extension each
  if (code === '250' && !klass && SMTP_EXTENSIONS[keyword]) return [{ key: `reply.smtp.ext.${keyword.toLowerCase()}`, rfc: SMTP_EXTENSIONS[keyword]! }];
  const notes: Annotation[] = [];
  if (SMTP_REPLIES[code!]) notes.push({ key: `reply.smtp.${code}`, rfc: SMTP_REPLIES[code!]! });
  if (klass) {
    const enhanced = `${klass}.${subject}.${detail}`;
    if (ENHANCED[enhanced]) notes.push({ key: `enh.${enhanced}`, rfc: ENHANCED[enhanced]! });
    else {
      notes.push({ key: `enh.class.${klass}`, rfc: 'RFC 3463 §2' });
      if (Number(subject) <= 7) notes.push({ key: `enh.subject.${subject}`, rfc: `RFC 3463 §3.${Number(subject) + 1}` });
    }
  }
  return notes;
}

// ── IMAP responses ───────────────────────────────────────────────────────────

const IMAP_STATUS: Record<string, string> = { OK: 'RFC 3501 §7.1.1', NO: 'RFC 3501 §7.1.2', BAD: 'RFC 3501 §7.1.3', PREAUTH: 'RFC 3501 §7.1.4', BYE: 'RFC 3501 §7.1.5' };

const IMAP_DATA: Record<string, string> = {
  CAPABILITY: 'RFC 3501 §7.2.1',
  LIST: 'RFC 3501 §7.2.2',
  LSUB: 'RFC 3501 §7.2.3',
  STATUS: 'RFC 3501 §7.2.4',
  SEARCH: 'RFC 3501 §7.2.5',
  FLAGS: 'RFC 3501 §7.2.6',
  EXISTS: 'RFC 3501 §7.3.1',
  RECENT: 'RFC 3501 §7.3.2',
  EXPUNGE: 'RFC 3501 §7.4.1',
  FETCH: 'RFC 3501 §7.4.2',
  ENABLED: 'RFC 5161 §3.2',
  ID: 'RFC 2971 §3.2',
  NAMESPACE: 'RFC 2342 §5',
  SORT: 'RFC 5256 §4',
};

const IMAP_CODES: Record<string, string> = {
  ALERT: 'RFC 3501 §7.1',
  CAPABILITY: 'RFC 3501 §7.1',
  PARSE: 'RFC 3501 §7.1',
  PERMANENTFLAGS: 'RFC 3501 §7.1',
  'READ-ONLY': 'RFC 3501 §7.1',
  'READ-WRITE': 'RFC 3501 §7.1',
  TRYCREATE: 'RFC 3501 §7.1',
  UIDNEXT: 'RFC 3501 §7.1',
  UIDVALIDITY: 'RFC 3501 §7.1',
  UNSEEN: 'RFC 3501 §7.1',
  HIGHESTMODSEQ: 'RFC 7162 §3.1.2.1',
  MODIFIED: 'RFC 7162 §3.1.3',
  APPENDUID: 'RFC 4315 §3',
  COPYUID: 'RFC 4315 §3',
  TOOBIG: 'RFC 7888 §5',
  UNAVAILABLE: 'RFC 5530 §3',
  AUTHENTICATIONFAILED: 'RFC 5530 §3',
  AUTHORIZATIONFAILED: 'RFC 5530 §3',
  PRIVACYREQUIRED: 'RFC 5530 §3',
  OVERQUOTA: 'RFC 5530 §3',
  ALREADYEXISTS: 'RFC 5530 §3',
  NONEXISTENT: 'RFC 5530 §3',
  CANNOT: 'RFC 5530 §3',
  LIMIT: 'RFC 5530 §3',
  EXPUNGEISSUED: 'RFC 5530 §3',
};

function imapResponse(text: string): Annotation[] {
  if (/^\+( |$)/.test(text)) return [{ key: 'reply.imap.continue', rfc: 'RFC 3501 §7.5' }];
  const [tag, first = '', second = ''] = text.split(' ', 3);
  const notes: Annotation[] = [];
  if (tag === '*') {
    const word = (/^\d+$/.test(first) ? second : first).toUpperCase();
    if (IMAP_STATUS[word]) notes.push({ key: `reply.imap.untagged.${word.toLowerCase()}`, rfc: IMAP_STATUS[word]! });
    else if (IMAP_DATA[word]) notes.push({ key: `reply.imap.data.${word.toLowerCase()}`, rfc: IMAP_DATA[word]! });
  } else if (first === 'OK' || first === 'NO' || first === 'BAD') {
    notes.push({ key: `reply.imap.tagged.${first.toLowerCase()}`, rfc: IMAP_STATUS[first]! });
  }
  const code = /^\S+ (?:OK|NO|BAD|BYE|PREAUTH) \[([A-Z-]+)/i.exec(text)?.[1]?.toUpperCase();
  if (code && IMAP_CODES[code]) notes.push({ key: `reply.imap.code.${code.toLowerCase()}`, rfc: IMAP_CODES[code]! });
  return notes;
}

// ── POP3 replies ─────────────────────────────────────────────────────────────

const POP3_CODES: Record<string, string> = { 'IN-USE': 'RFC 2449 §8.1.1', 'LOGIN-DELAY': 'RFC 2449 §8.1.2', AUTH: 'RFC 3206 §5', 'SYS/TEMP': 'RFC 3206 §4', 'SYS/PERM': 'RFC 3206 §4' };

function pop3Reply(text: string): Annotation[] {
  if (/^\+OK\b/.test(text)) return [{ key: 'reply.pop3.ok', rfc: 'RFC 1939 §3' }];
  if (/^\+( |$)/.test(text)) return [{ key: 'reply.pop3.continue', rfc: 'RFC 5034 §4' }];
  if (text === '.') return [{ key: 'reply.pop3.end', rfc: 'RFC 1939 §3' }];
  if (!/^-ERR\b/.test(text)) return [];
  const notes: Annotation[] = [{ key: 'reply.pop3.err', rfc: 'RFC 1939 §3' }];
  const code = /^-ERR \[([A-Z/-]+)\]/.exec(text)?.[1];
  if (code && POP3_CODES[code]) notes.push({ key: `reply.pop3.code.${code.toLowerCase()}`, rfc: POP3_CODES[code]! });
  return notes;
}

// ── DNS ──────────────────────────────────────────────────────────────────────

const DNS_TYPES: Record<string, string> = {
  A: 'RFC 1035 §3.4.1',
  AAAA: 'RFC 3596 §2.1',
  MX: 'RFC 1035 §3.3.9',
  SRV: 'RFC 2782',
  TXT: 'RFC 1035 §3.3.14',
  SOA: 'RFC 1035 §3.3.13',
  NS: 'RFC 1035 §3.3.11',
  CNAME: 'RFC 1035 §3.3.1',
  PTR: 'RFC 1035 §3.3.12',
};

const DNS_RCODES: Record<string, string> = {
  NOERROR: 'RFC 1035 §4.1.1',
  FORMERR: 'RFC 1035 §4.1.1',
  SERVFAIL: 'RFC 1035 §4.1.1',
  NXDOMAIN: 'RFC 1035 §4.1.1',
  NOTIMP: 'RFC 1035 §4.1.1',
  REFUSED: 'RFC 1035 §4.1.1',
  BADVERS: 'RFC 6891 §9',
};

const typeNote = (type: string): Annotation[] => (DNS_TYPES[type] ? [{ key: `dns.type.${type}`, rfc: DNS_TYPES[type]! }] : []);

/** "MX lanpost.lan (id 4711, rd, edns 1232, udp)": the type asked for and the query's flags. */
function dnsQuery(text: string): Annotation[] {
  const notes = typeNote(text.split(' ', 1)[0]!);
  const flags = /\(([^)]*)\)$/.exec(text)?.[1]?.split(', ') ?? [];
  if (flags.includes('rd')) notes.push({ key: 'dns.flag.rd', rfc: 'RFC 1035 §4.1.1' });
  if (flags.some((f) => f.startsWith('edns'))) notes.push({ key: 'dns.flag.edns', rfc: 'RFC 6891 §6' });
  if (flags.includes('tcp')) notes.push({ key: 'dns.flag.tcp', rfc: 'RFC 7766 §5' });
  return notes;
}

/** "NOERROR aa: lanpost.lan. 300 IN MX 10 mail.lanpost.lan.": the result, the flags, each record type once. */
function dnsAnswer(text: string): Annotation[] {
  const [head = '', records = ''] = text.split(/:(.*)/s, 2);
  const [rcode = '', ...flags] = head.trim().split(' ');
  const notes: Annotation[] = DNS_RCODES[rcode] ? [{ key: `dns.rcode.${rcode}`, rfc: DNS_RCODES[rcode]! }] : [];
  if (flags.includes('aa')) notes.push({ key: 'dns.flag.aa', rfc: 'RFC 1035 §4.1.1' });
  if (flags.includes('tc')) notes.push({ key: 'dns.flag.tc', rfc: 'RFC 1035 §4.1.1' });
  const types = new Set([...records.matchAll(/ IN ([A-Z]+) /g)].map((m) => m[1]!));
  for (const type of types) notes.push(...typeNote(type));
  return notes;
}

/** Every note for a transcript line: a command or a question, a reply or an answer. */
export function explain(line: Pick<TranscriptLine, 'service' | 'direction' | 'text'>): Annotation[] {
  const protocol = protocolOf(line.service);
  if (line.direction === 'C') {
    if (protocol === 'dns') return dnsQuery(line.text);
    const note = annotate(line.service, line.text);
    return note ? [note] : [];
  }
  if (line.direction !== 'S') return [];
  if (protocol === 'smtp') return unique(line.text.split('\n').flatMap((reply) => smtpReply(reply.trim())));
  if (protocol === 'imap') return imapResponse(line.text);
  if (protocol === 'pop3') return pop3Reply(line.text);
  if (protocol === 'dns') return dnsAnswer(line.text);
  return [];
}

/** A multi-line reply (EHLO's) repeats its code on every line: each note once. */
function unique(notes: Annotation[]): Annotation[] {
  return notes.filter((note, i) => notes.findIndex((n) => n.key === note.key) === i);
}

/** Every message key `explain` can give (for the catalogue's completeness test). */
export function annotationKeys(): string[] {
  return [
    ...Object.entries(COMMANDS).flatMap(([protocol, verbs]) => Object.keys(verbs).map((verb) => `cmd.${protocol}.${verb.toLowerCase()}`)),
    ...Object.keys(SMTP_REPLIES).map((code) => `reply.smtp.${code}`),
    ...Object.keys(SMTP_EXTENSIONS).map((keyword) => `reply.smtp.ext.${keyword.toLowerCase()}`),
    ...Object.keys(ENHANCED).map((code) => `enh.${code}`),
    ...['2', '4', '5'].map((klass) => `enh.class.${klass}`),
    ...['0', '1', '2', '3', '4', '5', '6', '7'].map((subject) => `enh.subject.${subject}`),
    'reply.imap.continue',
    ...Object.keys(IMAP_STATUS).map((word) => `reply.imap.untagged.${word.toLowerCase()}`),
    ...['ok', 'no', 'bad'].map((word) => `reply.imap.tagged.${word}`),
    ...Object.keys(IMAP_DATA).map((word) => `reply.imap.data.${word.toLowerCase()}`),
    ...Object.keys(IMAP_CODES).map((code) => `reply.imap.code.${code.toLowerCase()}`),
    ...['ok', 'err', 'continue', 'end'].map((word) => `reply.pop3.${word}`),
    ...Object.keys(POP3_CODES).map((code) => `reply.pop3.code.${code.toLowerCase()}`),
    ...Object.keys(DNS_TYPES).map((type) => `dns.type.${type}`),
    ...Object.keys(DNS_RCODES).map((rcode) => `dns.rcode.${rcode}`),
    ...['rd', 'edns', 'tcp', 'aa', 'tc'].map((flag) => `dns.flag.${flag}`),
  ];
}

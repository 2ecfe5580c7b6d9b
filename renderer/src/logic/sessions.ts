// The Protocol inspector's model: transcript lines grouped into sessions, with the protocol, the
// client, the user who logged in (when the transcript shows it), start time and state. Pure.
import type { TranscriptLine } from '../../../server/admin/contract/index.js';

export interface Session {
  key: string;
  service: TranscriptLine['service'];
  session: string;
  client: string;
  user: string | null;
  start: number;
  last: number;
  state: 'open' | 'closed';
  tls: boolean;
  /** A login succeeded (the user name may still be unknown: SMTP AUTH hides it with the password). */
  authenticated: boolean;
  /** The verb of the last client command, to read the answer to it. */
  lastVerb: string;
  lines: TranscriptLine[];
}

/** The protocol family a service speaks (smtp, submission and smtps all speak SMTP). */
export function protocolOf(service: string): 'smtp' | 'pop3' | 'imap' | 'dns' | 'other' {
  if (service === 'smtp' || service === 'submission' || service === 'smtps' || service === 'outbound') return 'smtp';
  if (service === 'pop3' || service === 'pop3s') return 'pop3';
  if (service === 'imap' || service === 'imaps') return 'imap';
  if (service === 'dns') return 'dns';
  return 'other';
}

const CLOSING = [/^221[ -]/, /^\+OK.*(bye|signing off|logging out)/i, /^\* BYE/i];

/** The user a client line names (POP3 USER, IMAP LOGIN, a server's "authenticated as"). */
function userFrom(line: TranscriptLine): string | null {
  if (line.direction === 'C') {
    const pop = /^USER\s+(\S+)/i.exec(line.text);
    if (pop) return pop[1]!;
    const imap = /^\S+\s+LOGIN\s+"?([^"\s]+)"?/i.exec(line.text);
    if (imap) return imap[1]!;
  }
  if (line.direction === '*') {
    const event = /(?:authenticated|logged in) as\s+<?([^\s>]+)>?/i.exec(line.text);
    if (event) return event[1]!;
  }
  return null;
}

function clientVerb(line: TranscriptLine): string {
  const words = line.text.trim().split(/\s+/);
  return ((protocolOf(line.service) === 'imap' ? words[1] : words[0]) ?? '').toUpperCase();
}

/** The server's yes to a login: SMTP 235 (RFC 4954), POP3 +OK to PASS/AUTH, IMAP tagged OK to LOGIN/AUTHENTICATE. */
function loginSucceeded(session: Session, text: string): boolean {
  const protocol = protocolOf(session.service);
  if (protocol === 'smtp') return /^235[ -]/.test(text);
  if (protocol === 'pop3') return (session.lastVerb === 'PASS' || session.lastVerb === 'AUTH') && /^\+OK/.test(text);
  if (protocol === 'imap') return (session.lastVerb === 'LOGIN' || session.lastVerb === 'AUTHENTICATE') && /^[^*+\s]+ OK/i.test(text);
  return false;
}

export class SessionIndex {
  private readonly byKey = new Map<string, Session>();
  /** Oldest sessions are dropped beyond this many. */
  constructor(private readonly keep = 300) {}

  add(line: TranscriptLine): Session {
    const key = `${line.service}/${line.session}`;
    let session = this.byKey.get(key);
    if (!session) {
      session = { key, service: line.service, session: line.session, client: line.client, user: null, start: line.time, last: line.time, state: 'open', authenticated: false, lastVerb: '', tls: line.service === 'smtps' || line.service === 'pop3s' || line.service === 'imaps', lines: [] };
      this.byKey.set(key, session);
      if (this.byKey.size > this.keep) this.byKey.delete(this.byKey.keys().next().value!);
    }
    session.lines.push(line);
    session.last = line.time;
    if (!session.client && line.client) session.client = line.client;
    session.user = userFrom(line) ?? session.user;
    if (line.direction === 'C') session.lastVerb = clientVerb(line);
    if (line.direction === 'S' && loginSucceeded(session, line.text)) session.authenticated = true;
    if (line.direction === '*' && /TLS/i.test(line.text) && /start|upgrad|negotiat/i.test(line.text)) session.tls = true;
    if ((line.direction === 'S' && CLOSING.some((r) => r.test(line.text))) || (line.direction === '*' && /closed|disconnect/i.test(line.text))) session.state = 'closed';
    return session;
  }

  /** The log names the user of a session (e.g. SMTP AUTH, whose transcript hides it). */
  noteUser(service: string, session: string, user: string): boolean {
    const found = this.byKey.get(`${service}/${session}`);
    if (!found || found.user === user) return false;
    found.user = user;
    found.authenticated = true;
    return true;
  }

  addAll(lines: TranscriptLine[]): void {
    for (const line of lines) this.add(line);
  }

  /** Newest first. */
  list(): Session[] {
    return [...this.byKey.values()].sort((a, b) => b.start - a.start);
  }

  get(key: string): Session | undefined {
    return this.byKey.get(key);
  }
}

/** The transcript as text for export: one line per C:/S: line, with times. */
export function exportTranscript(session: Session): string {
  const head = `# ${session.service} session ${session.session} from ${session.client}${session.user ? ` (user ${session.user})` : ''}, ${new Date(session.start).toISOString()}\n`;
  return head + session.lines.map((l) => `${new Date(l.time).toISOString().slice(11, 23)} ${l.direction === '*' ? '**' : `${l.direction}:`} ${l.text}`).join('\n') + '\n';
}

/** The Protocol inspector's address for a session with some of its lines marked (a message path's step links there). */
export function inspectorHref(service: string, session: string, lineIds: readonly number[]): string {
  const query = new URLSearchParams({ session: `${service}/${session}` });
  if (lineIds.length) query.set('lines', lineIds.join(','));
  return `#/inspector?${query}`;
}

/** What an inspector address asks for: the session's key and the lines to mark; null for none. */
export function inspectorLink(hash: string): { session: string; lines: Set<number> } | null {
  const query = hash.split('?')[1];
  const session = query ? new URLSearchParams(query).get('session') : null;
  if (!session) return null;
  const lines = (new URLSearchParams(query).get('lines') ?? '').split(',').filter(Boolean).map(Number);
  return { session, lines: new Set(lines) };
}

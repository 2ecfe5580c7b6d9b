// The transcript lines a message path takes its steps from, kept per open session as they go by
// on the bus: for SMTP sessions (in and out) the first lines (greeting, EHLO, STARTTLS, AUTH) and
// the last ones (the transaction), for IMAP and POP3 the last few (the command being answered),
// and the last DNS lookups of every client. Bounded: a few dozen lines per session, a limited
// number of sessions, the oldest forgotten first.
import type { TranscriptLine } from './bus.js';

/** The lines of an SMTP session before its first transaction that are kept: greeting, EHLO, STARTTLS, AUTH. */
const HEAD_LINES = 30;
/** The last lines kept of an SMTP session: one transaction (MAIL, RCPT…, DATA, the reply). */
const SMTP_TAIL_LINES = 60;
/** The last lines kept of an IMAP or POP3 session: the command a read or a notification belongs to. */
const TAIL_LINES = 12;
/** Sessions followed at once; the oldest is forgotten beyond this (a session that never said "closed"). */
const MAX_SESSIONS = 2000;
/** DNS lookups kept (each a query line and an answer line). */
const DNS_LINES = 200;

interface Tracked {
  head: TranscriptLine[] | null;
  tail: TranscriptLine[];
  tailSize: number;
  /** Lines wanted as they arrive: each gets them until it says it has enough. */
  captures: Array<(line: TranscriptLine) => boolean>;
}

export const sessionKey = (service: string, session: string): string => `${service}/${session}`;

const isSmtp = (service: string) => service === 'smtp' || service === 'submission' || service === 'smtps' || service === 'outbound';
const CLOSED = /^(closed|connection closed)/i;
const MAIL_FROM = /^MAIL FROM:/i;

export class SessionLines {
  private readonly sessions = new Map<string, Tracked>();
  private readonly dns: TranscriptLine[] = [];

  /** Every line of the bus comes through here. */
  add(line: TranscriptLine): void {
    if (line.service === 'dns') {
      this.dns.push(line);
      if (this.dns.length > DNS_LINES) this.dns.shift();
      return;
    }
    if (line.service === 'admin') return;
    const key = sessionKey(line.service, line.session);
    let tracked = this.sessions.get(key);
    if (!tracked) {
      const smtp = isSmtp(line.service);
      tracked = { head: smtp ? [] : null, tail: [], tailSize: smtp ? SMTP_TAIL_LINES : TAIL_LINES, captures: [] };
      this.sessions.set(key, tracked);
      if (this.sessions.size > MAX_SESSIONS) this.sessions.delete(this.sessions.keys().next().value!);
    }
    if (tracked.head && tracked.head.length < HEAD_LINES) tracked.head.push(line);
    tracked.tail.push(line);
    if (tracked.tail.length > tracked.tailSize) tracked.tail.shift();
    if (tracked.captures.length) tracked.captures = tracked.captures.filter((wants) => wants(line));
    if (line.direction === '*' && CLOSED.test(line.text)) this.sessions.delete(key);
  }

  /** When the session's first line was seen (null for a session not followed). */
  startOf(key: string): number | null {
    const tracked = this.sessions.get(key);
    return tracked ? (tracked.head?.[0] ?? tracked.tail[0])!.time : null;
  }

  /**
   * An SMTP session's lines for its current transaction: what came before its first MAIL FROM
   * (greeting, EHLO, STARTTLS, AUTH), then everything from the last MAIL FROM on.
   */
  transaction(key: string): TranscriptLine[] {
    const tracked = this.sessions.get(key);
    if (!tracked) return [];
    const head = tracked.head ?? [];
    const firstMail = head.findIndex((line) => line.direction === 'C' && MAIL_FROM.test(line.text));
    const setup = firstMail < 0 ? head : head.slice(0, firstMail);
    let lastMail = -1;
    for (let i = tracked.tail.length - 1; i >= 0 && lastMail < 0; i--) if (tracked.tail[i]!.direction === 'C' && MAIL_FROM.test(tracked.tail[i]!.text)) lastMail = i;
    const current = lastMail < 0 ? [] : tracked.tail.slice(lastMail);
    const seen = new Set(setup.map((line) => line.id));
    return [...setup, ...current.filter((line) => !seen.has(line.id))];
  }

  /** The session's last client line and, with `since`, the lines after that line id. */
  lastCommand(key: string, since = Infinity): TranscriptLine[] {
    const tail = this.sessions.get(key)?.tail ?? [];
    const after = tail.filter((line) => line.id > since);
    const before = tail.filter((line) => line.id <= Math.min(since, after[0]?.id ?? Infinity));
    const command = before.findLast((line) => line.direction === 'C');
    return command ? [command, ...after] : after;
  }

  /** Gives the session's next lines to `wants` until it returns false (nothing if the session is not followed). */
  capture(key: string, wants: (line: TranscriptLine) => boolean): void {
    this.sessions.get(key)?.captures.push(wants);
  }

  /** DNS lookups (query and answer lines) from `client` between the two times. */
  dnsLookups(client: string, from: number, to: number): TranscriptLine[] {
    return this.dns.filter((line) => line.client === client && line.time >= from && line.time <= to);
  }
}

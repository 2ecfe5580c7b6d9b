// SORT (RFC 5256): order search results by arrival, date, sender, recipients, size or base
// subject, and by the names shown for sender and recipients (RFC 5957 SORT=DISPLAY), ties broken
// by sequence number; strings compared i;ascii-casemap.
import { ImapSyntaxError, type Token } from '../parser/tokens.js';
import type { Envelope, EnvelopeAddress } from '../mime/envelope.js';
import { envelopeFields } from '../mime/cache.js';
import { readHeaderBlock } from '../mime/header-block.js';
import type { Session } from '../session.js';
import { decodeHeaderValue, type Match } from './evaluate.js';

export type SortKey = 'ARRIVAL' | 'CC' | 'DATE' | 'FROM' | 'SIZE' | 'SUBJECT' | 'TO' | 'DISPLAYFROM' | 'DISPLAYTO';
export interface SortCriterion {
  key: SortKey;
  reverse: boolean;
}

const KEYS = new Set(['ARRIVAL', 'CC', 'DATE', 'FROM', 'SIZE', 'SUBJECT', 'TO', 'DISPLAYFROM', 'DISPLAYTO']);

export function parseSortCriteria(tokens: Token[]): SortCriterion[] {
  const out: SortCriterion[] = [];
  let reverse = false;
  for (const token of tokens) {
    if (token.type !== 'atom') throw new ImapSyntaxError('sort criteria must be atoms');
    const word = token.value.toUpperCase();
    if (word === 'REVERSE') {
      if (reverse) throw new ImapSyntaxError('REVERSE twice');
      reverse = true;
      continue;
    }
    if (!KEYS.has(word)) throw new ImapSyntaxError(`unknown sort key ${token.value}`);
    out.push({ key: word as SortKey, reverse });
    reverse = false;
  }
  if (!out.length || reverse) throw new ImapSyntaxError('SORT needs at least one sort key');
  return out;
}

/** RFC 5256 §2.1: the subject without Re:/Fwd:/[list] prefixes and (fwd) trailers. */
export function baseSubject(raw: string | null): string {
  return extractSubject(raw).base;
}

/** The base subject, and whether taking it out removed a reply or forward mark (RFC 5256 §2.1, THREAD §5). */
export function extractSubject(raw: string | null): { base: string; reply: boolean } {
  let subject = decodeHeaderValue(raw ?? '').replace(/[\t\r\n ]+/g, ' ').trim();
  let reply = false;
  for (;;) {
    const before = subject;
    const trailer = /(\s*\(fwd\))+$/i.exec(subject);
    if (trailer) {
      subject = subject.slice(0, trailer.index).trim();
      reply = true;
    }
    // leading blobs and re/fw/fwd leaders, repeatedly
    for (;;) {
      const leader = /^(\[[^[\]]*\]\s*)*(re|fwd?)\s*(\[[^[\]]*\]\s*)?:\s*/i.exec(subject);
      if (leader) {
        subject = subject.slice(leader[0].length);
        reply = true;
        continue;
      }
      const blob = /^\[[^[\]]*\]\s*/.exec(subject);
      if (blob && subject.length > blob[0].length) {
        subject = subject.slice(blob[0].length);
        continue;
      }
      break;
    }
    const wrapped = /^\[fwd:\s*(.*)\]$/i.exec(subject);
    if (wrapped) {
      subject = wrapped[1]!.trim();
      reply = true;
    }
    if (subject === before) return { base: subject, reply };
  }
}

/**
 * RFC 5256 §3: the addr-mailbox of the first address, as ENVELOPE reports it — for a group, the
 * group's start, whose mailbox is the group's name (RFC 3501 §7.4.2), as Dovecot sorts it.
 */
function firstMailbox(list: EnvelopeAddress[] | null | undefined): string {
  const first = list?.[0];
  if (!first || 'groupEnd' in first) return '';
  return decodeHeaderValue(('group' in first ? first.group : first.mailbox) ?? '');
}

/** RFC 5957 §3: the first address's display name, decoded; without one, its addr-spec. */
function displayName(list: EnvelopeAddress[] | null | undefined): string {
  const first = list?.[0];
  if (!first || 'groupEnd' in first) return '';
  if ('group' in first) return decodeHeaderValue(first.group);
  const name = first.name ? decodeHeaderValue(first.name).trim() : '';
  if (name) return name;
  const mailbox = decodeHeaderValue(first.mailbox ?? '');
  return first.host && first.host !== 'MISSING_DOMAIN' ? `${mailbox}@${first.host}` : mailbox;
}

/** The Date: field's time, else the internal date (RFC 5256 §2.2 sent date). */
export function sentTime(date: string | null, fallback: number): number {
  if (!date) return fallback;
  const parsed = Date.parse(date.replace(/\([^)]*\)/g, '').trim());
  return Number.isNaN(parsed) ? fallback : parsed;
}

export function asciiUpper(text: string): string {
  return text.replace(/[a-z]+/g, (s) => s.toUpperCase());
}

/** A match with the values it sorts by, one per criterion. */
export interface Keyed {
  match: Match;
  values: Array<string | number>;
}

export function sortMatches(session: Session, matches: Match[], criteria: SortCriterion[]): Match[] {
  return sortKeys(session, matches, criteria)
    .sort(compareKeyed(criteria))
    .map((k) => k.match);
}

/** The sort values of each match (from the index and the cached envelopes), in the order given. */
export function sortKeys(session: Session, matches: Match[], criteria: SortCriterion[]): Keyed[] {
  const cache = session.context.mimeCache;
  const view = session.selected;
  const store = session.context.mailStore;
  const needsEnvelope = criteria.some((c) => c.key !== 'ARRIVAL' && c.key !== 'SIZE');
  const keyed: Keyed[] = [];
  if (needsEnvelope) for (let i = 0; i < matches.length; i += 500) cache.prefetch(matches.slice(i, i + 500).map((m) => m.row));
  const files = store.files(view.owner, view.mailbox);
  for (const match of matches) {
    let envelope: Envelope | undefined;
    if (needsEnvelope) {
      try {
        envelope = envelopeFields(cache.envelope(match.row.guid, () => files.follow(match.row, readHeaderBlock)));
      } catch {
        envelope = undefined;
      }
    }
    const values = criteria.map(({ key }): string | number => {
      switch (key) {
        case 'ARRIVAL':
          return match.row.internal_date;
        case 'SIZE':
          return match.row.size;
        case 'DATE':
          return sentTime(envelope?.date ?? null, match.row.internal_date);
        case 'SUBJECT':
          return asciiUpper(baseSubject(envelope?.subject ?? null));
        case 'FROM':
          return asciiUpper(firstMailbox(envelope?.from));
        case 'TO':
          return asciiUpper(firstMailbox(envelope?.to));
        case 'CC':
          return asciiUpper(firstMailbox(envelope?.cc));
        case 'DISPLAYFROM':
          return asciiUpper(displayName(envelope?.from));
        case 'DISPLAYTO':
          return asciiUpper(displayName(envelope?.to));
      }
    });
    keyed.push({ match, values });
  }
  return keyed;
}

/** The order of the criteria, REVERSE applied to each; ties by sequence number (UID order). */
export function compareKeyed(criteria: SortCriterion[]): (a: Keyed, b: Keyed) => number {
  return (a, b) => {
    for (let i = 0; i < criteria.length; i++) {
      const x = a.values[i]!;
      const y = b.values[i]!;
      const order = x < y ? -1 : x > y ? 1 : 0;
      if (order) return criteria[i]!.reverse ? -order : order;
    }
    return a.match.uid - b.match.uid;
  };
}

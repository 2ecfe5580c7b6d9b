// ENVELOPE (RFC 3501 §7.4.2) from a message's header block alone: raw header values (not
// decoded), address fields split into name / mailbox / host. FETCH ENVELOPE needs only this,
// so the body of a message is never read or split for it.
import addressparser from 'nodemailer/lib/addressparser';
import { FieldNames, fieldValue, splitHeaderFields, type HeaderField } from './headers.js';

/** An address as ENVELOPE reports it; a group opens with {group} and closes with {groupEnd}. */
export type EnvelopeAddress =
  | { name: string | null; mailbox: string | null; host: string | null; /** obsolete source route, "@a,@b" */ route?: string }
  | { group: string }
  | { groupEnd: true };

export interface Envelope {
  date: string | null;
  subject: string | null;
  from: EnvelopeAddress[] | null;
  sender: EnvelopeAddress[] | null;
  replyTo: EnvelopeAddress[] | null;
  to: EnvelopeAddress[] | null;
  cc: EnvelopeAddress[] | null;
  bcc: EnvelopeAddress[] | null;
  inReplyTo: string | null;
  messageId: string | null;
}

/** The fields an envelope is made of. */
const ENVELOPE_FIELDS = new FieldNames(['date', 'subject', 'from', 'sender', 'reply-to', 'to', 'cc', 'bcc', 'in-reply-to', 'message-id']);

/** The envelope of a header block (a "binary" string: one char per octet). */
export function envelopeFromHeader(header: string): Envelope {
  return envelopeOf(splitHeaderFields(header, ENVELOPE_FIELDS));
}

/** The envelope from split header fields: first Date/Subject/…, every From/To/… field joined. */
export function envelopeOf(fields: HeaderField[]): Envelope {
  let date: string | null = null;
  let subject: string | null = null;
  let inReplyTo: string | null = null;
  let messageId: string | null = null;
  let from: string[] | undefined;
  let sender: string[] | undefined;
  let replyTo: string[] | undefined;
  let to: string[] | undefined;
  let cc: string[] | undefined;
  let bcc: string[] | undefined;
  const add = (list: string[] | undefined, field: HeaderField): string[] | undefined => {
    const value = fieldValue(field);
    if (!value) return list;
    if (!list) return [value];
    list.push(value);
    return list;
  };
  for (const field of fields) {
    switch (field.key) {
      case 'date':
        date ??= fieldValue(field);
        break;
      case 'subject':
        subject ??= fieldValue(field);
        break;
      case 'in-reply-to':
        inReplyTo ??= fieldValue(field);
        break;
      case 'message-id':
        messageId ??= fieldValue(field);
        break;
      case 'from':
        from = add(from, field);
        break;
      case 'sender':
        sender = add(sender, field);
        break;
      case 'reply-to':
        replyTo = add(replyTo, field);
        break;
      case 'to':
        to = add(to, field);
        break;
      case 'cc':
        cc = add(cc, field);
        break;
      case 'bcc':
        bcc = add(bcc, field);
        break;
    }
  }
  const fromList = addresses(from);
  return {
    date,
    subject,
    from: fromList,
    sender: addresses(sender) ?? fromList,
    replyTo: addresses(replyTo) ?? fromList,
    to: addresses(to),
    cc: addresses(cc),
    bcc: addresses(bcc),
    inReplyTo,
    messageId,
  };
}

function addresses(values: string[] | undefined): EnvelopeAddress[] | null {
  if (!values) return null;
  const text = values.length === 1 ? values[0]! : values.join(', ');
  const out = simpleAddresses(text) ?? parsedAddresses(text);
  return out.length ? out : null;
}

/** Any address list, groups and comments included, through nodemailer's address parser. */
function parsedAddresses(text: string): EnvelopeAddress[] {
  const out: EnvelopeAddress[] = [];
  const prepared = forAddressParser(text);
  const withRoute = (name: string, address: string): EnvelopeAddress => {
    const route = prepared.routes.get(address.toLowerCase());
    return route ? { ...mailbox(name, address), route } : mailbox(name, address);
  };
  for (const entry of addressparser(prepared.text)) {
    if (entry.group) {
      out.push({ group: entry.name });
      // a member without an address is a comment the parser took for a name: it names nobody
      for (const member of entry.group) if (!member.group && member.address) out.push(withRoute(member.name, member.address));
      out.push({ groupEnd: true });
    } else if (entry.address || entry.name) out.push(withRoute(entry.name, entry.address));
  }
  return out;
}

/**
 * The text for nodemailer's address parser, and what it would get wrong taken out first:
 *  - comments inside `<…>`, or after it: they name nobody (RFC 5322 §3.4; Dovecot reads them so),
 *    while the parser would make the first of them the display name. A comment after a bare
 *    address stays: `ann@example.com (Ann)` names Ann, as RFC 822 mail did.
 *  - source routes, `<@relay:ann@example.com>` (RFC 5322 §4.4 obs-route), which the parser drops
 *    and ENVELOPE reports (RFC 3501 §7.4.2 "adl"): returned by address.
 */
export function forAddressParser(text: string): { text: string; routes: Map<string, string> } {
  const routes = new Map<string, string>();
  let route = '';
  let angleStart = 0;
  let out = '';
  let quoted = false;
  let inAngle = false;
  let afterAngle = false;
  let depth = 0;
  let dropping = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (depth) {
      const escaped = c === '\\' ? text[++i] ?? '' : '';
      if (!escaped && c === '(') depth++;
      else if (!escaped && c === ')') depth--;
      if (!dropping) out += c + escaped;
      continue;
    }
    if (quoted) {
      if (c === '\\') out += c + (text[++i] ?? '');
      else {
        out += c;
        if (c === '"') quoted = false;
      }
      continue;
    }
    if (c === '(') {
      depth = 1;
      dropping = inAngle || afterAngle;
      if (!dropping) out += c;
      continue;
    }
    if (c === '"') quoted = true;
    else if (c === '<') {
      inAngle = true;
      angleStart = out.length + 1;
      const match = /^\s*(@[^:<>"()]*):/.exec(text.slice(i + 1));
      if (match) {
        route = match[1]!.replace(/\s+/g, '');
        out += c;
        i += match[0].length;
        continue;
      }
    } else if (c === '>') {
      if (route) routes.set(out.slice(angleStart).replace(/\s+/g, '').toLowerCase(), route);
      [inAngle, afterAngle, route] = [false, true, ''];
    } else if (!inAngle && (c === ',' || c === ';' || c === ':')) afterAngle = false;
    out += c;
  }
  return { text: out, routes };
}

/** Anything but printable ASCII, and the specials that make comments, groups, escapes or routes. */
const NOT_SIMPLE = /[^\x20-\x7e]|[()\\:;[\]]/;
const ADDRESS = /^[^\s<>"@,]+@[^\s<>"@,]+$/;
const ANGLE = /^(?:"([^"\s](?:[^" ]| (?! ))*[^"\s]|[^"\s]?)" *|([^\s<>"@,]+(?: [^\s<>"@,]+)*) *)?<([^\s<>"@,]+@[^\s<>"@,]+)>$/;

/**
 * The everyday shapes — `a@b`, `<a@b>`, `Name <a@b>`, `"Name" <a@b>`, comma-separated — read
 * without the general parser, giving exactly what it gives; null for anything else (comments,
 * groups, escapes, commas in quotes, 8-bit text), which then goes through the general parser.
 */
export function simpleAddresses(text: string): EnvelopeAddress[] | null {
  if (NOT_SIMPLE.test(text)) return null;
  const out: EnvelopeAddress[] = [];
  for (const raw of text.split(',')) {
    const item = raw.trim();
    if (!item) continue;
    if (ADDRESS.test(item)) {
      out.push(mailbox('', item));
      continue;
    }
    const match = ANGLE.exec(item);
    if (!match) return null;
    out.push(mailbox(match[1] ?? match[2] ?? '', match[3]!));
  }
  return out;
}

function mailbox(name: string, address: string): EnvelopeAddress {
  const at = address.lastIndexOf('@');
  return {
    name: name || null,
    mailbox: at >= 0 ? address.slice(0, at) : address || null,
    host: at >= 0 ? address.slice(at + 1) : 'MISSING_DOMAIN',
  };
}

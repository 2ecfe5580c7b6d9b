// Header fields of an email or a body part as JMAP gives them (RFC 8621 §4.1.2, §4.1.3): raw, and
// parsed in the forms asText, asAddresses, asGroupedAddresses, asMessageIds, asDate, asURLs; the
// "header:Name:asForm:all" properties; and the convenience properties (from, subject, sentAt…).
import addressparser from 'nodemailer/lib/addressparser';
import { mimeLibraries } from '../imap/mime/libraries.js';
import { splitHeaderFields } from '../imap/mime/headers.js';
import { MethodError } from './protocol.js';

export interface RawHeader {
  /** As it is written in the message. */
  name: string;
  /** After the colon, folding kept, up to the final CRLF. */
  value: string;
}

type Form = 'Raw' | 'Text' | 'Addresses' | 'GroupedAddresses' | 'MessageIds' | 'Date' | 'URLs';

/** The header fields of a header block (as the file's bytes). */
export function rawHeaders(block: Buffer): RawHeader[] {
  return splitHeaderFields(block.toString('binary')).map(({ line }) => {
    const colon = line.indexOf(':');
    return { name: line.slice(0, colon).trimEnd(), value: Buffer.from(line.slice(colon + 1), 'binary').toString('utf8') };
  });
}

function unfold(value: string): string {
  return value.replace(/\r?\n(?=[ \t])/g, '');
}

/** §4.1.2.2 Text: unfolded, encoded words decoded, white space at the ends trimmed. */
function asText(raw: string): string {
  return mimeLibraries()
    .libmime.decodeWords(unfold(raw))
    .trim();
}

interface EmailAddress {
  name: string | null;
  email: string;
}

type ParsedAddress = { name: string; address?: string; group?: ParsedAddress[] };

function address(parsed: ParsedAddress): EmailAddress {
  return { name: parsed.name ? mimeLibraries().libmime.decodeWords(parsed.name) : null, email: parsed.address ?? '' };
}

/** §4.1.2.3 Addresses: every address, groups flattened. */
function asAddresses(raw: string): EmailAddress[] {
  return (addressparser(unfold(raw), { flatten: true }) as ParsedAddress[]).map(address);
}

/** §4.1.2.4 GroupedAddresses: addresses outside a group form a group with a null name. */
function asGroupedAddresses(raw: string): Array<{ name: string | null; addresses: EmailAddress[] }> {
  const groups: Array<{ name: string | null; addresses: EmailAddress[] }> = [];
  for (const item of addressparser(unfold(raw)) as ParsedAddress[]) {
    if (item.group) groups.push({ name: item.name ? mimeLibraries().libmime.decodeWords(item.name) : null, addresses: item.group.map(address) });
    else {
      const last = groups[groups.length - 1];
      if (last && last.name === null) last.addresses.push(address(item));
      else groups.push({ name: null, addresses: [address(item)] });
    }
  }
  return groups;
}

/** §4.1.2.5 MessageIds: the ids without angle brackets; null when the field is not a list of msg-ids. */
function asMessageIds(raw: string): string[] | null {
  const ids = [...unfold(raw).matchAll(/<([^<>\s]+)>/g)].map((m) => m[1]!);
  return ids.length ? ids : null;
}

/** §4.1.2.6 Date: RFC 3339 with the offset written in the field; null when it is no date. */
function asDate(raw: string): string | null {
  const text = unfold(raw).trim();
  const time = Date.parse(text.replace(/\s*\([^)]*\)\s*$/, ''));
  if (Number.isNaN(time)) return null;
  const zone = /([+-])(\d{2})(\d{2})\s*(?:\(.*\))?$/.exec(text);
  const offsetMinutes = zone ? (zone[1] === '-' ? -1 : 1) * (Number(zone[2]) * 60 + Number(zone[3])) : 0;
  const local = new Date(time + offsetMinutes * 60_000).toISOString().replace(/\.\d{3}Z$/, '');
  if (!zone || offsetMinutes === 0) return `${local}Z`;
  return `${local}${zone[1]}${zone[2]}:${zone[3]}`;
}

/** §4.1.2.7 URLs: the <…> of a List-* field. */
function asURLs(raw: string): string[] | null {
  const urls = [...unfold(raw).matchAll(/<([^<>]+)>/g)].map((m) => m[1]!.replace(/\s+/g, ''));
  return urls.length ? urls : null;
}

const PARSERS: Record<Form, (raw: string) => unknown> = {
  Raw: (raw) => raw,
  Text: asText,
  Addresses: asAddresses,
  GroupedAddresses: asGroupedAddresses,
  MessageIds: asMessageIds,
  Date: asDate,
  URLs: asURLs,
};

/** "header:List-Id:asText:all" → its parts; an unknown form is invalidArguments. */
export function parseHeaderProperty(property: string): { name: string; form: Form; all: boolean } {
  const parts = property.split(':');
  const name = parts[1] ?? '';
  let rest = parts.slice(2);
  const all = rest[rest.length - 1] === 'all';
  if (all) rest = rest.slice(0, -1);
  const form = rest.length ? rest[0]!.replace(/^as/, '') : 'Raw';
  if (!name || rest.length > 1 || !(form in PARSERS) || (rest.length === 1 && !rest[0]!.startsWith('as'))) {
    throw new MethodError('invalidArguments', `${property} is not a header property (header:Name[:asForm][:all])`);
  }
  return { name, form: form as Form, all };
}

/** The value of a header:… property: the last field of that name (or all of them, in order). */
export function headerProperty(headers: readonly RawHeader[], property: string): unknown {
  const { name, form, all } = parseHeaderProperty(property);
  const lower = name.toLowerCase();
  const values = headers.filter((h) => h.name.toLowerCase() === lower).map((h) => PARSERS[form](h.value));
  return all ? values : (values[values.length - 1] ?? null);
}

/** The convenience properties of §4.1.3, from the top-level header fields. */
export function convenienceHeaders(headers: readonly RawHeader[]): Record<string, unknown> {
  const last = (name: string, form: Form) => headerProperty(headers, `header:${name}:as${form}`);
  return {
    messageId: last('Message-ID', 'MessageIds'),
    inReplyTo: last('In-Reply-To', 'MessageIds'),
    references: last('References', 'MessageIds'),
    sender: last('Sender', 'Addresses'),
    from: last('From', 'Addresses'),
    to: last('To', 'Addresses'),
    cc: last('Cc', 'Addresses'),
    bcc: last('Bcc', 'Addresses'),
    replyTo: last('Reply-To', 'Addresses'),
    subject: last('Subject', 'Text'),
    sentAt: last('Date', 'Date'),
  };
}

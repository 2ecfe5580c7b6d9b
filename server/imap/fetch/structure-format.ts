// ENVELOPE, BODY and BODYSTRUCTURE as IMAP writes them (RFC 3501 §7.4.2), from a parsed MimePart.
// Each comes out as one "binary" string (one char per octet; a literal's octets inline), so a
// cache can keep it and FETCH can write it as it is.
import type { Envelope, EnvelopeAddress } from '../mime/envelope.js';
import type { MimePart } from '../mime/structure.js';
import { nstrText, strText } from '../replies.js';

/** BODY and BODYSTRUCTURE remembered with the (cached, shared) structure objects they came from. */
const formattedBody = new WeakMap<MimePart, string>();
const formattedStructure = new WeakMap<MimePart, string>();

/** The ENVELOPE of a message: a parenthesized list of ten fields. */
export function formatEnvelope(envelope: Envelope | undefined): string {
  const e = envelope ?? emptyEnvelope;
  const from = addressList(e.from);
  // Sender and Reply-To default to From (the same list): written once
  const sender = e.sender === e.from ? from : addressList(e.sender);
  const replyTo = e.replyTo === e.from ? from : addressList(e.replyTo);
  return flat(
    `(${nstrText(e.date)} ${nstrText(e.subject)} ${from} ${sender} ${replyTo} ` +
      `${addressList(e.to)} ${addressList(e.cc)} ${addressList(e.bcc)} ${nstrText(e.inReplyTo)} ${nstrText(e.messageId)})`,
  );
}

/** BODYSTRUCTURE (extensible = true) or BODY (false), remembered per structure object. */
export function formatBodyStructure(part: MimePart, extensible: boolean): string {
  const map = extensible ? formattedStructure : formattedBody;
  let text = map.get(part);
  if (text === undefined) {
    text = flat(bodyStructure(part, extensible));
    map.set(part, text);
  }
  return text;
}

/**
 * A string built by concatenation made one flat piece in place (V8 flattens a concatenation when
 * a character is read from it): a cached copy then holds its own bytes only, not the header
 * text its pieces were sliced from, and writes copy it in one go.
 */
function flat(text: string): string {
  text.charCodeAt(0);
  return text;
}

const emptyEnvelope: Envelope = {
  date: null,
  subject: null,
  from: null,
  sender: null,
  replyTo: null,
  to: null,
  cc: null,
  bcc: null,
  inReplyTo: null,
  messageId: null,
};

function addressList(list: EnvelopeAddress[] | null): string {
  if (!list || !list.length) return 'NIL';
  let out = '(';
  for (const address of list) {
    // RFC 3501 §7.4.2: a group starts as (NIL NIL "name" NIL) and ends as (NIL NIL NIL NIL)
    if ('group' in address) out += `(NIL NIL ${strText(address.group)} NIL)`;
    else if ('groupEnd' in address) out += '(NIL NIL NIL NIL)';
    else out += `(${nstrText(address.name)} ${nstrText(address.route)} ${nstrText(address.mailbox)} ${nstrText(address.host)})`;
  }
  return out + ')';
}

function params(list: Array<[string, string]>): string {
  if (!list.length) return 'NIL';
  return `(${list.map(([k, v]) => `${strText(k)} ${strText(v)}`).join(' ')})`;
}

function bodyStructure(part: MimePart, extensible: boolean): string {
  if (part.parts) {
    let out = '(';
    if (!part.parts.length) {
      // RFC 3501 needs at least one part: report an empty text/plain one
      out += '("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 0 0)';
    }
    for (const child of part.parts) out += bodyStructure(child, extensible);
    out += ` ${strText(part.subtype)}`;
    if (extensible) out += ` ${params(part.params)} ${disposition(part)} ${language(part)} ${nstrText(part.location)}`;
    return out + ')';
  }
  let out =
    `(${strText(part.type)} ${strText(part.subtype)} ${params(part.params)} ${nstrText(part.id)} ` +
    `${nstrText(part.description)} ${strText(part.encoding)} ${part.be - part.bs}`;
  if (part.type === 'message' && part.subtype === 'rfc822' && part.message) {
    out += ` ${formatEnvelope(part.message.envelope)} ${bodyStructure(part.message, extensible)} ${part.lines}`;
  } else if (part.type === 'text') {
    out += ` ${part.lines}`;
  }
  if (extensible) out += ` ${nstrText(part.md5)} ${disposition(part)} ${language(part)} ${nstrText(part.location)}`;
  return out + ')';
}

function disposition(part: MimePart): string {
  if (!part.disposition) return 'NIL';
  return `(${strText(part.disposition.type)} ${params(part.disposition.params)})`;
}

function language(part: MimePart): string {
  if (!part.language || !part.language.length) return 'NIL';
  return `(${part.language.map(strText).join(' ')})`;
}

/**
 * The envelope fields back from ENVELOPE text as formatEnvelope wrote it (the cache keeps only
 * the text): groups are the entries without a host, as RFC 3501 §7.4.2 writes them.
 */
export function parseEnvelopeText(text: string): Envelope {
  let pos = 0;
  const fail = (): never => {
    throw new Error(`unreadable ENVELOPE text at ${pos}`);
  };
  const expect = (c: string) => {
    if (text[pos] !== c) fail();
    pos++;
  };
  const nil = () => {
    if (!text.startsWith('NIL', pos)) return false;
    pos += 3;
    return true;
  };
  const nstring = (): string | null => {
    if (nil()) return null;
    if (text[pos] === '"') {
      const close = text.indexOf('"', pos + 1);
      const escape = text.indexOf('\\', pos + 1);
      if (close > 0 && (escape < 0 || escape > close)) {
        // no quoted-specials inside: a slice of the text
        const value = text.slice(pos + 1, close);
        pos = close + 1;
        return value;
      }
      let out = '';
      for (pos++; pos < text.length && text[pos] !== '"'; pos++) {
        if (text[pos] === '\\') pos++;
        out += text[pos];
      }
      expect('"');
      return out;
    }
    if (text[pos] === '{') {
      const close = text.indexOf('}', pos);
      const length = Number(text.slice(pos + 1, close));
      if (close < 0 || !Number.isInteger(length)) fail();
      pos = close + 3; // "}\r\n"
      const value = text.slice(pos, pos + length);
      pos += length;
      return value;
    }
    return fail();
  };
  const addresses = (): EnvelopeAddress[] | null => {
    if (nil()) return null;
    expect('(');
    const out: EnvelopeAddress[] = [];
    while (text[pos] === '(') {
      pos++;
      const name = nstring();
      expect(' ');
      const route = nstring();
      expect(' ');
      const mailbox = nstring();
      expect(' ');
      const host = nstring();
      expect(')');
      if (host !== null) out.push(route === null ? { name, mailbox, host } : { name, route, mailbox, host });
      else if (mailbox !== null) out.push({ group: mailbox });
      else out.push({ groupEnd: true });
    }
    expect(')');
    return out;
  };
  const then = <T>(read: () => T): T => {
    expect(' ');
    return read();
  };
  expect('(');
  const envelope: Envelope = {
    date: nstring(),
    subject: then(nstring),
    from: then(addresses),
    sender: then(addresses),
    replyTo: then(addresses),
    to: then(addresses),
    cc: then(addresses),
    bcc: then(addresses),
    inReplyTo: then(nstring),
    messageId: then(nstring),
  };
  expect(')');
  return envelope;
}

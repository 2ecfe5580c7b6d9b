// ENVELOPE, BODY and BODYSTRUCTURE as IMAP writes them (RFC 3501 §7.4.2), from a parsed MimePart.
import type { Envelope, EnvelopeAddress, MimePart } from '../mime/structure.js';
import { nstr, plist, str, type Piece } from '../replies.js';

/** Formatted answers kept with the (cached, shared) structure objects they came from. */
const formatted = new WeakMap<object, Piece[]>();
const formattedBody = new WeakMap<object, Piece[]>();
const formattedStructure = new WeakMap<object, Piece[]>();

function memo(map: WeakMap<object, Piece[]>, key: object | undefined, make: () => Piece[]): Piece[] {
  if (!key) return make();
  let pieces = map.get(key);
  if (!pieces) {
    pieces = joinText(make());
    map.set(key, pieces);
  }
  return pieces;
}

/** Adjacent text pieces joined: usually the whole answer becomes one string. */
function joinText(pieces: Piece[]): Piece[] {
  const out: Piece[] = [];
  for (const piece of pieces) {
    const last = out[out.length - 1];
    if (typeof piece === 'string' && typeof last === 'string') out[out.length - 1] = last + piece;
    else out.push(piece);
  }
  return out;
}

export function formatEnvelope(envelope: Envelope | undefined): Piece[] {
  return memo(formatted, envelope, () => envelopePieces(envelope));
}

/** BODYSTRUCTURE (extensible = true) or BODY (false), remembered per structure object. */
export function formatBodyStructure(part: MimePart, extensible: boolean): Piece[] {
  return memo(extensible ? formattedStructure : formattedBody, part, () => bodyStructurePieces(part, extensible));
}

function envelopePieces(envelope: Envelope | undefined): Piece[] {
  const e = envelope ?? emptyEnvelope;
  return plist([
    nstr(e.date),
    nstr(e.subject),
    addressList(e.from),
    addressList(e.sender),
    addressList(e.replyTo),
    addressList(e.to),
    addressList(e.cc),
    addressList(e.bcc),
    nstr(e.inReplyTo),
    nstr(e.messageId),
  ]);
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

function addressList(list: EnvelopeAddress[] | null): Piece[] {
  if (!list || !list.length) return ['NIL'];
  const out: Piece[] = ['('];
  for (const address of list) {
    // RFC 3501 §7.4.2: a group starts as (NIL NIL "name" NIL) and ends as (NIL NIL NIL NIL)
    if ('group' in address) out.push('(NIL NIL ', ...str(address.group), ' NIL)');
    else if ('groupEnd' in address) out.push('(NIL NIL NIL NIL)');
    else out.push('(', ...nstr(address.name), ' NIL ', ...nstr(address.mailbox), ' ', ...nstr(address.host), ')');
  }
  out.push(')');
  return out;
}

function params(list: Array<[string, string]>): Piece[] {
  if (!list.length) return ['NIL'];
  return plist(list.flatMap(([k, v]) => [str(k), str(v)]));
}

function bodyStructurePieces(part: MimePart, extensible: boolean): Piece[] {
  if (part.parts) {
    const out: Piece[] = ['('];
    if (!part.parts.length) {
      // RFC 3501 needs at least one part: report an empty text/plain one
      out.push('("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 0 0)');
    }
    for (const child of part.parts) out.push(...bodyStructurePieces(child, extensible));
    out.push(' ', ...str(part.subtype));
    if (extensible) {
      out.push(' ', ...params(part.params), ' ', ...disposition(part), ' ', ...language(part), ' ', ...nstr(part.location));
    }
    out.push(')');
    return out;
  }
  const out: Piece[] = [
    '(',
    ...str(part.type),
    ' ',
    ...str(part.subtype),
    ' ',
    ...params(part.params),
    ' ',
    ...nstr(part.id),
    ' ',
    ...nstr(part.description),
    ' ',
    ...str(part.encoding),
    ' ',
    String(part.be - part.bs),
  ];
  if (part.type === 'message' && part.subtype === 'rfc822' && part.message) {
    out.push(' ', ...envelopePieces(part.message.envelope), ' ', ...bodyStructurePieces(part.message, extensible), ' ', String(part.lines));
  } else if (part.type === 'text') {
    out.push(' ', String(part.lines));
  }
  if (extensible) {
    out.push(' ', ...nstr(part.md5), ' ', ...disposition(part), ' ', ...language(part), ' ', ...nstr(part.location));
  }
  out.push(')');
  return out;
}

function disposition(part: MimePart): Piece[] {
  if (!part.disposition) return ['NIL'];
  return ['(', ...str(part.disposition.type), ' ', ...params(part.disposition.params), ')'];
}

function language(part: MimePart): Piece[] {
  if (!part.language || !part.language.length) return ['NIL'];
  return plist(part.language.map((l) => str(l)));
}

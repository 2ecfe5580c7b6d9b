// Reading an incoming query's fixed parts straight from the bytes, without allocating: the
// header, the one question (its name as raw labels, hashed case-insensitively) and the EDNS OPT
// record. This is what the answer cache is keyed on and what is echoed back byte for byte;
// everything else is encoded and decoded with dns-packet.

/** What to do with a datagram or TCP message. */
export type ScanResult =
  /** a well-formed standard query */
  | 'query'
  /** not worth an answer: shorter than a header, or a response (QR=1) that would make us loop */
  | 'drop'
  /** RFC 1035 §4.1.1 format error */
  | 'formerr'
  /** an opcode other than QUERY */
  | 'notimp';

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;
const HEADER = 12;
const OPT = 41;

/** One reusable view per listener: scanning a query fills it in place. */
export class QueryView {
  msg: Buffer = Buffer.alloc(0);
  id = 0;
  opcode = 0;
  /** Offset just past the question name's root label. */
  nameEnd = HEADER;
  /** Offset just past QTYPE and QCLASS. */
  questionEnd = HEADER;
  qtype = 0;
  qclass = 0;
  /** FNV-1a over the lower-cased name bytes and the type. */
  hash = 0;
  /** Every label is letters, digits, hyphens or underscores: a name that can be in a zone or be forwarded. */
  plain = true;
  edns = false;
  udpSize = 0;
  ednsVersion = 0;
  dnssecOk = false;

  get recursionDesired(): boolean {
    return (this.msg[2]! & 0x01) !== 0;
  }

  /** The question name's wire bytes equal `name` (lower case) ignoring ASCII case (RFC 4343). */
  nameEquals(name: Buffer): boolean {
    const length = this.nameEnd - HEADER;
    if (name.length !== length) return false;
    const msg = this.msg;
    for (let i = 0; i < length; i++) {
      let byte = msg[HEADER + i]!;
      if (byte >= 0x41 && byte <= 0x5a) byte |= 0x20;
      if (byte !== name[i]) return false;
    }
    return true;
  }

  /** The question (name, type, class) lower-cased, as a new buffer. */
  lowerQuestion(): Buffer {
    const copy = Buffer.from(this.msg.subarray(HEADER, this.questionEnd));
    for (let i = 0; i < this.nameEnd - HEADER; i++) if (copy[i]! >= 0x41 && copy[i]! <= 0x5a) copy[i]! |= 0x20;
    return copy;
  }

  /** The question name as the client spelled it, for people: odd bytes as \\DDD (RFC 1035 §5.1). */
  spelledName(): string {
    let out = '';
    let offset = HEADER;
    while (offset < this.nameEnd - 1) {
      const length = this.msg[offset]!;
      for (let i = offset + 1; i <= offset + length; i++) {
        const byte = this.msg[i]!;
        out += byte === 0x2e || byte === 0x5c || byte <= 0x20 || byte >= 0x7f ? `\\${byte.toString().padStart(3, '0')}` : String.fromCharCode(byte);
      }
      out += '.';
      offset += length + 1;
    }
    return out || '.';
  }

  /** The question name in presentation form, lower case, no trailing dot ("" for the root). */
  lowerName(): string {
    const labels: string[] = [];
    let offset = HEADER;
    while (this.msg[offset] !== 0) {
      const length = this.msg[offset]!;
      labels.push(this.msg.toString('latin1', offset + 1, offset + 1 + length).toLowerCase());
      offset += length + 1;
    }
    return labels.join('.');
  }
}

/** Fills `view` from `msg`; no allocation. RFC 1035 §4.1, RFC 6891 §6.1. */
export function scanQuery(msg: Buffer, view: QueryView): ScanResult {
  view.msg = msg;
  if (msg.length < HEADER) return 'drop';
  const flags = msg.readUInt16BE(2);
  if (flags & 0x8000) return 'drop';
  view.id = msg.readUInt16BE(0);
  view.opcode = (flags >> 11) & 0x0f;
  view.edns = false;
  view.udpSize = 0;
  view.ednsVersion = 0;
  view.dnssecOk = false;
  view.plain = true;
  if (view.opcode !== 0) return 'notimp';
  const questions = msg.readUInt16BE(4);
  const answers = msg.readUInt16BE(6);
  const authorities = msg.readUInt16BE(8);
  const additionals = msg.readUInt16BE(10);
  // RFC 9619: exactly one question; a query carries no answers or authority records.
  if (questions !== 1 || answers !== 0 || authorities !== 0 || additionals > 1) return 'formerr';

  let offset = HEADER;
  let hash = FNV_OFFSET;
  let total = 0;
  for (;;) {
    if (offset >= msg.length) return 'formerr';
    const length = msg[offset]!;
    // A compression pointer (or an extended label type) has no place in a question.
    if (length & 0xc0) return 'formerr';
    hash = Math.imul(hash ^ length, FNV_PRIME);
    offset++;
    if (length === 0) break;
    total += length + 1;
    if (total > 254 || offset + length > msg.length) return 'formerr';
    for (const end = offset + length; offset < end; offset++) {
      let byte = msg[offset]!;
      if (byte >= 0x41 && byte <= 0x5a) byte |= 0x20;
      else if (!((byte >= 0x61 && byte <= 0x7a) || (byte >= 0x30 && byte <= 0x39) || byte === 0x2d || byte === 0x5f)) view.plain = false;
      hash = Math.imul(hash ^ byte, FNV_PRIME);
    }
  }
  view.nameEnd = offset;
  if (offset + 4 > msg.length) return 'formerr';
  view.qtype = msg.readUInt16BE(offset);
  view.qclass = msg.readUInt16BE(offset + 2);
  view.questionEnd = offset + 4;
  view.hash = Math.imul(hash ^ view.qtype, FNV_PRIME) >>> 0;
  if (view.qtype === OPT) return 'formerr';

  if (additionals === 0) return view.questionEnd === msg.length ? 'query' : 'formerr';
  // The one additional record must be an OPT owned by the root (RFC 6891 §6.1.1).
  offset = view.questionEnd;
  if (offset + 11 > msg.length || msg[offset] !== 0 || msg.readUInt16BE(offset + 1) !== OPT) return 'formerr';
  view.edns = true;
  view.udpSize = msg.readUInt16BE(offset + 3);
  view.ednsVersion = msg[offset + 6]!;
  view.dnssecOk = (msg[offset + 7]! & 0x80) !== 0;
  const end = offset + 11 + msg.readUInt16BE(offset + 9);
  if (end !== msg.length) return 'formerr';
  for (offset += 11; offset < end; ) {
    if (offset + 4 > end) return 'formerr';
    offset += 4 + msg.readUInt16BE(offset + 2);
  }
  return offset === end ? 'query' : 'formerr';
}

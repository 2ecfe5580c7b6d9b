// Building response messages. dns-packet encodes the records; the question goes back exactly as
// the client sent it (RFC 4343: its case echoed). Authoritative answers are kept as templates,
// so a repeated question costs a copy and a few patched bytes instead of an encode.
import dnsPacket, { type Answer, type OptAnswer } from 'dns-packet';
import { formatRecord } from './masterfile.js';
import type { QueryView } from './query.js';

export const HEADER_LENGTH = 12;
/** What we accept over UDP with EDNS (the 2020 DNS flag day figure); without EDNS, 512 (RFC 1035 §4.2.1). */
export const EDNS_UDP_SIZE = 1232;
export const PLAIN_UDP_SIZE = 512;

const QR = 0x8000;
export const FLAG_AA = 0x0400;
export const FLAG_TC = 0x0200;
const FLAG_RD = 0x0100;
const FLAG_RA = 0x0080;
const FLAG_CD = 0x0010;

export interface Sections {
  rcode: number;
  /** Extended RCODE bits carried in OPT (RFC 6891 §6.1.3), e.g. 1 for BADVERS. */
  extendedRcode?: number;
  authoritative: boolean;
  truncated?: boolean;
  answers: readonly Answer[];
  authorities: readonly Answer[];
  additionals: readonly Answer[];
}

/** The OPT record of a response to an EDNS query: our UDP size, the DO bit echoed (RFC 3225). */
export function responseOpt(view: QueryView, extendedRcode = 0): OptAnswer {
  return {
    name: '.',
    type: 'OPT',
    udpPayloadSize: EDNS_UDP_SIZE,
    extendedRcode,
    ednsVersion: 0,
    flags: view.dnssecOk ? 0x8000 : 0,
    flag_do: view.dnssecOk,
    options: [],
  };
}

/**
 * A whole response to `view`'s query: ID, opcode, RD and CD from the query, the question as
 * sent (or none when `withQuestion` is false, e.g. for FORMERR), an OPT when the query had one.
 */
export function buildResponse(view: QueryView, sections: Sections, options: { withQuestion?: boolean; recursionAvailable?: boolean; edns?: boolean } = {}): Buffer {
  const msg = view.msg;
  const queryFlags = msg.length >= 4 ? msg.readUInt16BE(2) : 0;
  let flags = (queryFlags & (0x7800 | FLAG_RD | FLAG_CD)) | (sections.rcode & 0x0f);
  if (sections.authoritative) flags |= FLAG_AA;
  if (sections.truncated) flags |= FLAG_TC;
  if (options.recursionAvailable) flags |= FLAG_RA;
  const edns = options.edns ?? view.edns;
  const additionals = edns ? [...sections.additionals, responseOpt(view, sections.extendedRcode ?? 0)] : [...sections.additionals];
  const body = dnsPacket.encode({
    type: 'response',
    id: msg.length >= 2 ? msg.readUInt16BE(0) : 0,
    flags,
    questions: [],
    answers: [...sections.answers],
    authorities: [...sections.authorities],
    additionals,
  });
  body.writeUInt16BE(flags | QR, 2);
  if (options.withQuestion === false) return body;
  const question = msg.subarray(HEADER_LENGTH, view.questionEnd);
  const out = Buffer.allocUnsafe(body.length + question.length);
  body.copy(out, 0, 0, HEADER_LENGTH);
  question.copy(out, HEADER_LENGTH);
  body.copy(out, HEADER_LENGTH + question.length, HEADER_LENGTH);
  out.writeUInt16BE(1, 4);
  return out;
}

/** A ready answer: bytes with ID 0 and a lower-case question, plus where the query's name goes. */
export interface Template {
  /** The lower-cased question name's wire bytes (the cache key with qtype, qclass and variant). */
  name: Buffer;
  qtype: number;
  qclass: number;
  /** 0 no EDNS, 1 EDNS, 2 EDNS with DO */
  variant: number;
  hash: number;
  bytes: Buffer;
  /** Offsets of owner names equal to the question name: the query's spelling is copied there too. */
  owners: number[];
  /** For the inspector: "NOERROR aa: lanpost.lan. 300 IN MX 10 mail.lanpost.lan." */
  summary: string;
}

export function variantOf(view: QueryView): number {
  return view.edns ? (view.dnssecOk ? 2 : 1) : 0;
}

/** Encodes an authoritative answer once; `qname` is the lower-case presentation name. */
export function makeTemplate(view: QueryView, qname: string, sections: Sections): Template {
  const lower = view.lowerQuestion();
  const nameLength = view.nameEnd - HEADER_LENGTH;
  const echo = view.plain;
  // Encode against a copy of the query with ID 0, RD/CD clear, the lower-case question.
  const base = Buffer.allocUnsafe(view.questionEnd);
  base.fill(0, 0, HEADER_LENGTH);
  lower.copy(base, HEADER_LENGTH);
  const original = view.msg;
  view.msg = base;
  let bytes: Buffer;
  try {
    bytes = buildResponse(view, sections);
  } finally {
    view.msg = original;
  }
  const owners: number[] = [];
  let offset = HEADER_LENGTH + lower.length;
  for (const record of [...sections.answers, ...sections.authorities, ...sections.additionals]) {
    // Zone names are plain ASCII, so an equal name has the same wire bytes as the query's.
    if (echo && record.name === qname) owners.push(offset);
    offset += dnsPacket.encodingLength({ answers: [record] }) - HEADER_LENGTH;
  }
  return {
    name: lower.subarray(0, nameLength),
    qtype: view.qtype,
    qclass: view.qclass,
    variant: variantOf(view),
    hash: view.hash,
    bytes,
    owners,
    summary: summarize(sections),
  };
}

/** The template's bytes for this query: its ID, RD and CD, RA as given, its spelling of the name. */
export function fillTemplate(template: Template, view: QueryView, recursionAvailable: boolean): Buffer {
  const msg = view.msg;
  const out = Buffer.allocUnsafe(template.bytes.length);
  template.bytes.copy(out);
  out[0] = msg[0]!;
  out[1] = msg[1]!;
  out[2] = template.bytes[2]! | (msg[2]! & 0x01);
  out[3] = template.bytes[3]! | (msg[3]! & 0x10) | (recursionAvailable ? 0x80 : 0);
  // The name as the client spelled it, in the question and in the owners equal to it (short: a loop beats a copy call).
  const end = view.nameEnd;
  for (let i = HEADER_LENGTH; i < end; i++) out[i] = msg[i]!;
  for (const offset of template.owners) {
    for (let i = HEADER_LENGTH, o = offset; i < end; i++, o++) out[o] = msg[i]!;
  }
  return out;
}

/** Templates by question, bounded: when full it starts over (zone answers are quick to rebuild). */
export class TemplateCache {
  private readonly byHash = new Map<number, Template[]>();
  private size = 0;

  constructor(private readonly limit = 20_000) {}

  get(view: QueryView): Template | null {
    const bucket = this.byHash.get(view.hash);
    if (!bucket) return null;
    const variant = variantOf(view);
    for (const template of bucket) {
      if (template.qtype === view.qtype && template.qclass === view.qclass && template.variant === variant && view.nameEquals(template.name)) return template;
    }
    return null;
  }

  add(template: Template): void {
    if (this.size >= this.limit) this.clear();
    const bucket = this.byHash.get(template.hash);
    if (bucket) bucket.push(template);
    else this.byHash.set(template.hash, [template]);
    this.size++;
  }

  clear(): void {
    this.byHash.clear();
    this.size = 0;
  }
}

const RCODE_NAMES = ['NOERROR', 'FORMERR', 'SERVFAIL', 'NXDOMAIN', 'NOTIMP', 'REFUSED'];

/** One line about a response for the inspector. */
export function summarize(sections: Sections): string {
  const rcode = sections.extendedRcode ? 'BADVERS' : (RCODE_NAMES[sections.rcode] ?? `RCODE${sections.rcode}`);
  const flags = [sections.authoritative && 'aa', sections.truncated && 'tc (truncated: ask again over TCP)'].filter(Boolean).join(' ');
  const records = sections.answers.map(formatRecord);
  if (!records.length && sections.authorities.length) records.push(`authority ${sections.authorities.map(formatRecord).join('; ')}`);
  return `${rcode}${flags ? ` ${flags}` : ''}${records.length ? `: ${records.join('; ')}` : ''}`;
}

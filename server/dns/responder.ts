// One query in, one response out (or nothing): the responder's decisions, independent of the
// transport. Order: drop / FORMERR / NOTIMP for what is not a standard query, BADVERS for an
// unknown EDNS version, the authoritative answer for our zones (from a template when it was
// asked before), forwarding or REFUSED for the rest, and truncation to the client's UDP size.
import { plainAddress } from '../net/interfaces.js';
import type { Settings } from '../settings/schema.js';
import { negativeSoa, RCODE, resolve, type Resolution } from './answers.js';
import type { ForwardedAnswer, Forwarder } from './forwarder.js';
import { QueryView, scanQuery } from './query.js';
import { buildResponse, EDNS_UDP_SIZE, fillTemplate, makeTemplate, PLAIN_UDP_SIZE, summarize, TemplateCache, type Sections } from './response.js';
import { describeQuery, type DnsTranscript } from './transcript.js';
import { TYPE_ANY, TYPE_AXFR, TYPE_IXFR, zoneFor, zoneRecords, type Zone } from './zone.js';

export type Transport = 'udp' | 'tcp';

export interface Exchange {
  /** The client's address as the socket reports it (IPv4-mapped on a dual-stack socket). */
  client: string;
  transport: Transport;
  /** Numbers the inspector sessions: per UDP query, per TCP connection ("udp-17", "tcp-3"). */
  sequence: number;
}

function sessionOf(exchange: Exchange): string {
  return `${exchange.transport}-${exchange.sequence}`;
}

export interface ResponderDeps {
  /** The zones now served (the caller rebuilds them when their inputs change). */
  zones(): readonly Zone[];
  settings(): Settings;
  forwarder: Forwarder;
  isTrusted(address: string): boolean;
  transcript: DnsTranscript;
  /** Called first for every message: a cheap check whether the zones must be rebuilt. */
  beforeQuery(): void;
}

const CLASS_IN = 1;
const EXTENDED_BADVERS = 1; // RCODE 16 = (1 << 4) | 0, RFC 6891 §9
const EMPTY: Sections = { rcode: RCODE.NOERROR, authoritative: false, answers: [], authorities: [], additionals: [] };

export type Reply = Buffer | null | Promise<Buffer | null>;

export class Responder {
  private readonly templates = new TemplateCache();

  constructor(private readonly deps: ResponderDeps) {}

  /** The zones changed: every prepared answer is stale. */
  invalidate(): void {
    this.templates.clear();
  }

  /**
   * The reply to `msg`: bytes, null when the message is dropped, or a promise when it is
   * forwarded. `view` is the caller's reusable view; it is free again when this returns.
   */
  answer(msg: Buffer, view: QueryView, exchange: Exchange): Reply {
    this.deps.beforeQuery();
    const scan = scanQuery(msg, view);
    const transcribe = this.deps.transcript.allow();
    if (scan === 'drop') {
      if (transcribe) this.deps.transcript.event(sessionOf(exchange), plainAddress(exchange.client), `ignored ${msg.length} bytes: ${msg.length < 12 ? 'shorter than a DNS header' : 'a response, not a query'}`);
      return null;
    }
    if (scan !== 'query') {
      // RFC 1035 §4.1.1: FORMERR for what cannot be read, NOTIMP for opcodes other than QUERY.
      const rcode = scan === 'formerr' ? RCODE.FORMERR : RCODE.NOTIMP;
      if (transcribe) {
        this.deps.transcript.query(sessionOf(exchange), plainAddress(exchange.client), scan === 'formerr' ? `malformed message (${msg.length} bytes)` : `opcode ${view.opcode} (${msg.length} bytes)`);
        this.deps.transcript.answer(sessionOf(exchange), plainAddress(exchange.client), scan === 'formerr' ? 'FORMERR' : 'NOTIMP');
      }
      return buildResponse(view, { ...EMPTY, rcode }, { withQuestion: false, edns: false });
    }
    const limit = exchange.transport === 'tcp' ? 65535 : view.edns ? Math.min(Math.max(view.udpSize, PLAIN_UDP_SIZE), EDNS_UDP_SIZE) : PLAIN_UDP_SIZE;
    const recursion = this.recursionAvailable(exchange.client);
    // Prepared answers are for EDNS version 0 (or none); other versions get BADVERS below.
    const template = view.ednsVersion === 0 ? this.templates.get(view) : null;
    if (template && template.bytes.length <= limit) {
      if (transcribe) this.transcribe(exchange, describeQuery(view, exchange.transport), template.summary);
      return fillTemplate(template, view, recursion);
    }
    return this.decide(view, exchange, limit, recursion, transcribe);
  }

  private decide(view: QueryView, exchange: Exchange, limit: number, recursion: boolean, transcribe: boolean): Reply {
    const question = transcribe ? describeQuery(view, exchange.transport) : '';
    const reply = (sections: Sections) => {
      const out = fit(view, sections, limit, recursion);
      if (transcribe) this.transcribe(exchange, question, summarize(out.sections));
      return out.bytes;
    };
    // RFC 6891 §6.1.3: we speak EDNS version 0 only.
    if (view.edns && view.ednsVersion !== 0) return reply({ ...EMPTY, extendedRcode: EXTENDED_BADVERS });
    if (view.qclass !== CLASS_IN && view.qclass !== TYPE_ANY) return reply({ ...EMPTY, rcode: RCODE.REFUSED });

    const zones = this.deps.zones();
    const qname = view.lowerName();
    if (view.qtype === TYPE_AXFR || view.qtype === TYPE_IXFR) return reply(this.transfer(zones, qname, exchange));
    if (!view.plain) {
      // Zone names are letters, digits, hyphens and underscores: such a name is not in them.
      const zone = zoneFor(zones, qname);
      return reply(zone ? { ...EMPTY, rcode: RCODE.NXDOMAIN, authoritative: true, authorities: [negativeSoa(zone)] } : { ...EMPTY, rcode: RCODE.REFUSED });
    }

    const resolution = resolve(zones, qname, view.qtype, exchange.transport === 'tcp');
    if (resolution) {
      const sections = fromResolution(resolution);
      const template = makeTemplate(view, qname, sections);
      // ANY over UDP and TCP differ (RFC 8482), so those are not kept.
      if (view.qtype !== TYPE_ANY && !this.templates.get(view)) this.templates.add(template);
      if (template.bytes.length <= limit) {
        if (transcribe) this.transcribe(exchange, question, template.summary);
        return fillTemplate(template, view, recursion);
      }
      return reply(sections);
    }

    if (!recursion) return reply({ ...EMPTY, rcode: RCODE.REFUSED });
    // RFC 1034 §4.3.1: without RD we answer from what we already have.
    if (!view.recursionDesired) {
      const cached = this.deps.forwarder.cached(qname, view.qtype, view.qclass);
      return reply(cached ? fromForwarded(cached) : { ...EMPTY, rcode: RCODE.REFUSED });
    }
    // The caller reuses its view and exchange: keep own ones for when the upstream answers.
    const own = new QueryView();
    scanQuery(view.msg, own);
    exchange = { ...exchange };
    const failed = (why: string) => {
      if (transcribe) this.transcribe(exchange, question, `SERVFAIL (${why})`);
      return fit(own, { ...EMPTY, rcode: RCODE.SERVFAIL }, limit, true).bytes;
    };
    return this.deps.forwarder.resolve(qname, own.qtype, own.qclass).then(
      (answer) => {
        let out;
        try {
          out = fit(own, fromForwarded(answer), limit, true);
        } catch {
          // Records from upstream that dns-packet cannot encode again.
          return failed('the upstream answer could not be passed on');
        }
        if (transcribe) this.transcribe(exchange, question, `${summarize(out.sections)} (forwarded)`);
        return out.bytes;
      },
      () => failed('no upstream answered'),
    );
  }

  /** AXFR/IXFR (RFC 5936): the whole zone in one TCP message, for trusted clients; never over UDP. */
  private transfer(zones: readonly Zone[], qname: string, exchange: Exchange): Sections {
    const zone = zones.find((z) => z.origin === qname);
    if (exchange.transport !== 'tcp' || !zone || !this.deps.isTrusted(exchange.client)) return { ...EMPTY, rcode: RCODE.REFUSED };
    const records = zoneRecords(zone);
    return { ...EMPTY, authoritative: true, answers: [...records, records[0]!] };
  }

  /** Forwarding is on and this client may use it (trusted networks only: no open resolver). */
  private recursionAvailable(client: string): boolean {
    return this.deps.settings().dns.forwarding.enabled && this.deps.isTrusted(client);
  }

  private transcribe(exchange: Exchange, question: string, answer: string): void {
    const client = plainAddress(exchange.client);
    this.deps.transcript.query(sessionOf(exchange), client, question);
    this.deps.transcript.answer(sessionOf(exchange), client, answer);
  }
}

function fromResolution(resolution: Resolution): Sections {
  return {
    rcode: resolution.rcode,
    authoritative: resolution.authoritative,
    answers: resolution.answers,
    authorities: resolution.authorities,
    additionals: resolution.additionals,
  };
}

function fromForwarded(answer: ForwardedAnswer): Sections {
  return { rcode: answer.rcode, authoritative: false, answers: answer.answers, authorities: answer.authorities, additionals: answer.additionals };
}

/**
 * The response within `limit` bytes. RFC 2181 §9: leave out the additional section first; if
 * the answer still does not fit, send the header and question with TC set, and the client asks
 * again over TCP.
 */
function fit(view: QueryView, sections: Sections, limit: number, recursionAvailable: boolean): { bytes: Buffer; sections: Sections } {
  let bytes = buildResponse(view, sections, { recursionAvailable });
  if (bytes.length <= limit) return { bytes, sections };
  const lean = { ...sections, additionals: [] };
  bytes = buildResponse(view, lean, { recursionAvailable });
  if (bytes.length <= limit) return { bytes, sections: lean };
  const truncated = { ...sections, truncated: true, answers: [], authorities: [], additionals: [] };
  return { bytes: buildResponse(view, truncated, { recursionAvailable }), sections: truncated };
}

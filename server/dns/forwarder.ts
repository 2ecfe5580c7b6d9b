// Forwarding out-of-zone questions to upstream resolvers (the machine's own, or those in
// dns.forwarding.upstreams), with a bounded cache that keeps each answer for its TTL (RFC 1035
// §7.4, negative answers per RFC 2308 §5), so that LAN clients can use LanPost as their only DNS.
import crypto from 'node:crypto';
import dgram from 'node:dgram';
import dns from 'node:dns';
import net from 'node:net';
import dnsPacket, { type Answer, type DecodedPacket, type RecordClass, type RecordType } from 'dns-packet';
import classes from 'dns-packet/classes.js';
import types from 'dns-packet/types.js';
import { RCODE } from './answers.js';
import { parseUpstream } from './settings.js';

export interface Upstream {
  address: string;
  port: number;
}

export interface ForwardedAnswer {
  rcode: number;
  answers: Answer[];
  authorities: Answer[];
  additionals: Answer[];
}

interface CacheEntry {
  storedAt: number;
  expiresAt: number;
  answer: ForwardedAnswer;
}

const UPSTREAM_TIMEOUT_MS = 2000;
/** Upstream questions open at once (each holds a socket for up to the timeout); more get SERVFAIL. */
const MAX_IN_FLIGHT = 256;
/** Nothing is kept longer than a day, whatever the TTL says. */
const MAX_CACHE_SECONDS = 86_400;

export class Forwarder {
  private readonly cache = new Map<string, CacheEntry>();
  private readonly inFlight = new Map<string, Promise<ForwardedAnswer>>();

  constructor(
    private readonly options: {
      /** The configured upstreams ("IP" / "IP:port"); empty: the machine's resolvers. */
      upstreams: () => readonly string[];
      cacheEntries: () => number;
      /** Where we listen ourselves: never forward to those (a loop). */
      ownEndpoints: () => readonly Upstream[];
      now?: () => number;
    },
  ) {}

  /** The upstreams now in use, ourselves excluded. */
  upstreams(): Upstream[] {
    const configured = this.options.upstreams();
    const list = (configured.length ? configured : dns.getServers()).map(parseUpstream).filter((u): u is Upstream => u !== null);
    const own = this.options.ownEndpoints();
    const isOwn = (u: Upstream) => own.some((o) => o.port === u.port && (o.address === u.address || o.address === '0.0.0.0' || o.address === '::'));
    return list.filter((u) => !isOwn(u));
  }

  /** A cached answer with its TTLs aged, or null. */
  cached(name: string, type: number, klass: number): ForwardedAnswer | null {
    const key = cacheKey(name, type, klass);
    const entry = this.cache.get(key);
    if (!entry) return null;
    const now = this.now();
    if (entry.expiresAt <= now) {
      this.cache.delete(key);
      return null;
    }
    // Least recently used goes first: a hit moves to the end.
    this.cache.delete(key);
    this.cache.set(key, entry);
    const elapsed = Math.floor((now - entry.storedAt) / 1000);
    const age = (records: Answer[]) => records.map((r) => (r.type === 'OPT' ? r : { ...r, ttl: Math.max(0, (r.ttl ?? 0) - elapsed) })) as Answer[];
    return { rcode: entry.answer.rcode, answers: age(entry.answer.answers), authorities: age(entry.answer.authorities), additionals: age(entry.answer.additionals) };
  }

  /** The answer from cache or upstream; identical questions in flight share one upstream query. */
  async resolve(name: string, type: number, klass: number): Promise<ForwardedAnswer> {
    const hit = this.cached(name, type, klass);
    if (hit) return hit;
    const key = cacheKey(name, type, klass);
    let pending = this.inFlight.get(key);
    if (!pending && this.inFlight.size >= MAX_IN_FLIGHT) throw new Error('too many questions waiting for an upstream');
    if (!pending) {
      pending = this.ask(name, type, klass).finally(() => this.inFlight.delete(key));
      this.inFlight.set(key, pending);
    }
    return pending;
  }

  clear(): void {
    this.cache.clear();
  }

  private async ask(name: string, type: number, klass: number): Promise<ForwardedAnswer> {
    let last: ForwardedAnswer = { rcode: RCODE.SERVFAIL, answers: [], authorities: [], additionals: [] };
    for (const upstream of this.upstreams()) {
      let reply: DecodedPacket | null;
      try {
        reply = await queryUpstream(upstream, name, type, klass);
      } catch {
        continue;
      }
      if (!reply) continue;
      const answer: ForwardedAnswer = {
        rcode: (reply.flags ?? 0) & 0x0f,
        answers: reply.answers ?? [],
        authorities: reply.authorities ?? [],
        additionals: (reply.additionals ?? []).filter((r) => r.type !== 'OPT'),
      };
      last = answer;
      // Another upstream may know better than one that failed (RFC 1035 §7.2).
      if (answer.rcode !== RCODE.NOERROR && answer.rcode !== RCODE.NXDOMAIN) continue;
      this.store(cacheKey(name, type, klass), answer);
      return answer;
    }
    return last;
  }

  private store(key: string, answer: ForwardedAnswer): void {
    const limit = this.options.cacheEntries();
    const seconds = Math.min(cacheSeconds(answer), MAX_CACHE_SECONDS);
    if (limit <= 0 || seconds <= 0) return;
    while (this.cache.size >= limit) this.cache.delete(this.cache.keys().next().value!);
    const now = this.now();
    this.cache.set(key, { storedAt: now, expiresAt: now + seconds * 1000, answer });
  }

  private now(): number {
    return (this.options.now ?? Date.now)();
  }
}

function cacheKey(name: string, type: number, klass: number): string {
  return `${name.toLowerCase()}/${type}/${klass}`;
}

/** Positive: the lowest TTL of the answer; negative: min(SOA TTL, SOA MINIMUM) (RFC 2308 §5); no SOA: not cached. */
function cacheSeconds(answer: ForwardedAnswer): number {
  if (answer.rcode === RCODE.NOERROR && answer.answers.length) return Math.min(...answer.answers.map((r) => (r.type === 'OPT' ? 0 : (r.ttl ?? 0))));
  const soa = answer.authorities.find((r) => r.type === 'SOA');
  return soa && soa.type === 'SOA' ? Math.min(soa.ttl ?? 0, soa.data.minimum ?? 0) : 0;
}

/** One question to one upstream: UDP from a fresh random port, TCP when the reply is truncated. */
async function queryUpstream(upstream: Upstream, name: string, type: number, klass: number): Promise<DecodedPacket | null> {
  const id = crypto.randomInt(0, 65536);
  const query = dnsPacket.encode({
    type: 'query',
    id,
    flags: dnsPacket.RECURSION_DESIRED,
    questions: [{ name, type: types.toString(type) as RecordType, class: classes.toString(klass) as RecordClass }],
    additionals: [{ name: '.', type: 'OPT', udpPayloadSize: 1232, extendedRcode: 0, ednsVersion: 0, flags: 0, flag_do: false, options: [] }],
  });
  const viaUdp = await udpExchange(upstream, query);
  const reply = viaUdp && matches(viaUdp, id, name, type) ? viaUdp : null;
  if (reply && !reply.flag_tc) return reply;
  if (!reply) return null;
  const viaTcp = await tcpExchange(upstream, query);
  return viaTcp && matches(viaTcp, id, name, type) ? viaTcp : null;
}

/** The reply answers our question (ID and question), as RFC 5452 §9.1 asks before accepting it. */
function matches(reply: DecodedPacket, id: number, name: string, type: number): boolean {
  const question = reply.questions?.[0];
  return reply.type === 'response' && reply.id === id && !!question && question.name.toLowerCase() === name.toLowerCase() && types.toType(question.type) === type;
}

function udpExchange(upstream: Upstream, query: Buffer): Promise<DecodedPacket | null> {
  return new Promise((resolve) => {
    const socket = dgram.createSocket(net.isIPv6(upstream.address) ? 'udp6' : 'udp4');
    let done = false;
    const finish = (packet: DecodedPacket | null) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.close();
      resolve(packet);
    };
    const timer = setTimeout(() => finish(null), UPSTREAM_TIMEOUT_MS);
    socket.on('error', () => finish(null));
    socket.on('message', (msg, rinfo) => {
      if (rinfo.port !== upstream.port) return;
      try {
        finish(dnsPacket.decode(msg));
      } catch {
        finish(null);
      }
    });
    socket.send(query, upstream.port, upstream.address);
  });
}

function tcpExchange(upstream: Upstream, query: Buffer): Promise<DecodedPacket | null> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: upstream.address, port: upstream.port });
    let buffered = Buffer.alloc(0);
    let done = false;
    const finish = (packet: DecodedPacket | null) => {
      if (done) return;
      done = true;
      socket.destroy();
      resolve(packet);
    };
    socket.setTimeout(UPSTREAM_TIMEOUT_MS, () => finish(null));
    socket.on('error', () => finish(null));
    socket.on('close', () => finish(null));
    socket.on('connect', () => {
      const framed = Buffer.allocUnsafe(query.length + 2);
      framed.writeUInt16BE(query.length, 0);
      query.copy(framed, 2);
      socket.write(framed);
    });
    socket.on('data', (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      if (buffered.length < 2 || buffered.length < 2 + buffered.readUInt16BE(0)) return;
      try {
        finish(dnsPacket.decode(buffered.subarray(2, 2 + buffered.readUInt16BE(0))));
      } catch {
        finish(null);
      }
    });
  });
}

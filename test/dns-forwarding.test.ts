// Forwarding out-of-zone questions to an upstream resolver — a tiny one this test starts on
// loopback, never a real one — with a bounded cache that honours TTLs.
import dgram from 'node:dgram';
import { Resolver } from 'node:dns/promises';
import net from 'node:net';
import dnsPacket, { type Answer, type DecodedPacket } from 'dns-packet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { saveSettings } from '../server/settings/file.js';
import { dig } from './dns-helpers.js';
import { startTestEngine, type TestEngine } from './helpers/engine.js';

/** The upstream: answers *.example.test; counts the questions it gets per name. */
class Upstream {
  readonly asked = new Map<string, number>();
  private udp = dgram.createSocket('udp4');
  private tcp = net.createServer((socket) => this.serveTcp(socket));
  port = 0;

  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.udp.bind(0, '127.0.0.1', () => resolve()));
    this.port = this.udp.address().port;
    await new Promise<void>((resolve) => this.tcp.listen(this.port, '127.0.0.1', () => resolve()));
    this.udp.on('message', (msg, rinfo) => {
      const reply = this.reply(msg, 'udp');
      if (reply) this.udp.send(reply, rinfo.port, rinfo.address);
    });
  }

  stop(): void {
    this.udp.close();
    this.tcp.close();
  }

  count(name: string): number {
    return this.asked.get(name) ?? 0;
  }

  private serveTcp(socket: net.Socket): void {
    let buffered = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      while (buffered.length >= 2 && buffered.length >= 2 + buffered.readUInt16BE(0)) {
        const reply = this.reply(buffered.subarray(2, 2 + buffered.readUInt16BE(0)), 'tcp');
        buffered = buffered.subarray(2 + buffered.readUInt16BE(0));
        if (reply) socket.write(Buffer.concat([Buffer.from([reply.length >> 8, reply.length & 0xff]), reply]));
      }
    });
    socket.on('error', () => {});
  }

  private reply(msg: Buffer, transport: 'udp' | 'tcp'): Buffer | null {
    let query: DecodedPacket;
    try {
      query = dnsPacket.decode(msg);
    } catch {
      return null;
    }
    const question = query.questions![0]!;
    const name = question.name.toLowerCase();
    this.asked.set(name, this.count(name) + 1);
    const soa: Answer = { name: 'example.test', type: 'SOA', ttl: 3600, data: { mname: 'ns.example.test', rname: 'admin.example.test', serial: 1, refresh: 1, retry: 1, expire: 1, minimum: 60 } };
    const base = { type: 'response' as const, id: query.id, questions: query.questions, flags: dnsPacket.RECURSION_AVAILABLE | (query.flags! & dnsPacket.RECURSION_DESIRED) };
    if (name === 'missing.example.test') return dnsPacket.encode({ ...base, flags: base.flags | 3, authorities: [soa] });
    if (name === 'broken.example.test') return dnsPacket.encode({ ...base, flags: base.flags | 2 });
    if (name === 'big.example.test') {
      const answers: Answer[] = Array.from({ length: 60 }, (_, i) => ({ name: question.name, type: 'A', ttl: 300, data: `198.51.100.${i + 1}` }));
      // Over UDP (with a 1232-byte EDNS size) 60 A records fit; more than 512 without EDNS do not: say TC.
      if (transport === 'udp') return dnsPacket.encode({ ...base, flags: base.flags | dnsPacket.TRUNCATED_RESPONSE });
      return dnsPacket.encode({ ...base, answers });
    }
    const ttl = name.startsWith('short.') ? 1 : 120;
    return dnsPacket.encode({ ...base, answers: [{ name: question.name, type: 'A', ttl, data: '198.51.100.7' }] });
  }
}

let test: TestEngine;
let upstream: Upstream;
let port: number;

beforeAll(async () => {
  upstream = new Upstream();
  await upstream.start();
  test = await startTestEngine({
    change: (settings) => {
      settings.dns.forwarding = { enabled: true, upstreams: [`127.0.0.1:${upstream.port}`], cacheEntries: 3 };
    },
  });
  port = test.port('dns');
});
afterAll(async () => {
  await test.stop();
  upstream.stop();
});

describe('DNS forwarding', () => {
  it('forwards an out-of-zone question, answers with RA and without AA', async () => {
    const result = await dig(port, ['www.example.test', 'A']);
    expect(result.status).toBe('NOERROR');
    expect(result.flags).toContain('ra');
    expect(result.flags).not.toContain('aa');
    expect(result.answer).toEqual([{ name: 'www.example.test.', ttl: 120, type: 'A', data: '198.51.100.7' }]);
    expect(upstream.count('www.example.test')).toBe(1);
    const resolver = new Resolver({ timeout: 3000, tries: 1 });
    resolver.setServers([`127.0.0.1:${port}`]);
    expect(await resolver.resolve4('node.example.test')).toEqual(['198.51.100.7']);
  });

  it('answers a repeated question from its cache, with the TTL counting down', async () => {
    const before = upstream.count('www.example.test');
    const again = await dig(port, ['WWW.Example.Test', 'A']);
    expect(again.answer[0]!.data).toBe('198.51.100.7');
    expect(again.answer[0]!.ttl).toBeLessThanOrEqual(120);
    expect(upstream.count('www.example.test')).toBe(before);
  });

  it('asks upstream again once the TTL ran out', async () => {
    await dig(port, ['short.example.test', 'A']);
    expect(upstream.count('short.example.test')).toBe(1);
    // TTL 1 second: within a few seconds the cached copy expires and the upstream is asked again.
    for (let i = 0; i < 40 && upstream.count('short.example.test') < 2; i++) {
      await new Promise((r) => setTimeout(r, 250));
      await dig(port, ['short.example.test', 'A']);
    }
    expect(upstream.count('short.example.test')).toBe(2);
  });

  it('forwards and caches NXDOMAIN with the upstream’s SOA', async () => {
    const first = await dig(port, ['missing.example.test', 'A']);
    expect(first.status).toBe('NXDOMAIN');
    expect(first.authority[0]).toMatchObject({ type: 'SOA', name: 'example.test.' });
    await dig(port, ['missing.example.test', 'A']);
    expect(upstream.count('missing.example.test')).toBe(1);
  });

  it('answers from the cache only when recursion is not desired (+norec)', async () => {
    const cached = await dig(port, ['+norec', 'www.example.test', 'A']);
    expect(cached.status).toBe('NOERROR');
    expect(cached.answer[0]!.data).toBe('198.51.100.7');
    const uncached = await dig(port, ['+norec', 'never-asked.example.test', 'A']);
    expect(uncached.status).toBe('REFUSED');
    expect(upstream.count('never-asked.example.test')).toBe(0);
  });

  it('keeps at most cacheEntries answers, dropping the least recently used', async () => {
    for (const name of ['c1', 'c2', 'c3', 'c4']) await dig(port, [`${name}.example.test`, 'A']);
    // The cache holds 3: c1 went out first.
    await dig(port, ['c4.example.test', 'A']);
    expect(upstream.count('c4.example.test')).toBe(1);
    await dig(port, ['c1.example.test', 'A']);
    expect(upstream.count('c1.example.test')).toBe(2);
  });

  it('retries over TCP when the upstream truncates, and truncates itself for a UDP client', async () => {
    const overUdp = await dig(port, ['+ignore', 'big.example.test', 'A']);
    expect(overUdp.flags).toContain('tc');
    const whole = await dig(port, ['big.example.test', 'A']);
    expect(whole.viaTcp).toBe(true);
    expect(whole.answer).toHaveLength(60);
  });

  it('says SERVFAIL when the upstream fails', async () => {
    expect((await dig(port, ['broken.example.test', 'A'])).status).toBe('SERVFAIL');
  });

  it('stays authoritative for its own zone', async () => {
    const mx = await dig(port, ['lanpost.lan', 'MX']);
    expect(mx.flags).toContain('aa');
    expect(mx.flags).toContain('ra');
    expect(mx.answer[0]!.data).toBe('10 mail.lanpost.lan.');
    expect(upstream.count('lanpost.lan')).toBe(0);
  });

  it('refuses clients outside the trusted networks (no open resolver)', async () => {
    const settings = structuredClone(test.engine.context.settings());
    settings.trustedNetworks = ['10.99.0.0/16'];
    saveSettings(test.dataDir, settings);
    await test.engine.reloadSettings();
    const result = await dig(port, ['other.example.test', 'A']);
    expect(result.status).toBe('REFUSED');
    expect(result.flags).not.toContain('ra');
    expect(upstream.count('other.example.test')).toBe(0);
    // The zone itself is still answered.
    expect((await dig(port, ['lanpost.lan', 'MX'])).status).toBe('NOERROR');
  });
});

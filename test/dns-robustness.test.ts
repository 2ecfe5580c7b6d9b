// Bad input never crashes or hangs the responder: malformed, truncated, oversized packets, bogus
// compression pointers, unknown opcodes, a fuzz of thousands of random and mutated packets,
// stalled TCP clients; and a port conflict leaves the mail services running.
import crypto from 'node:crypto';
import dgram from 'node:dgram';
import net from 'node:net';
import dnsPacket from 'dns-packet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decode, dig, query, rcodeOf, tcpExchange, udpBatch, udpExchange } from './dns-helpers.js';
import { startTestEngine, type TestEngine } from './helpers/engine.js';

let test: TestEngine;
let port: number;

beforeAll(async () => {
  test = await startTestEngine({ change: (settings) => (settings.dns.tcpIdleSeconds = 1) });
  port = test.port('dns');
});
afterAll(() => test.stop());

/** A known-good query sent after the bad input: its answer proves the responder is fine. */
async function stillAnswers(): Promise<void> {
  const reply = await udpExchange(port, query('mail.lanpost.lan', 'A', { id: 777 }));
  expect(reply).not.toBeNull();
  const packet = decode(reply!);
  expect(packet.id).toBe(777);
  expect(packet.answers?.[0]).toMatchObject({ type: 'A', data: '127.0.0.1' });
}

function header(fields: { id?: number; flags?: number; qd?: number; an?: number; ns?: number; ar?: number }): Buffer {
  const bytes = Buffer.alloc(12);
  bytes.writeUInt16BE(fields.id ?? 0x1234, 0);
  bytes.writeUInt16BE(fields.flags ?? 0x0100, 2);
  bytes.writeUInt16BE(fields.qd ?? 1, 4);
  bytes.writeUInt16BE(fields.an ?? 0, 6);
  bytes.writeUInt16BE(fields.ns ?? 0, 8);
  bytes.writeUInt16BE(fields.ar ?? 0, 10);
  return bytes;
}

const MAIL_QUESTION = Buffer.from([4, ...Buffer.from('mail'), 7, ...Buffer.from('lanpost'), 3, ...Buffer.from('lan'), 0, 0, 1, 0, 1]);

describe('DNS: malformed messages', () => {
  const formerr: [string, Buffer][] = [
    ['a header that promises a question and stops', header({})],
    ['a name cut short', Buffer.concat([header({}), Buffer.from([4, 0x6d, 0x61])])],
    ['a name without type and class', Buffer.concat([header({}), Buffer.from([4, ...Buffer.from('mail'), 0])])],
    ['a compression pointer in the question', Buffer.concat([header({}), Buffer.from([0xc0, 0x0c, 0, 1, 0, 1])])],
    ['a pointer pointing at itself', Buffer.concat([header({}), Buffer.from([4, ...Buffer.from('mail'), 0xc0, 12 + 5, 0, 1, 0, 1])])],
    ['a pointer beyond the end', Buffer.concat([header({}), Buffer.from([0xc3, 0xff, 0, 1, 0, 1])])],
    ['a reserved label type', Buffer.concat([header({}), Buffer.from([0x41, 0, 0, 1, 0, 1])])],
    ['a name longer than 255 bytes', Buffer.concat([header({}), ...new Array(5).fill(Buffer.from([63, ...Buffer.alloc(63, 0x61)])), Buffer.from([0, 0, 1, 0, 1])])],
    ['two questions', Buffer.concat([header({ qd: 2 }), MAIL_QUESTION, MAIL_QUESTION])],
    ['no question', header({ qd: 0 })],
    ['an answer section in a query', Buffer.concat([header({ an: 1 }), MAIL_QUESTION])],
    ['65535 claimed records', Buffer.concat([header({ qd: 65535, an: 65535, ns: 65535, ar: 65535 }), MAIL_QUESTION])],
    ['trailing garbage', Buffer.concat([header({}), MAIL_QUESTION, Buffer.from('garbage')])],
    ['an additional record that is not OPT', Buffer.concat([header({ ar: 1 }), MAIL_QUESTION, Buffer.from([0, 0, 1, 0, 1, 0, 0, 0, 0, 0, 0])])],
    ['an OPT whose option overruns it', Buffer.concat([header({ ar: 1 }), MAIL_QUESTION, Buffer.from([0, 0, 41, 4, 0xd0, 0, 0, 0, 0, 0, 4, 0, 10, 0, 8])])],
    ['an OPT question type', Buffer.concat([header({}), Buffer.from([0, 0, 41, 0, 1])])],
    ['4000 bytes of noise behind a header', Buffer.concat([header({}), crypto.randomBytes(4000)])],
  ];

  for (const [what, message] of formerr) {
    it(`answers FORMERR to ${what}, with the ID, and keeps answering`, async () => {
      const reply = await udpExchange(port, message);
      expect(reply).not.toBeNull();
      expect(reply!.readUInt16BE(0)).toBe(message.readUInt16BE(0));
      expect(reply!.readUInt16BE(2) & 0x8000).toBe(0x8000);
      expect(rcodeOf(reply!)).toBe(1);
      expect(reply!.length).toBeLessThanOrEqual(512);
      await stillAnswers();
    });
  }

  it('answers NOTIMP to opcodes other than QUERY (IQUERY, STATUS, NOTIFY, UPDATE)', async () => {
    for (const opcode of [1, 2, 4, 5, 15]) {
      const reply = await udpExchange(port, Buffer.concat([header({ flags: opcode << 11 }), MAIL_QUESTION]));
      expect(rcodeOf(reply!), `opcode ${opcode}`).toBe(4);
      expect((reply!.readUInt16BE(2) >> 11) & 0x0f).toBe(opcode);
    }
    await stillAnswers();
  });

  it('drops what is not a query: fragments shorter than a header, and responses', async () => {
    const ignored = [Buffer.alloc(0), Buffer.from([1, 2, 3, 4, 5]), Buffer.concat([header({ id: 1, flags: 0x8180 }), MAIL_QUESTION])];
    // Sent in order from one socket: had any of them been answered, that reply would come first.
    const replies = await udpBatch(port, [...ignored, query('mail.lanpost.lan', 'A', { id: 999 })], (reply) => reply.readUInt16BE(0) === 999);
    expect(replies.map((r) => r.readUInt16BE(0))).toEqual([999]);
  });

  it('answers FORMERR over TCP too, and the connection stays usable', async () => {
    const [bad, good] = await tcpExchange(port, [Buffer.concat([header({ id: 5 }), Buffer.from([0xc0, 0x0c, 0, 1, 0, 1])]), query('lanpost.lan', 'MX', { id: 6 })]);
    expect(bad!.readUInt16BE(0)).toBe(5);
    expect(rcodeOf(bad!)).toBe(1);
    expect(decode(good!).answers?.[0]).toMatchObject({ type: 'MX', data: { exchange: 'mail.lanpost.lan', preference: 10 } });
  });

  it('answers pipelined TCP queries on one connection', async () => {
    const names = ['mail.lanpost.lan', 'dns.lanpost.lan', 'lanpost.lan', 'nobody.lanpost.lan'];
    const replies = await tcpExchange(port, names.map((name, i) => query(name, 'A', { id: 100 + i })));
    expect(replies.map((r) => decode(r).id).sort()).toEqual([100, 101, 102, 103]);
    expect(replies.map((r) => rcodeOf(r))).toEqual([0, 0, 0, 3]);
  });
});

describe('DNS: fuzz', () => {
  it('survives thousands of random and mutated packets, answers within the UDP size, then answers correctly', async () => {
    const seeds = [
      query('mail.lanpost.lan', 'A'),
      query('lanpost.lan', 'MX', { edns: true }),
      query('_imaps._tcp.lanpost.lan', 'SRV'),
      query('example.com', 'AAAA', { edns: true }),
      query('lanpost.lan', 'ANY'),
    ];
    const random = (n: number) => crypto.randomInt(0, n);
    const packets: Buffer[] = [];
    for (let i = 0; i < 3000; i++) {
      if (i % 3 === 0) {
        packets.push(crypto.randomBytes(random(600)));
        continue;
      }
      const packet = Buffer.from(seeds[random(seeds.length)]!);
      // Flip bytes, cut the end, or splice in noise: mostly still DNS-shaped, mostly wrong.
      for (let flips = random(4) + 1; flips > 0; flips--) packet[random(packet.length)] = random(256);
      if (i % 5 === 0) packets.push(packet.subarray(0, random(packet.length)));
      else if (i % 7 === 0) packets.push(Buffer.concat([packet, crypto.randomBytes(random(100))]));
      else packets.push(packet);
    }
    // Headers kept intact with random questions: these reach the zone lookup.
    for (let i = 0; i < 1000; i++) packets.push(Buffer.concat([header({ id: i, ar: 0 }), crypto.randomBytes(random(80))]));

    const socket = dgram.createSocket('udp4');
    const oversized: number[] = [];
    const undecodable: number[] = [];
    let replies = 0;
    socket.on('message', (reply) => {
      replies++;
      // Every answer to a query without EDNS fits 512 bytes; none exceeds our EDNS size.
      if (reply.length > 1232) oversized.push(reply.length);
      try {
        dnsPacket.decode(reply);
      } catch {
        undecodable.push(reply.length);
      }
    });
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', () => resolve()));
    for (let i = 0; i < packets.length; i += 200) {
      for (const packet of packets.slice(i, i + 200)) socket.send(packet, port, '127.0.0.1');
      await new Promise((r) => setTimeout(r, 10));
    }
    // wait until the answers stop coming (a loaded machine answers late, not less), at most 30 s
    for (let seen = -1, waited = 0; replies !== seen && waited < 30_000; waited += 1000) {
      seen = replies;
      await new Promise((r) => setTimeout(r, 1000));
    }
    socket.close();
    // Most of them are answered (FORMERR at least); some are dropped (too short, QR set).
    expect(replies).toBeGreaterThan(packets.length / 2);
    expect(oversized).toEqual([]);
    expect(undecodable).toEqual([]);

    // The same over TCP: random messages behind valid length prefixes.
    const tcpPackets = packets.slice(0, 300).filter((p) => p.length > 0);
    await tcpExchange(port, tcpPackets, 1).catch(() => []);
    await stillAnswers();
    expect((await dig(port, ['+tcp', 'lanpost.lan', 'MX'])).answer[0]!.data).toBe('10 mail.lanpost.lan.');
    expect(test.engine.status('dns').state).toBe('listening');
  });
});

describe('DNS over TCP: clients that stall', () => {
  function closed(socket: net.Socket): Promise<void> {
    return new Promise((resolve, reject) => {
      const guard = setTimeout(() => reject(new Error('the server kept the stalled connection open')), 15_000);
      socket.on('close', () => {
        clearTimeout(guard);
        resolve();
      });
      socket.on('error', () => {});
    });
  }

  it('closes a connection that sends half a message and then nothing', async () => {
    const socket = net.connect(port, '127.0.0.1');
    await new Promise((r) => socket.once('connect', r));
    const message = query('mail.lanpost.lan', 'A');
    const framed = Buffer.concat([Buffer.from([0, message.length]), message]);
    socket.write(framed.subarray(0, 7));
    await closed(socket);
  });

  it('closes a connection that dribbles a message byte by byte', async () => {
    const socket = net.connect(port, '127.0.0.1');
    await new Promise((r) => socket.once('connect', r));
    const message = query('mail.lanpost.lan', 'A');
    const framed = Buffer.concat([Buffer.from([0, message.length]), message, Buffer.alloc(200)]);
    let offset = 0;
    const dribble = setInterval(() => offset < framed.length && !socket.destroyed && socket.write(framed.subarray(offset, ++offset)), 300);
    try {
      await closed(socket);
    } finally {
      clearInterval(dribble);
    }
    // It had not got the whole message before being cut off.
    expect(offset).toBeLessThan(framed.length);
  });

  it('closes a connection that never sends anything, and still serves others', async () => {
    const socket = net.connect(port, '127.0.0.1');
    await closed(socket);
    const [reply] = await tcpExchange(port, [query('lanpost.lan', 'SOA', { id: 31 })]);
    expect(decode(reply!).answers?.[0]?.type).toBe('SOA');
  });
});

describe('DNS: port conflicts', () => {
  it('shows "port in use by <program>" with the fix when the port is taken, and the mail services keep running', async () => {
    const holder = dgram.createSocket('udp4');
    await new Promise<void>((resolve) => holder.bind(0, '127.0.0.1', () => resolve()));
    const taken = holder.address().port;
    const other = await startTestEngine({ change: (settings) => (settings.services.dns = { enabled: true, address: '127.0.0.1', port: taken }) });
    try {
      const status = other.engine.status('dns');
      expect(status.state).toBe('in-use');
      expect(status.detail).toMatch(/^port in use by \S+ \(pid \d+\) — fix: stop .* or lanpost settings set services\.dns\.port \d+$/);
      expect(status.detail).toContain(`pid ${process.pid}`);
      expect(other.engine.status('smtp').state).toBe('listening');
      const smtp = net.connect(other.port('smtp'), '127.0.0.1');
      const greeting = await new Promise<string>((resolve) => smtp.once('data', (chunk) => resolve(String(chunk))));
      smtp.destroy();
      expect(greeting).toMatch(/^220 /);
    } finally {
      holder.close();
      await other.stop();
    }
  });

  it('reports the conflict when only the TCP side of the port is taken', async () => {
    const holder = net.createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', () => resolve()));
    const taken = (holder.address() as net.AddressInfo).port;
    const other = await startTestEngine({ change: (settings) => (settings.services.dns = { enabled: true, address: '127.0.0.1', port: taken }) });
    try {
      expect(other.engine.status('dns').state).toBe('in-use');
      // Nothing of ours is left on the UDP side either.
      expect(await udpExchange(taken, query('lanpost.lan', 'A'), 500)).toBeNull();
    } finally {
      holder.close();
      await other.stop();
    }
  });
});

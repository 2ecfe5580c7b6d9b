// Talking to a DNS server in tests: dig (Debian's dnsutils) with its output parsed, and raw
// queries over UDP and TCP with dns-packet.
import { execFile } from 'node:child_process';
import dgram from 'node:dgram';
import net from 'node:net';
import dnsPacket, { type DecodedPacket, type Packet } from 'dns-packet';

export interface DigRecord {
  name: string;
  ttl: number;
  type: string;
  data: string;
}

export interface DigResult {
  output: string;
  status: string;
  flags: string[];
  question: string;
  answer: DigRecord[];
  authority: DigRecord[];
  additional: DigRecord[];
  /** The OPT pseudosection: "version: 0, flags:; udp: 1232", or null without EDNS. */
  edns: string | null;
  viaTcp: boolean;
}

/** `dig @127.0.0.1 -p PORT ARGS`, bounded: one try, two seconds. */
export function dig(port: number, args: string[]): Promise<DigResult> {
  return new Promise((resolve, reject) => {
    execFile('dig', ['@127.0.0.1', '-p', String(port), '+time=2', '+tries=1', ...args], { timeout: 15_000 }, (error, stdout) => {
      if (error && !stdout) return reject(error);
      resolve(parseDig(stdout));
    });
  });
}

function parseDig(output: string): DigResult {
  const section = (title: string): DigRecord[] => {
    const match = new RegExp(`;; ${title} SECTION:\\n([\\s\\S]*?)(?:\\n\\n|$)`).exec(output);
    if (!match) return [];
    return match[1]!
      .split('\n')
      .filter((line) => line && !line.startsWith(';'))
      .map((line) => {
        const [name, ttl, , type, ...data] = line.split(/\s+/);
        return { name: name!, ttl: Number(ttl), type: type!, data: data.join(' ') };
      });
  };
  return {
    output,
    status: /status: (\w+)/.exec(output)?.[1] ?? '',
    flags: (/;; flags: ([a-z ]*);/.exec(output)?.[1] ?? '').split(' ').filter(Boolean),
    question: /;; QUESTION SECTION:\n;(.*)/.exec(output)?.[1]?.trim() ?? '',
    answer: section('ANSWER'),
    authority: section('AUTHORITY'),
    additional: section('ADDITIONAL'),
    edns: /; EDNS: (.*)/.exec(output)?.[1] ?? null,
    viaTcp: /\(TCP\)/.test(output),
  };
}

/** Sends raw bytes over UDP and resolves with the first reply, or null if none within `waitMs`. */
export function udpExchange(port: number, message: Buffer, waitMs = 2000): Promise<Buffer | null> {
  return new Promise((resolve) => {
    const socket = dgram.createSocket('udp4');
    const timer = setTimeout(() => {
      socket.close();
      resolve(null);
    }, waitMs);
    socket.on('message', (reply) => {
      clearTimeout(timer);
      socket.close();
      resolve(reply);
    });
    socket.send(message, port, '127.0.0.1');
  });
}

/** Sends several raw messages from one UDP socket and collects replies until `expect` arrived (or the wait ends). */
export function udpBatch(port: number, messages: Buffer[], expect: (reply: Buffer) => boolean, waitMs = 5000): Promise<Buffer[]> {
  return new Promise((resolve) => {
    const socket = dgram.createSocket('udp4');
    const replies: Buffer[] = [];
    const done = () => {
      clearTimeout(timer);
      socket.close();
      resolve(replies);
    };
    const timer = setTimeout(done, waitMs);
    socket.on('message', (reply) => {
      replies.push(reply);
      if (expect(reply)) done();
    });
    for (const message of messages) socket.send(message, port, '127.0.0.1');
  });
}

/** Writes each message length-prefixed on one TCP connection; resolves with the replies once `count` arrived. */
export function tcpExchange(port: number, messages: Buffer[], count = messages.length, waitMs = 5000): Promise<Buffer[]> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    const replies: Buffer[] = [];
    let buffered = Buffer.alloc(0);
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`only ${replies.length} of ${count} TCP replies`));
    }, waitMs);
    socket.on('connect', () => {
      for (const message of messages) {
        const length = Buffer.alloc(2);
        length.writeUInt16BE(message.length);
        socket.write(Buffer.concat([length, message]));
      }
    });
    socket.on('data', (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      while (buffered.length >= 2 && buffered.length >= 2 + buffered.readUInt16BE(0)) {
        replies.push(buffered.subarray(2, 2 + buffered.readUInt16BE(0)));
        buffered = buffered.subarray(2 + buffered.readUInt16BE(0));
      }
      if (replies.length >= count) {
        clearTimeout(timer);
        socket.destroy();
        resolve(replies);
      }
    });
    socket.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}

export function query(name: string, type: string, options: { id?: number; edns?: boolean; rd?: boolean } = {}): Buffer {
  const packet: Packet = {
    type: 'query',
    id: options.id ?? 4242,
    flags: options.rd === false ? 0 : dnsPacket.RECURSION_DESIRED,
    questions: [{ name, type: type as 'A' }],
  };
  if (options.edns) packet.additionals = [{ name: '.', type: 'OPT', udpPayloadSize: 1232, extendedRcode: 0, ednsVersion: 0, flags: 0, flag_do: false, options: [] }];
  return dnsPacket.encode(packet);
}

export function decode(reply: Buffer): DecodedPacket & { rcode?: string } {
  return dnsPacket.decode(reply) as DecodedPacket & { rcode?: string };
}

/** The RCODE of a reply (low four bits of the flags). */
export function rcodeOf(reply: Buffer): number {
  return reply.readUInt16BE(2) & 0x0f;
}

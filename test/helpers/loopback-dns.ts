// A tiny authoritative DNS responder on 127.0.0.1 (UDP) for tests that must not ask a real
// resolver: names with their MX/A/AAAA/TXT records, SERVFAIL for names marked so, NXDOMAIN else.
import dgram from 'node:dgram';
import dnsPacket from 'dns-packet';

export interface TestRecords {
  MX?: Array<{ preference: number; exchange: string }>;
  A?: string[];
  AAAA?: string[];
  TXT?: string[];
  /** Answer SERVFAIL for this name (a broken authoritative server). */
  servfail?: boolean;
}

export interface LoopbackDns {
  /** "127.0.0.1:PORT", for settings.outbound.resolvers. */
  address: string;
  /** Every question asked: "MX mx.test". */
  queries: string[];
  close(): Promise<void>;
}

const SERVFAIL = 2;
const NXDOMAIN = 3;

export async function startLoopbackDns(zone: Record<string, TestRecords>): Promise<LoopbackDns> {
  const socket = dgram.createSocket('udp4');
  const queries: string[] = [];
  socket.on('message', (message, remote) => {
    let query;
    try {
      query = dnsPacket.decode(message);
    } catch {
      return;
    }
    const question = query.questions?.[0];
    if (!question) return;
    const name = question.name.toLowerCase().replace(/\.$/, '');
    queries.push(`${question.type} ${name}`);
    const records = zone[name];
    let rcode = 0;
    const answers: dnsPacket.Answer[] = [];
    if (!records) rcode = NXDOMAIN;
    else if (records.servfail) rcode = SERVFAIL;
    else if (question.type === 'MX') for (const data of records.MX ?? []) answers.push({ type: 'MX', name, ttl: 60, data });
    else if (question.type === 'A') for (const data of records.A ?? []) answers.push({ type: 'A', name, ttl: 60, data });
    else if (question.type === 'AAAA') for (const data of records.AAAA ?? []) answers.push({ type: 'AAAA', name, ttl: 60, data });
    else if (question.type === 'TXT') for (const data of records.TXT ?? []) answers.push({ type: 'TXT', name, ttl: 60, data });
    const response = dnsPacket.encode({
      type: 'response',
      id: query.id,
      flags: dnsPacket.AUTHORITATIVE_ANSWER | ((query.flags ?? 0) & dnsPacket.RECURSION_DESIRED) | rcode,
      questions: [question],
      answers,
    });
    socket.send(response, remote.port, remote.address);
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', () => resolve()));
  return {
    address: `127.0.0.1:${socket.address().port}`,
    queries,
    close: () => new Promise((resolve) => socket.close(() => resolve())),
  };
}

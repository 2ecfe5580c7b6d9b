// An SMTP load generator: S sessions sending N messages in all, either reusing each connection
// (as MTAs and bulk senders do) or one message per connection. Records per-message latency
// (DATA start to the 250 after the final dot).
import net from 'node:net';

export interface LoadOptions {
  host: string;
  port: number;
  sessions: number;
  count: number;
  size: number;
  sender: string;
  recipient: string;
  reuse: boolean;
}

export interface LoadResult {
  seconds: number;
  messagesPerSecond: number;
  latenciesMs: number[];
  failures: number;
}

export function messageOfSize(size: number, n: number): string {
  const head = `From: <bench@example.org>\r\nTo: <rcpt@example.org>\r\nSubject: bench ${n}\r\nMessage-ID: <${n}.${Date.now()}@bench>\r\n\r\n`;
  const line = 'The quick brown fox jumps over the lazy dog 0123456789 abcdefghij\r\n';
  return head + line.repeat(Math.max(1, Math.ceil((size - head.length) / line.length)));
}

class Connection {
  private buffer = '';
  private waiting: ((reply: string) => void) | null = null;
  private constructor(private readonly socket: net.Socket) {
    socket.setEncoding('latin1');
    socket.setNoDelay(true);
    socket.on('data', (chunk: string) => {
      this.buffer += chunk;
      this.drain();
    });
    socket.on('error', () => {});
  }

  static open(host: string, port: number): Promise<Connection> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host, port }, () => resolve(new Connection(socket)));
      socket.once('error', reject);
      socket.setTimeout(60_000, () => socket.destroy(new Error('timeout')));
    });
  }

  private drain(): void {
    const match = /(^|\r\n)(\d{3}) [^\r\n]*\r\n/.exec(this.buffer);
    if (!match || !this.waiting) return;
    const end = match.index + match[0].length;
    const reply = this.buffer.slice(0, end);
    this.buffer = this.buffer.slice(end);
    const waiting = this.waiting;
    this.waiting = null;
    waiting(reply);
  }

  reply(): Promise<number> {
    return new Promise((resolve) => {
      this.waiting = (reply) => resolve(Number(reply.trimEnd().split('\r\n').at(-1)!.slice(0, 3)));
      this.drain();
    });
  }

  async command(line: string): Promise<number> {
    this.socket.write(line + '\r\n');
    return this.reply();
  }

  write(data: string): void {
    this.socket.write(data, 'utf8');
  }

  close(): void {
    this.socket.end('QUIT\r\n');
  }
}

async function sendOne(connection: Connection, options: LoadOptions, body: string): Promise<number> {
  const started = performance.now();
  // PIPELINING (RFC 2920): MAIL, RCPT and DATA in one write.
  connection.write(`MAIL FROM:<${options.sender}>\r\nRCPT TO:<${options.recipient}>\r\nDATA\r\n`);
  const codes = [await connection.reply(), await connection.reply(), await connection.reply()];
  if (codes[0] !== 250 || codes[1] !== 250 || codes[2] !== 354) throw new Error(`refused: ${codes.join(' ')}`);
  connection.write(body + '.\r\n');
  if ((await connection.reply()) !== 250) throw new Error('DATA refused');
  return performance.now() - started;
}

async function openSession(options: LoadOptions): Promise<Connection> {
  const connection = await Connection.open(options.host, options.port);
  if ((await connection.reply()) !== 220) throw new Error('no greeting');
  if ((await connection.command('EHLO bench.example')) !== 250) throw new Error('EHLO refused');
  return connection;
}

export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const body = messageOfSize(options.size, 0);
  const latencies: number[] = [];
  let next = 0;
  let failures = 0;
  const started = performance.now();
  const session = async () => {
    let connection: Connection | null = null;
    while (next < options.count) {
      next++;
      try {
        connection ??= await openSession(options);
        latencies.push(await sendOne(connection, options, body));
      } catch {
        failures++;
        connection = null;
      }
      if (!options.reuse && connection) {
        connection.close();
        connection = null;
      }
    }
    connection?.close();
  };
  await Promise.all(Array.from({ length: options.sessions }, session));
  const seconds = (performance.now() - started) / 1000;
  return { seconds, messagesPerSecond: latencies.length / seconds, latenciesMs: latencies, failures };
}

export function percentile(values: number[], p: number): number {
  if (!values.length) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

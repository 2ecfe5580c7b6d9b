// A remote SMTP server for outbound tests: an smtp-server on loopback that records every
// connection, login, envelope and message, and answers as the test says (250, 4xx, 5xx).
import { SMTPServer, type SMTPServerOptions, type SMTPServerSession } from 'smtp-server';

export interface SinkMessage {
  from: string;
  to: string[];
  data: Buffer;
  secure: boolean;
  user: string | undefined;
  /** Which connection (1, 2, …) carried it. */
  connection: number;
}

/** An answer other than 250: `{ code: 451, text: '4.3.0 try later' }`. */
export interface Refusal {
  code: number;
  text: string;
}

export interface SinkOptions {
  host?: string;
  port?: number;
  /** Answer to RCPT TO; null accepts. */
  rcpt?: (address: string) => Refusal | null;
  /** Answer to the message after DATA; `attempt` counts DATA transactions from 1. null accepts. */
  data?: (message: Omit<SinkMessage, 'connection'>, attempt: number) => Refusal | null;
  /** Credentials the sink requires (AUTH PLAIN/LOGIN, only after TLS). */
  auth?: { user: string; pass: string };
  /** Extra smtp-server options (secure, size, key/cert, hideSTARTTLS, …). */
  server?: Partial<SMTPServerOptions>;
  /** Holds each connection's greeting until this resolves. */
  gate?: Promise<void>;
  /** Connections open right now and at most, counted across every sink given the same object. */
  tracker?: { open: number; max: number };
}

export interface Sink {
  host: string;
  port: number;
  messages: SinkMessage[];
  /** Every MAIL FROM seen, also of transactions that were refused. */
  mailFrom: string[];
  rcptTo: string[];
  connections: number;
  logins: string[];
  dataAttempts: number;
  close(): Promise<void>;
}

function refusal(answer: Refusal): Error {
  return Object.assign(new Error(answer.text), { responseCode: answer.code });
}

export async function startSink(options: SinkOptions = {}): Promise<Sink> {
  const host = options.host ?? '127.0.0.1';
  const connectionIds = new Map<string, number>();
  const sink: Sink = {
    host,
    port: 0,
    messages: [],
    mailFrom: [],
    rcptTo: [],
    connections: 0,
    logins: [],
    dataAttempts: 0,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
  const server = new SMTPServer({
    logger: false,
    disableReverseLookup: true,
    authOptional: !options.auth,
    allowInsecureAuth: false,
    onConnect(session: SMTPServerSession, callback) {
      connectionIds.set(session.id, ++sink.connections);
      if (options.tracker) options.tracker.max = Math.max(options.tracker.max, ++options.tracker.open);
      if (options.gate) void options.gate.then(() => callback());
      else callback();
    },
    onClose() {
      if (options.tracker) options.tracker.open--;
    },
    onAuth(auth, _session, callback) {
      sink.logins.push(auth.username ?? '');
      if (options.auth && auth.username === options.auth.user && auth.password === options.auth.pass) return callback(null, { user: auth.username });
      callback(Object.assign(new Error('5.7.8 Authentication credentials invalid'), { responseCode: 535 }));
    },
    onMailFrom(address, _session, callback) {
      sink.mailFrom.push(address.address);
      callback();
    },
    onRcptTo(address, _session, callback) {
      sink.rcptTo.push(address.address);
      const answer = options.rcpt?.(address.address);
      callback(answer ? refusal(answer) : undefined);
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const message = {
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          data: Buffer.concat(chunks),
          secure: session.secure,
          user: session.user as string | undefined,
        };
        if (stream.sizeExceeded) return callback(refusal({ code: 552, text: '5.3.4 Message too big' }));
        const answer = options.data?.(message, ++sink.dataAttempts);
        if (answer) return callback(refusal(answer));
        sink.messages.push({ ...message, connection: connectionIds.get(session.id) ?? 0 });
        callback(null, '2.0.0 Ok: queued');
      });
    },
    ...options.server,
  });
  server.on('error', () => {});
  await new Promise<void>((resolve, reject) => {
    server.server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  sink.port = (server.server.address() as { port: number }).port;
  return sink;
}

/** Polls until `check` returns a value other than undefined/false, or fails after `timeoutMs`. */
export async function waitFor<T>(check: () => T | undefined | false | null | Promise<T | undefined | false | null>, what: string, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false && value !== null) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

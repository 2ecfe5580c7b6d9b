// smtp-server's logger, routed: C:/S: lines and the TLS upgrade to the inspector bus
// (smtp-server already replaces AUTH data with "/* secured */"), other events to the log; a
// client that drops the connection is an info line there, not an error.
import { format } from 'node:util';
import { REDACTED, type InspectorBus } from '../inspector/bus.js';
import type { Log, LogLevel } from '../log.js';
import type { ServiceName } from '../settings/schema.js';

interface Entry {
  tnx?: string;
  cid?: string;
  host?: string;
  err?: NodeJS.ErrnoException;
}

/** A client that goes away without QUIT (or resets the connection after it): its own business, not a server error. */
const CLIENT_WENT_AWAY = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED']);

export const clientWentAway = (error: NodeJS.ErrnoException | undefined): boolean => CLIENT_WENT_AWAY.has(error?.code ?? '');

/** What smtp-server calls: a meta object, a printf-style message, its arguments. */
export type SmtpTranscriptLogger = Record<'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal', (entry: Entry, message: string, ...args: unknown[]) => void>;

export function smtpLogger(service: ServiceName, inspector: InspectorBus, log: Log, clients: Map<string, string>): SmtpTranscriptLogger {
  const route = (level: LogLevel, entry: Entry, message: string, args: unknown[]) => {
    // Connection errors name their session in the message's first argument.
    const session = entry.cid ?? (entry.tnx === 'error' ? String(args[0]) : '?');
    const client = clients.get(session) ?? entry.host ?? '';
    const line = (direction: 'C' | 'S' | '*', text: string) => inspector.emitLine({ service, session, client, direction, text });
    if (message === 'C:' || message === 'S:') line(message[0] as 'C' | 'S', String(args[0] ?? '').replace('/* secured */', REDACTED));
    else if (entry.tnx === 'data' && message.startsWith('C: <')) line('C', format(message.slice(3), ...args));
    else if (entry.tnx === 'starttls') line('*', `TLS started (${String(args[0] ?? '')})`);
    else if (entry.tnx === 'error' && entry.err) {
      const wentAway = clientWentAway(entry.err);
      const text = wentAway ? `connection lost: ${entry.err.message}` : entry.err.message;
      if (wentAway) line('*', text);
      log.write(wentAway ? 'info' : 'error', service, text, { session, client });
    } else if (entry.tnx !== 'connection' && entry.tnx !== 'close' && level !== 'info') {
      log.write(level, service, format(message, ...args), { session, client });
    }
  };
  const at =
    (level: LogLevel) =>
    (entry: Entry, message: string, ...args: unknown[]) =>
      route(level, entry, message, args);
  return { trace: () => {}, debug: at('info'), info: at('info'), warn: at('warn'), error: at('error'), fatal: at('error') };
}

// Log lines of the engine: printed (headless) and kept for the window's Logs page.
import { EventEmitter } from 'node:events';
import { Ring } from './ring.js';

export type LogLevel = 'info' | 'warn' | 'error';

export interface LogEntry {
  time: number;
  level: LogLevel;
  /** e.g. smtp, pop3, store, tls */
  source: string;
  message: string;
  session?: string;
  client?: string;
  user?: string;
}

const KEEP = 1000;

export class Log extends EventEmitter {
  private readonly recentEntries = new Ring<LogEntry>(KEEP);

  constructor(private readonly print: ((line: string) => void) | null) {
    super();
    this.setMaxListeners(0);
  }

  write(level: LogLevel, source: string, message: string, context: Pick<LogEntry, 'session' | 'client' | 'user'> = {}): void {
    const entry: LogEntry = { time: Date.now(), level, source, message, ...context };
    this.recentEntries.push(entry);
    this.emit('entry', entry);
    this.print?.(formatLogEntry(entry));
  }

  info(source: string, message: string, context?: Pick<LogEntry, 'session' | 'client' | 'user'>): void {
    this.write('info', source, message, context);
  }

  warn(source: string, message: string, context?: Pick<LogEntry, 'session' | 'client' | 'user'>): void {
    this.write('warn', source, message, context);
  }

  error(source: string, message: string, context?: Pick<LogEntry, 'session' | 'client' | 'user'>): void {
    this.write('error', source, message, context);
  }

  recent(): LogEntry[] {
    return this.recentEntries.toArray();
  }
}

export function formatLogEntry(entry: LogEntry): string {
  const context = [
    entry.session && `session=${entry.session}`,
    entry.client && `client=${entry.client}`,
    entry.user && `user=${entry.user}`,
  ].filter(Boolean);
  const time = new Date(entry.time).toISOString();
  return `${time} ${entry.level.padEnd(5)} ${entry.source}: ${entry.message}${context.length ? ` (${context.join(' ')})` : ''}`;
}

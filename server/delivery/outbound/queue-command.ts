// `lanpost queue list | retry ID | delete ID` (Postfix mailq / postqueue -i / postsuper -d).
// Works on the database, also while the engine runs (WAL): the running worker looks at the
// queue every second and picks up a retry from here.
import { openDatabase } from '../../store/db.js';
import { OutboundQueue, QueueError, type QueueEntry } from '../queue.js';

export const QUEUE_USAGE = `  queue list                         mail waiting for other domains: recipients, attempts, next attempt, last answer
  queue retry ID | queue delete ID   try an entry again now | remove it without telling the sender`;

export interface Output {
  out(line: string): void;
  err(line: string): void;
}

const stdio: Output = {
  out: (line) => process.stdout.write(line + '\n'),
  err: (line) => process.stderr.write(line + '\n'),
};

/** Runs one queue command; returns the exit code (0 done, 2 bad usage or no such entry). */
export function queueCommand(dataDir: string, sub: string | undefined, args: string[], io: Output = stdio): number {
  const db = openDatabase(dataDir);
  try {
    const queue = new OutboundQueue(db, dataDir);
    switch (sub) {
      case 'list':
      case undefined:
        if (args.length) return usage(io, 'queue list takes no arguments');
        formatQueue(queue.list()).forEach((line) => io.out(line));
        return 0;
      case 'retry': {
        if (args.length !== 1) return usage(io, 'queue retry takes ID');
        const count = queue.retry(args[0]!);
        io.out(`${args[0]}: ${count} recipient(s) due now`);
        return 0;
      }
      case 'delete': {
        if (args.length !== 1) return usage(io, 'queue delete takes ID');
        queue.delete(args[0]!);
        io.out(`${args[0]}: deleted`);
        return 0;
      }
      default:
        return usage(io, 'queue takes list, retry ID or delete ID');
    }
  } catch (error) {
    if (!(error instanceof QueueError)) throw error;
    io.err(`lanpost: ${error.message}`);
    return 2;
  } finally {
    db.close();
  }
}

function usage(io: Output, message: string): number {
  io.err(`lanpost: ${message}\n\nUsage:\n${QUEUE_USAGE}`);
  return 2;
}

/** mailq-like text: one line per entry, one indented line per recipient. */
export function formatQueue(entries: QueueEntry[]): string[] {
  if (!entries.length) return ['queue is empty'];
  const lines: string[] = [];
  for (const entry of entries) {
    lines.push(`${entry.id}  ${entry.size} bytes  arrived ${new Date(entry.created_at).toISOString()}  from <${entry.sender}>`);
    for (const r of entry.recipients) {
      const next = r.status === 'pending' ? `  next ${new Date(r.next_attempt_at).toISOString()}` : '';
      const last = r.last_response ? `  last: ${r.last_response}` : '';
      lines.push(`  ${r.recipient}  ${r.status}  attempts ${r.attempts}${next}${last}`);
    }
  }
  return lines;
}

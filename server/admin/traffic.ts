// Mail traffic per hour for the Overview chart, kept in the `traffic` table (migration 4):
// "in" counts every message LanPost accepts (once per message, however many recipients);
// "out" counts every message handed over to another server by outbound delivery.
import { EventEmitter } from 'node:events';
import type { Delivery } from '../delivery/delivery.js';
import type { OutboundQueue, QueueChange } from '../delivery/queue.js';
import type { Db } from '../store/db.js';
import type { TrafficHour } from './contract/index.js';

const HOUR = 3600_000;

/** Counts wait in memory this long before they are written (one statement per second, not per message). */
const FLUSH_MS = 1000;
/** After a failed write (a full disk) the counts stay in memory and the write is tried again this much later. */
const RETRY_MS = 30_000;

export class Traffic extends EventEmitter {
  private readonly q;
  /** Counts not yet written, by "hour:direction". */
  private readonly unwritten = new Map<string, number>();
  private flushTimer: NodeJS.Timeout | null = null;
  /** The totals of the hour being counted, kept so that an event costs no query. */
  private current: TrafficHour | null = null;

  /** Whether the last write failed: one log line per run of failures, not one per try. */
  private failing = false;

  constructor(
    private readonly db: Db,
    private readonly onWriteError: (message: string) => void = () => {},
  ) {
    super();
    this.q = {
      add: db.prepare<[number, string, number]>(
        'INSERT INTO traffic (hour, direction, messages) VALUES (?, ?, ?) ON CONFLICT (hour, direction) DO UPDATE SET messages = messages + excluded.messages',
      ),
      range: db.prepare<[number, number]>('SELECT hour, direction, messages FROM traffic WHERE hour >= ? AND hour <= ?'),
    };
  }

  record(direction: 'in' | 'out', messages = 1, at = Date.now()): void {
    const hour = Math.floor(at / HOUR);
    if (this.current?.hour !== hour * HOUR) this.current = this.hours(hour, hour)[0]!;
    this.current[direction] += messages;
    const key = `${hour}:${direction}`;
    this.unwritten.set(key, (this.unwritten.get(key) ?? 0) + messages);
    this.flushTimer ??= setTimeout(() => this.flush(), FLUSH_MS).unref();
    this.emit('hour', { ...this.current });
  }

  /** Writes the counts waiting in memory; when that fails they wait for the next try. Never throws. */
  flush(): void {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = null;
    if (!this.unwritten.size) return;
    try {
      this.db.transaction(() => {
        for (const [key, messages] of this.unwritten) {
          const [hour, direction] = key.split(':');
          this.q.add.run(Number(hour), direction!, messages);
        }
      })();
      this.unwritten.clear();
      this.failing = false;
    } catch (error) {
      if (!this.failing) this.onWriteError(`traffic counts not written, kept in memory and tried again every ${RETRY_MS / 1000} s: ${(error as Error).message}`);
      this.failing = true;
      this.flushTimer = setTimeout(() => this.flush(), RETRY_MS).unref();
    }
  }

  /** Hours from..to (hours since the epoch, inclusive), one entry each, zeros filled in. */
  hours(from: number, to: number): TrafficHour[] {
    const rows = this.q.range.all(from, to) as Array<{ hour: number; direction: 'in' | 'out'; messages: number }>;
    const result: TrafficHour[] = [];
    for (let hour = from; hour <= to; hour++) result.push({ hour: hour * HOUR, in: 0, out: 0 });
    for (const row of rows) result[row.hour - from]![row.direction] += row.messages;
    for (const [key, messages] of this.unwritten) {
      const [hour, direction] = key.split(':') as [string, 'in' | 'out'];
      if (Number(hour) >= from && Number(hour) <= to) result[Number(hour) - from]![direction] += messages;
    }
    return result;
  }

  /** The last 24 hours including the current one, oldest first. */
  lastDay(now = Date.now()): TrafficHour[] {
    const current = Math.floor(now / HOUR);
    return this.hours(current - 23, current);
  }

  /** Messages accepted since local midnight (hours are whole, so this counts the hours that began since). */
  acceptedSince(start: number, now = Date.now()): number {
    return this.hours(Math.ceil(start / HOUR), Math.floor(now / HOUR)).reduce((sum, h) => sum + h.in, 0);
  }

  /** Starts counting accepted messages and outbound deliveries. Returns the function that stops counting. */
  follow(delivery: Delivery, queue: OutboundQueue): () => void {
    const onAccepted = () => this.record('in');
    const onQueue = (change: QueueChange) => {
      // Out means handed to another server; a local retry from the queue (no remote host) was counted in.
      if (change.kind === 'attempt' && change.results.some((r) => r.status === 'delivered' && r.remoteHost)) this.record('out');
    };
    delivery.on('accepted', onAccepted);
    queue.on('change', onQueue);
    return () => {
      delivery.off('accepted', onAccepted);
      queue.off('change', onQueue);
      this.flush();
    };
  }
}

export function localMidnight(now = Date.now()): number {
  const date = new Date(now);
  date.setHours(0, 0, 0, 0);
  return date.getTime();
}

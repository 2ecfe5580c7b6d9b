// The traffic table behind the Overview chart (migration 4): hourly counts, zeros filled in,
// messages since midnight.
import fs from 'node:fs';
import { EventEmitter } from 'node:events';
import { afterAll, describe, expect, it } from 'vitest';
import { Traffic } from '../server/admin/traffic.js';
import type { Delivery } from '../server/delivery/delivery.js';
import type { OutboundQueue, QueueChange } from '../server/delivery/queue.js';
import { openDatabase } from '../server/store/db.js';
import { tempDataDir } from './helpers/engine.js';

const dir = tempDataDir();
const db = openDatabase(dir);
afterAll(() => {
  db.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const HOUR = 3600_000;
const base = Date.UTC(2026, 10, 28, 0, 0, 0);

describe('traffic per hour', () => {
  it('counts in and out per hour, the last 24 hours oldest first with zeros filled in', () => {
    const traffic = new Traffic(db);
    const announced: unknown[] = [];
    traffic.on('hour', (h) => announced.push(h));
    traffic.record('in', 1, base + 10 * HOUR + 5);
    traffic.record('in', 2, base + 10 * HOUR + 50_000);
    traffic.record('out', 1, base + 11 * HOUR);
    traffic.record('in', 1, base - 30 * HOUR); // outside the window
    const day = traffic.lastDay(base + 12 * HOUR + 1);
    expect(day).toHaveLength(24);
    expect(day[0]!.hour).toBe(base - 11 * HOUR);
    expect(day.at(-1)!.hour).toBe(base + 12 * HOUR);
    expect(day.find((h) => h.hour === base + 10 * HOUR)).toEqual({ hour: base + 10 * HOUR, in: 3, out: 0 });
    expect(day.find((h) => h.hour === base + 11 * HOUR)).toEqual({ hour: base + 11 * HOUR, in: 0, out: 1 });
    expect(day.reduce((s, h) => s + h.in, 0)).toBe(3);
    expect(announced.at(-1)).toEqual({ hour: base - 30 * HOUR, in: 1, out: 0 });
    expect(traffic.acceptedSince(base, base + 12 * HOUR)).toBe(3);
    expect(traffic.acceptedSince(base + 11 * HOUR, base + 12 * HOUR)).toBe(0);
  });

  it('counts a message handed to another server as out, not a local recipient retried from the queue', () => {
    const traffic = new Traffic(db);
    const delivery = new EventEmitter() as Delivery;
    const queue = new EventEmitter() as OutboundQueue;
    const stop = traffic.follow(delivery, queue);
    const attempt = (remoteHost: string | null): QueueChange => ({
      kind: 'attempt',
      id: 'Q1',
      at: Date.now(),
      results: [{ recipient: 'a@x.test', status: 'delivered', nextAttemptAt: 0, response: '250 ok', statusCode: '2.0.0', remoteHost }],
    });
    const start = Math.floor(Date.now() / HOUR) * HOUR;
    const sinceStart = () => {
      const hours = traffic.lastDay().filter((h) => h.hour >= start);
      return [hours.reduce((n, h) => n + h.in, 0), hours.reduce((n, h) => n + h.out, 0)];
    };
    const [inBefore, outBefore] = sinceStart();
    delivery.emit('accepted', { id: 'A', delivered: 1, queuedAs: 'Q1' });
    queue.emit('change', attempt('mx.x.test[127.0.0.1]:25'));
    queue.emit('change', attempt(null));
    stop();
    const [inAfter, outAfter] = sinceStart();
    expect([inAfter! - inBefore!, outAfter! - outBefore!]).toEqual([1, 1]);
  });
});

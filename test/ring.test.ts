// The engine's memory of recent log lines and transcript lines: the newest N, oldest first.
import { describe, expect, it } from 'vitest';
import { InspectorBus } from '../server/inspector/bus.js';
import { Log } from '../server/log.js';

describe('recent lines', () => {
  it('keeps the last 1000 log entries in order', () => {
    const log = new Log(null);
    for (let i = 0; i < 999; i++) log.info('test', `line ${i}`);
    expect(log.recent().map((e) => e.message)).toEqual(Array.from({ length: 999 }, (_, i) => `line ${i}`));
    for (let i = 999; i < 2500; i++) log.info('test', `line ${i}`);
    const kept = log.recent().map((e) => e.message);
    expect(kept).toHaveLength(1000);
    expect(kept[0]).toBe('line 1500');
    expect(kept.at(-1)).toBe('line 2499');
  });

  it('keeps the last 2000 transcript lines in order', () => {
    const bus = new InspectorBus();
    const session = bus.session('smtp', 's1', '127.0.0.1');
    for (let i = 0; i < 2345; i++) session.client(`C ${i}`);
    const kept = bus.recent().map((l) => l.text);
    expect(kept).toHaveLength(2000);
    expect(kept[0]).toBe('C 345');
    expect(kept.at(-1)).toBe('C 2344');
  });
});

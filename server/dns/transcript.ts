// DNS lookups on the protocol inspector: one C: line per query, one S: line per answer. Under a
// flood (a benchmark, a scan) only the first few per second are written, then one line saying
// how many were left out, so that the inspector stays readable and the responder fast.
import classes from 'dns-packet/classes.js';
import types from 'dns-packet/types.js';
import type { InspectorBus } from '../inspector/bus.js';
import type { QueryView } from './query.js';

const LINES_PER_SECOND = 50;

export class DnsTranscript {
  private used = 0;
  private skipped = 0;
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly inspector: InspectorBus,
    private readonly perSecond = LINES_PER_SECOND,
  ) {
    // A new allowance every second (a timer, so that a query costs no clock read).
    this.timer = setInterval(() => this.newSecond(), 1000);
    this.timer.unref();
  }

  /** May this lookup be written? Counts the ones that may not. */
  allow(): boolean {
    if (this.used < this.perSecond) {
      this.used++;
      return true;
    }
    this.skipped++;
    return false;
  }

  close(): void {
    clearInterval(this.timer);
  }

  private newSecond(): void {
    if (this.skipped) {
      this.inspector.emitLine({ service: 'dns', session: 'dns', client: '', direction: '*', text: `${this.skipped} more lookups in the last second not shown` });
    }
    this.used = 0;
    this.skipped = 0;
  }

  query(session: string, client: string, text: string): void {
    this.inspector.emitLine({ service: 'dns', session, client, direction: 'C', text });
  }

  answer(session: string, client: string, text: string): void {
    this.inspector.emitLine({ service: 'dns', session, client, direction: 'S', text });
  }

  event(session: string, client: string, text: string): void {
    this.inspector.emitLine({ service: 'dns', session, client, direction: '*', text });
  }
}

/** "MX lanpost.lan (id 4711, rd, edns 1232, udp)" — the name as the client spelled it. */
export function describeQuery(view: QueryView, transport: string): string {
  const name = view.spelledName();
  const details = [`id ${view.id}`, view.recursionDesired && 'rd', view.edns && `edns ${view.udpSize}`, view.dnssecOk && 'do', transport].filter(Boolean);
  const klass = view.qclass === 1 ? '' : ` class ${classes.toString(view.qclass)}`;
  return `${types.toString(view.qtype)} ${name || '.'}${klass} (${details.join(', ')})`;
}

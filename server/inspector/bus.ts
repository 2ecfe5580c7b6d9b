// The protocol transcript bus: every session of every protocol emits its C:/S: lines here, with
// secrets already redacted. The admin API streams it to the window's Protocol inspector.
import { EventEmitter } from 'node:events';
import { Ring } from '../ring.js';
import type { ServiceName } from '../settings/schema.js';

export type Direction = 'C' | 'S' | '*';

export interface TranscriptLine {
  time: number;
  /** `outbound`: LanPost as the client, delivering to another server. */
  service: ServiceName | 'admin' | 'outbound';
  session: string;
  client: string;
  /** C: client to server, S: server to client, *: an event such as "TLS started". */
  direction: Direction;
  text: string;
}

const KEEP_LINES = 2000;
const MAX_TEXT = 500;

export class InspectorBus extends EventEmitter {
  private readonly recentLines = new Ring<TranscriptLine>(KEEP_LINES);

  constructor() {
    super();
    this.setMaxListeners(0);
  }

  emitLine(line: Omit<TranscriptLine, 'time'>): void {
    const text = line.text.length > MAX_TEXT ? `${line.text.slice(0, MAX_TEXT)}… (${line.text.length} characters)` : line.text;
    const entry: TranscriptLine = { time: Date.now(), service: line.service, session: line.session, client: line.client, direction: line.direction, text };
    this.recentLines.push(entry);
    this.emit('line', entry);
  }

  recent(): TranscriptLine[] {
    return this.recentLines.toArray();
  }

  /** A transcript writer bound to one session. */
  session(service: TranscriptLine['service'], session: string, client: string): SessionTranscript {
    return {
      client: (text) => this.emitLine({ service, session, client, direction: 'C', text }),
      server: (text) => this.emitLine({ service, session, client, direction: 'S', text }),
      event: (text) => this.emitLine({ service, session, client, direction: '*', text }),
    };
  }
}

export interface SessionTranscript {
  client(text: string): void;
  server(text: string): void;
  event(text: string): void;
}

/** What a secret (password, AUTH data) reads as in a transcript. */
export const REDACTED = '***';

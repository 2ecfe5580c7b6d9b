// The protocol transcript bus: every session of every protocol emits its C:/S: lines here, with
// secrets already redacted. The admin API streams it to the window's Protocol inspector.
import { EventEmitter } from 'node:events';
import { Ring } from '../ring.js';
import type { ServiceName } from '../settings/schema.js';

export type Direction = 'C' | 'S' | '*';

export interface TranscriptLine {
  /** Numbers the lines of this engine run, in order: a message path links to its lines by these. */
  id: number;
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
  private lines = 0;

  constructor() {
    super();
    this.setMaxListeners(0);
  }

  emitLine(line: Omit<TranscriptLine, 'id' | 'time'>): void {
    const text = line.text.length > MAX_TEXT ? `${line.text.slice(0, MAX_TEXT)}… (${line.text.length} characters)` : line.text;
    const entry: TranscriptLine = { id: ++this.lines, time: Date.now(), service: line.service, session: line.session, client: line.client, direction: line.direction, text };
    this.recentLines.push(entry);
    this.emit('line', entry);
  }

  recent(): TranscriptLine[] {
    return this.recentLines.toArray();
  }

  /** The id of the last line emitted (0 before the first). */
  get lastId(): number {
    return this.lines;
  }

  /** A transcript writer bound to one session. */
  session(service: TranscriptLine['service'], session: string, client: string): SessionTranscript {
    return {
      ref: { service, session, client },
      client: (text) => this.emitLine({ service, session, client, direction: 'C', text }),
      server: (text) => this.emitLine({ service, session, client, direction: 'S', text }),
      event: (text) => this.emitLine({ service, session, client, direction: '*', text }),
    };
  }
}

/** A session as the inspector names it: its service, its id, the client's address (or the remote server). */
export interface SessionRef {
  service: TranscriptLine['service'];
  session: string;
  client: string;
}

/** Writes one session's lines; it names the session too. */
export interface SessionTranscript {
  readonly ref: SessionRef;
  client(text: string): void;
  server(text: string): void;
  event(text: string): void;
}

/** What a secret (password, AUTH data) reads as in a transcript. */
export const REDACTED = '***';

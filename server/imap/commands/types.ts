// What a command module declares: the states it is allowed in, how its arguments read, and
// its handler. The table in index.ts maps command names to these.
import type { EngineContext } from '../../context.js';
import type { Args } from '../parser/args.js';
import type { Piece } from '../replies.js';
import type { Session, StateName } from '../session.js';

/** What the connection offers a handler beyond the session. */
export interface Wire {
  /** Queues an untagged response (written in order, with back-pressure). */
  send(pieces: Piece[]): Promise<void>;
  /** Queues a response without waiting; true when the caller should `flush()` (back-pressure). */
  queue(pieces: Piece[]): boolean;
  /**
   * Queues more of the response queued last (literal data streamed from a file), without a
   * transcript line of its own; true when the caller should `flush()`. Throws once the connection is closed.
   */
  queueData(piece: Piece): boolean;
  flush(): Promise<void>;
  /** Sends "+ text" and flushes. */
  continuation(text: string): Promise<void>;
  /** Reads one line from the client (AUTHENTICATE responses, IDLE's DONE). */
  readLine(): Promise<Buffer>;
  /** Upgrades the connection to TLS (after the tagged OK of STARTTLS went out). */
  startTls(): void;
  /** Compresses both directions from now on (after the tagged OK of COMPRESS went out). */
  startCompression(): void;
  /** Sends pending unsolicited updates of the selected mailbox now (IDLE). */
  flushUpdates(expunges: boolean): Promise<void>;
  /** Closes the connection after the tagged response. */
  close(): void;
  /** Transcript event line. */
  note(text: string): void;
}

export interface CommandContext<A> {
  tag: string;
  name: string;
  args: A;
  session: Session;
  wire: Wire;
  context: EngineContext;
}

/** The tagged OK: its response code and text, and what to do once it is written. */
export interface Done {
  code?: string;
  text?: string;
  after?: () => void;
}

export interface CommandSpec<A = unknown> {
  states: readonly StateName[];
  parse(args: Args): A;
  handle(ctx: CommandContext<A>): Promise<Done | void> | Done | void;
  /** RFC 3501 §7.4.1: no EXPUNGE responses after FETCH, STORE and SEARCH (the UID forms may). */
  deferExpunges?: boolean;
}

export function command<A>(spec: CommandSpec<A>): CommandSpec<A> {
  return spec;
}

export const ANY: readonly StateName[] = ['not-authenticated', 'authenticated', 'selected'];
export const NOT_AUTHENTICATED: readonly StateName[] = ['not-authenticated'];
export const AUTHENTICATED: readonly StateName[] = ['authenticated', 'selected'];
export const SELECTED: readonly StateName[] = ['selected'];

export function noArgs(args: Args): null {
  args.end();
  return null;
}

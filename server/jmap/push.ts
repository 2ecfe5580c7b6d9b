// Push over EventSource (RFC 8620 §7.3): a StateChange event to every open stream of a user when
// the state of Mailbox, Email or Thread changes — a delivery, an IMAP STORE or APPEND, a JMAP /set:
// anything the store announces, and every JMAP request that changed something. Changes that come
// together are sent as one event, after a short pause.
import type http from 'node:http';
import type { EngineContext } from '../context.js';
import type { MailboxChange } from '../store/mailstore.js';
import { accountIdOf } from './call.js';
import { currentState } from './state.js';

/** Changes within this time go out as one event. */
const GATHER_MS = 50;
/** ping: the server's bounds on the interval a client asks for (0: no pings). */
const MIN_PING_SECONDS = 1;
const MAX_PING_SECONDS = 600;
export const PUSH_TYPES = ['Mailbox', 'Email', 'Thread'] as const;

interface Listener {
  types: ReadonlySet<string>;
  closeAfterState: boolean;
  lastState: string;
  response: http.ServerResponse;
}

export class PushHub {
  private readonly listeners = new Map<number, Set<Listener>>();
  private readonly pending = new Map<number, NodeJS.Timeout>();
  private readonly onChange = (change: MailboxChange) => {
    const owner = this.context.mailStore.mailboxById(change.mailboxId)?.user_id;
    if (owner !== undefined) this.notify(owner);
  };

  constructor(private readonly context: EngineContext) {}

  /** Opens a stream for a user; `types` null means all. */
  open(userId: number, response: http.ServerResponse, types: ReadonlySet<string>, closeAfterState: boolean, pingSeconds: number): void {
    if (!this.listeners.size) this.context.mailStore.changes.on('change', this.onChange);
    const listener: Listener = { types, closeAfterState, lastState: currentState(this.context.mailStore, userId), response };
    let set = this.listeners.get(userId);
    if (!set) this.listeners.set(userId, (set = new Set()));
    set.add(listener);
    const interval = pingSeconds > 0 ? Math.min(MAX_PING_SECONDS, Math.max(MIN_PING_SECONDS, pingSeconds)) : 0;
    const ping = interval ? setInterval(() => response.write(`event: ping\ndata: ${JSON.stringify({ '@type': 'Ping', interval })}\n\n`), interval * 1000) : null;
    response.on('close', () => {
      if (ping) clearInterval(ping);
      set.delete(listener);
      if (!set.size) this.listeners.delete(userId);
      if (!this.listeners.size) this.context.mailStore.changes.off('change', this.onChange);
    });
    // a comment first, so that the client knows the stream is open
    response.write(': LanPost JMAP push\n\n');
  }

  /** Something of this user may have changed: send the new state to their streams, soon. */
  notify(userId: number): void {
    if (!this.listeners.has(userId) || this.pending.has(userId)) return;
    this.pending.set(
      userId,
      setTimeout(() => {
        this.pending.delete(userId);
        this.send(userId);
      }, GATHER_MS),
    );
  }

  private send(userId: number): void {
    const set = this.listeners.get(userId);
    if (!set) return;
    const state = currentState(this.context.mailStore, userId);
    for (const listener of set) {
      if (state === listener.lastState) continue;
      listener.lastState = state;
      const changed = Object.fromEntries(PUSH_TYPES.filter((type) => listener.types.has(type)).map((type) => [type, state]));
      if (!Object.keys(changed).length) continue;
      listener.response.write(`event: state\ndata: ${JSON.stringify({ '@type': 'StateChange', changed: { [accountIdOf({ id: userId })]: changed } })}\n\n`);
      if (listener.closeAfterState) listener.response.end();
    }
  }
}

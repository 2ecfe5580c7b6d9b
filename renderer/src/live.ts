// The live event stream (one WebSocket), reconnecting with a growing pause. The token travels as
// a subprotocol because a browser cannot put an Authorization header on a WebSocket.
import type { EVENTS_PATH, LiveEvent, WS_PROTOCOL, WS_TOKEN_PREFIX } from '../../server/admin/contract/index.js';

// The contract's constants, written out (the window imports no engine code) and checked by the compiler.
const eventsPath: typeof EVENTS_PATH = '/api/events';
const protocol: typeof WS_PROTOCOL = 'lanpost.v1';
const tokenPrefix: typeof WS_TOKEN_PREFIX = 'token.';

export type LiveState = 'connecting' | 'open' | 'closed';
type Listener = (event: LiveEvent) => void;

export class LiveConnection {
  private socket: WebSocket | null = null;
  private listeners = new Set<Listener>();
  private stateListeners = new Set<(state: LiveState) => void>();
  private retryMs = 500;
  private stopped = false;
  state: LiveState = 'connecting';

  constructor(private readonly token: string) {}

  start(): void {
    // React (StrictMode) may stop and start again right away: start anew each time.
    this.stopped = false;
    this.socket?.close();
    const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}${eventsPath}`;
    const socket = new WebSocket(url, [protocol, `${tokenPrefix}${this.token}`]);
    this.socket = socket;
    this.setState('connecting');
    socket.onopen = () => {
      if (this.socket !== socket) return;
      this.retryMs = 500;
      this.setState('open');
    };
    socket.onmessage = (message) => {
      if (this.socket !== socket) return;
      const event = JSON.parse(String(message.data)) as LiveEvent;
      for (const listener of this.listeners) listener(event);
    };
    socket.onclose = () => {
      if (this.socket !== socket) return; // replaced by a newer connection
      this.setState('closed');
      if (this.stopped) return;
      window.setTimeout(() => !this.stopped && this.socket === socket && this.start(), this.retryMs);
      this.retryMs = Math.min(this.retryMs * 2, 10_000);
    };
  }

  stop(): void {
    this.stopped = true;
    this.socket?.close();
    this.socket = null;
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  onState(listener: (state: LiveState) => void): () => void {
    this.stateListeners.add(listener);
    return () => this.stateListeners.delete(listener);
  }

  private setState(state: LiveState): void {
    this.state = state;
    for (const listener of this.stateListeners) listener(state);
  }
}

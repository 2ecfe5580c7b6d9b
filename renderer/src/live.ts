// The live event stream (one WebSocket), reconnecting with a growing pause. The token travels as
// a subprotocol because a browser cannot put an Authorization header on a WebSocket.
import type { LiveEvent } from '../../server/admin/types.js';

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
    if (this.stopped) return;
    const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/api/events`;
    const socket = new WebSocket(url, ['lanpost.v1', `token.${this.token}`]);
    this.socket = socket;
    this.setState('connecting');
    socket.onopen = () => {
      this.retryMs = 500;
      this.setState('open');
    };
    socket.onmessage = (message) => {
      const event = JSON.parse(String(message.data)) as LiveEvent;
      for (const listener of this.listeners) listener(event);
    };
    socket.onclose = () => {
      this.setState('closed');
      if (this.stopped) return;
      window.setTimeout(() => this.start(), this.retryMs);
      this.retryMs = Math.min(this.retryMs * 2, 10_000);
    };
  }

  stop(): void {
    this.stopped = true;
    this.socket?.close();
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

// The messages between the engine process and its parent (the desktop app, or any Node parent
// with an IPC channel): the one contract both sides import. Types only, and the guard that checks
// what a parent sent.
import type { FirstStart } from './engine.js';
import type { ServiceStatus } from './net/listener.js';
import type { DiskStatus } from './store/disk-space.js';

/** What the desktop app needs to draw the tray: names, addresses and every service's state. */
export interface EngineSnapshot {
  hostname: string;
  domain: string;
  /** LAN addresses of this machine, IPv4 first. */
  lanAddresses: string[];
  services: ServiceStatus[];
  /** Set while free space is below the floor and new mail is refused; null otherwise. */
  diskLow: DiskStatus | null;
}

/** Parent → engine. */
export type ParentMessage =
  /** Stop every service, close the store, answer `stopped` and exit 0. */
  | { type: 'stop' }
  /** Start every enabled service that is not listening, or stop every running one. */
  | { type: 'services'; action: 'start' | 'stop' }
  /** Send a `state` message now, changed or not. */
  | { type: 'state' };

/**
 * Engine → parent. `starting` comes first, once the engine listens for messages: a Node parent
 * sends nothing before it (Node drops IPC messages that arrive before a listener; Electron's
 * parentPort queues them).
 */
export type EngineMessage =
  | { type: 'starting'; pid: number }
  | {
      type: 'ready';
      pid: number;
      dataDir: string;
      /** The admin URL with the token in its fragment, ready to load in the window. */
      adminUrl: string;
      adminToken: string;
      /** The admin mailbox made at the very first start, with its password (shown once). */
      firstStart: FirstStart | null;
      state: EngineSnapshot;
    }
  /** Sent whenever the snapshot changes (a service starts, stops, is blocked, settings change). */
  | { type: 'state'; state: EngineSnapshot }
  /**
   * The engine could not start (bad settings, database locked, …); the process exits 1 next.
   * `code` is the error's code (EACCES, ERR_DLOPEN_FAILED, SQLITE_BUSY, …) or, without one, its
   * name (SettingsError): the desktop app tells from it whether starting again can help.
   */
  | { type: 'failed'; message: string; code?: string }
  /** Stopped cleanly; the process exits 0 next. */
  | { type: 'stopped' };

export function isParentMessage(value: unknown): value is ParentMessage {
  if (!value || typeof value !== 'object') return false;
  const message = value as { type?: unknown; action?: unknown };
  if (message.type === 'stop' || message.type === 'state') return true;
  return message.type === 'services' && (message.action === 'start' || message.action === 'stop');
}

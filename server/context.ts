// What every service gets from the engine: settings, store, accounts, TLS, delivery, the
// transcript bus, the connection admission guard and the log, and the caches and locks that
// services of one protocol share. Services never reach for globals.
import type { Accounts } from './accounts/accounts.js';
import type { BackupScheduler } from './backup/schedule.js';
import type { Delivery } from './delivery/delivery.js';
import type { OutboundQueue } from './delivery/queue.js';
import type { MimeCache } from './imap/mime/cache.js';
import type { InspectorBus } from './inspector/bus.js';
import type { MessagePaths } from './inspector/message-paths.js';
import type { Log } from './log.js';
import type { AdmissionGuard } from './net/admission.js';
import type { ServiceStatus } from './net/listener.js';
import type { Pop3State } from './pop3/maildrop.js';
import type { ServiceName, Settings } from './settings/schema.js';
import type { Db } from './store/db.js';
import type { DiskSpace } from './store/disk-space.js';
import type { MailStore } from './store/mailstore.js';
import type { TlsContext } from './tls/context.js';

export interface EngineContext {
  dataDir: string;
  /** The current settings (they may change while the engine runs). */
  settings(): Settings;
  /** The database, for the accounts and the admin's traffic counts; mail, flags and meta go through mailStore. */
  db: Db;
  /** The store: mailboxes, messages and their files, flags, IMAP views, meta (store/mailstore.ts). */
  mailStore: MailStore;
  /** Envelopes and MIME structures of messages, shared by the imap and imaps services (and their sessions). */
  mimeCache: MimeCache;
  /** Maildrop locks, recent INBOX listings and sizes on the wire, shared by the pop3 and pop3s services. */
  pop3: Pop3State;
  accounts: Accounts;
  tls: TlsContext;
  delivery: Delivery;
  /** Mail waiting for other domains: list, retry, delete (`lanpost queue`, the window's Queue page); emits 'change'. */
  queue: OutboundQueue;
  inspector: InspectorBus;
  /** The recent messages' whole paths (classroom): protocols report what they did with a message here. */
  paths: MessagePaths;
  /** Every TCP mail connection of the engine is admitted here: limits.connectionsPerClient (per client address, all ports together) and limits.connectionsTotal. */
  admission: AdmissionGuard;
  log: Log;
  /** Free space on the data folder's disk against limits.minFreeDiskBytes: new mail is refused while it is low. */
  disk: DiskSpace;
  /** The port a service listens on now (the bound one where the settings say 0), or null when it does not listen. */
  listeningPort(name: ServiceName): number | null;
  /** The engine's own backups: the daily schedule of settings.backup and "back up now". */
  backups: BackupScheduler;
  /** Is this client address in the trusted networks? */
  isTrusted(address: string): boolean;
  /** May a client log in with a plaintext password on this connection? (Dovecot disable_plaintext_auth) */
  plaintextLoginAllowed(address: string, secure: boolean): boolean;
}

/** One listening service (smtp on 25, imaps on 993, …). */
export interface Service {
  readonly name: ServiceName;
  start(): Promise<ServiceStatus>;
  /** Stop accepting, finish or cleanly abort sessions; resolves when closed. */
  stop(): Promise<void>;
}

export type ServiceFactory = (context: EngineContext, name: ServiceName) => Service;

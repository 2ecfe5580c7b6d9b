// The engine: loads settings, opens the store, makes sure certificates and the admin mailbox
// exist, starts every enabled service and the admin API, and stops it all cleanly.
import { EventEmitter } from 'node:events';
import fs from 'node:fs';
import path from 'node:path';
import { Accounts } from './accounts/accounts.js';
import { generatePassword } from './accounts/password.js';
import { startAdminApi, type AdminApi } from './admin/server.js';
import { BackupScheduler } from './backup/schedule.js';
import type { EngineContext, Service } from './context.js';
import { Delivery } from './delivery/delivery.js';
import { OutboundQueue } from './delivery/queue.js';
import { OutboundWorker } from './delivery/outbound/worker.js';
import { MimeCache } from './imap/mime/cache.js';
import { InspectorBus } from './inspector/bus.js';
import { MessagePaths } from './inspector/message-paths.js';
import { Log } from './log.js';
import { AdmissionGuard } from './net/admission.js';
import { lanAddresses, networkMatcher } from './net/interfaces.js';
import { describeStatus, type ServiceStatus } from './net/listener.js';
import { Pop3State } from './pop3/maildrop.js';
import { SERVICE_FACTORIES } from './services.js';
import { loadSettings, settingsPath } from './settings/file.js';
import { SERVICE_NAMES, type ServiceName, type Settings } from './settings/schema.js';
import { CommitWriter } from './store/commit-writer.js';
import { openDatabase } from './store/db.js';
import { DiskSpace, type DiskStatus } from './store/disk-space.js';
import { MailStore } from './store/mailstore.js';
import type { Meta } from './store/meta.js';
import { ensureCertificates } from './tls/certificates.js';
import { TlsContext } from './tls/context.js';

export interface EngineOptions {
  dataDir: string;
  /** Where log lines go (headless: stdout); null keeps them in memory only. */
  print?: ((line: string) => void) | null;
}

export interface FirstStart {
  address: string;
  password: string;
}

export interface Engine {
  readonly context: EngineContext;
  statuses(): ServiceStatus[];
  status(name: ServiceName): ServiceStatus;
  readonly adminUrl: string;
  readonly adminToken: string;
  /** Set when the very first start made the admin mailbox: its address and password, shown once. */
  readonly firstStart: FirstStart | null;
  restartService(name: ServiceName): Promise<ServiceStatus>;
  stopService(name: ServiceName): Promise<ServiceStatus>;
  /** Re-reads settings.json and restarts the services whose settings changed. */
  reloadSettings(): Promise<void>;
  stop(): Promise<void>;
  /**
   * Emits 'service' (a ServiceStatus) whenever a service starts, stops or is refused, and 'settings'
   * (the new Settings) once changed settings are applied: the tray and the window follow them.
   */
  readonly events: EventEmitter;
}

const CERTIFICATE_CHECK_MS = 12 * 3600_000;
const SETTINGS_POLL_MS = 1000;

export function certificateIdentity(settings: Settings) {
  return { hostname: settings.hostname, domain: settings.domain, addresses: lanAddresses().map((a) => a.address) };
}

/**
 * The admin mailbox and the postmaster/abuse aliases, made once per data folder. An admin
 * mailbox made before the first start (`lanpost user add admin@…` by a script or an installer)
 * is left as it is: a password is made, and shown, only for a mailbox made here.
 */
export async function initializeMailboxes(meta: Meta, accounts: Accounts, settings: Settings): Promise<FirstStart | null> {
  if (meta.get('initialized') !== undefined) return null;
  const address = `admin@${settings.domain}`;
  let made: FirstStart | null = null;
  if (!accounts.findUser(address)) {
    made = { address, password: generatePassword() };
    await accounts.addUser(address, made.password, { displayName: 'Administrator' });
  }
  for (const role of ['postmaster', 'abuse']) {
    if (!accounts.listAliases().some((a) => a.address === `${role}@${settings.domain}`)) accounts.addAlias(`${role}@${settings.domain}`, [address]);
  }
  meta.set('initialized', new Date().toISOString());
  return made;
}

export async function startEngine(options: EngineOptions): Promise<Engine> {
  const dataDir = path.resolve(options.dataDir);
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const log = new Log(options.print ?? null);
  let settings = loadSettings(dataDir).settings;
  const db = openDatabase(dataDir, (line) => log.info('store', line));
  // one group commit for the whole engine: delivery, the outbound queue, the MIME cache
  const commits = new CommitWriter(db);
  commits.syncExplicitly();
  const mailStore = new MailStore(db, dataDir, commits);
  const accounts = new Accounts(db, dataDir, mailStore, () => settings, log);
  const firstStart = await initializeMailboxes(mailStore.meta, accounts, settings);
  for (const line of ensureCertificates(dataDir, certificateIdentity(settings))) log.info('tls', line);
  const tls = new TlsContext(dataDir);
  const queue = new OutboundQueue(db, dataDir, commits);
  const inspector = new InspectorBus();
  const paths = new MessagePaths(inspector, dataDir, () => settings.limits.messagePathsKept);
  const delivery = new Delivery(mailStore, queue, log);
  delivery.on('accepted', (_result, report) => paths.accepted(report));
  const disk = new DiskSpace(dataDir, () => settings.limits.minFreeDiskBytes, (message) => log.error('store', message));
  disk.on('change', (status) => logDiskSpace(log, status));
  await disk.start();

  let trusted = networkMatcher(settings.trustedNetworks);
  const running = new Map<ServiceName, Service>();
  const statuses = new Map<ServiceName, ServiceStatus>();
  const context: EngineContext = {
    dataDir,
    settings: () => settings,
    db,
    mailStore,
    mimeCache: new MimeCache(db, commits, () => settings.limits.mimeCacheBytes),
    pop3: new Pop3State(mailStore),
    accounts,
    tls,
    delivery,
    queue,
    inspector,
    paths,
    admission: new AdmissionGuard(() => settings.limits, log),
    log,
    disk,
    listeningPort: (name) => {
      const status = statuses.get(name);
      return status?.state === 'listening' ? status.port : null;
    },
    backups: new BackupScheduler(dataDir, db, mailStore.meta, () => settings, log),
    isTrusted: (address) => trusted(address),
    plaintextLoginAllowed: (address, secure) => {
      if (secure) return true;
      const policy = settings.plaintextLogin;
      return policy === 'always' || (policy === 'trusted-networks' && trusted(address));
    },
  };

  reconcileAll(context);

  const events = new EventEmitter();
  events.setMaxListeners(0);

  async function startService(name: ServiceName): Promise<ServiceStatus> {
    const config = settings.services[name];
    let status: ServiceStatus;
    if (!config.enabled) status = { name, address: config.address, port: config.port, state: 'disabled', detail: 'disabled' };
    else {
      const service = SERVICE_FACTORIES[name](context, name);
      status = await service.start();
      if (status.state === 'listening') running.set(name, service);
      else await service.stop();
    }
    statuses.set(name, status);
    events.emit('service', status);
    // At start-up the caller prints the statuses; later changes are logged here.
    if (started) log.write(status.state === 'listening' || status.state === 'disabled' ? 'info' : 'warn', 'engine', describeStatus(status));
    return status;
  }

  async function stopService(name: ServiceName): Promise<ServiceStatus> {
    const service = running.get(name);
    running.delete(name);
    await service?.stop();
    const previous = statuses.get(name)!;
    const status: ServiceStatus = { ...previous, state: 'stopped', detail: 'stopped' };
    statuses.set(name, status);
    events.emit('service', status);
    return status;
  }

  let started = false;
  await Promise.all(SERVICE_NAMES.map(startService));
  started = true;
  const outbound = new OutboundWorker(context, queue);
  await outbound.start();
  context.backups.schedule();

  // Settings changed by the CLI or the window while running: apply them.
  const watchedFile = settingsPath(dataDir);
  let reloading = Promise.resolve();
  async function reloadSettings(): Promise<void> {
    let next: Settings;
    try {
      next = loadSettings(dataDir).settings;
    } catch (error) {
      log.error('engine', `settings not applied: ${(error as Error).message}`);
      return;
    }
    const before = settings;
    if (JSON.stringify(before) === JSON.stringify(next)) return;
    settings = next;
    trusted = networkMatcher(settings.trustedNetworks);
    disk.recheck();
    if (before.domain !== next.domain) accounts.renameDomain(before.domain, next.domain);
    if (JSON.stringify(before.backup) !== JSON.stringify(next.backup)) context.backups.schedule();
    if (before.hostname !== next.hostname || before.domain !== next.domain) {
      for (const line of ensureCertificates(dataDir, certificateIdentity(settings))) log.info('tls', line);
      tls.reload();
    }
    const global = JSON.stringify([before.hostname, before.limits]) !== JSON.stringify([next.hostname, next.limits]);
    for (const name of SERVICE_NAMES) {
      if (global || JSON.stringify(before.services[name]) !== JSON.stringify(next.services[name])) {
        await stopService(name);
        await startService(name);
      }
    }
    log.info('engine', 'settings applied');
    events.emit('settings', next);
  }
  /** One reload at a time; a failed one (a full disk while renewing the certificate) is logged and the next still runs. */
  const queueReload = () =>
    (reloading = reloading.then(reloadSettings).catch((error: Error) => log.error('engine', `settings not fully applied: ${error.message}`)));
  const onSettingsFile = () => void queueReload();
  fs.watchFile(watchedFile, { interval: SETTINGS_POLL_MS }, onSettingsFile);

  const certificateTimer = setInterval(() => {
    try {
      const done = ensureCertificates(dataDir, certificateIdentity(settings));
      if (done.length) {
        done.forEach((line) => log.info('tls', line));
        tls.reload();
      }
    } catch (error) {
      log.error('tls', `certificate check failed, tried again in ${CERTIFICATE_CHECK_MS / 3600_000} hours: ${(error as Error).message}`);
    }
  }, CERTIFICATE_CHECK_MS);
  certificateTimer.unref();

  let admin: AdminApi | null = null;
  const engine: Engine = {
    context,
    statuses: () => SERVICE_NAMES.map((name) => statuses.get(name)!),
    status: (name) => statuses.get(name)!,
    get adminUrl() {
      return admin!.url;
    },
    get adminToken() {
      return admin!.token;
    },
    firstStart,
    restartService: async (name) => {
      await stopService(name);
      return startService(name);
    },
    stopService,
    events,
    reloadSettings: queueReload,
    stop: async () => {
      fs.unwatchFile(watchedFile, onSettingsFile);
      clearInterval(certificateTimer);
      await reloading;
      await admin?.close();
      await Promise.all([...running.keys()].map(stopService));
      await outbound.stop();
      await context.backups.stop();
      paths.close();
      disk.stop();
      commits.stop();
      db.close();
      log.info('engine', 'stopped');
    },
  };
  admin = await startAdminApi(engine, settings.adminPort);
  return engine;
}

function logDiskSpace(log: Log, status: DiskStatus): void {
  const megabytes = (bytes: number | null) => `${Math.floor((bytes ?? 0) / 1048576)} MB`;
  if (status.low) {
    log.warn(
      'store',
      `disk nearly full: ${megabytes(status.freeBytes)} free for the data folder, less than limits.minFreeDiskBytes (${megabytes(status.floorBytes)}); new mail is refused (SMTP 452 4.3.1, IMAP APPEND NO [OVERQUOTA]) until space is freed`,
    );
  } else log.info('store', `disk space back above the floor: ${megabytes(status.freeBytes)} free; new mail is accepted again`);
}

/** Index ↔ Maildir at start: picks up mail a crash left unindexed, forgets files removed by hand. */
function reconcileAll(context: EngineContext): void {
  let added = 0;
  let removed = 0;
  for (const user of context.accounts.listUsers()) {
    context.mailStore.ensureUserMailboxes(user);
    for (const mailbox of context.mailStore.listMailboxes(user.id)) {
      const result = context.mailStore.reconcile(user, mailbox);
      added += result.added;
      removed += result.removed;
    }
  }
  if (added || removed) context.log.info('store', `index brought in line with the Maildir files: ${added} added, ${removed} removed`);
}

// The outbound worker: takes due recipients from the queue, hands them to the dispatcher as
// jobs (one message × one domain), records each attempt, schedules retries with backoff
// (doubling from outbound.retryBaseSeconds up to retryMaxSeconds, until lifetimeSeconds), and
// tells senders about failures (and optionally delays) with a DSN through local delivery.
import fs from 'node:fs';
import addressparser from 'nodemailer/lib/addressparser';
import { splitAddress } from '../../accounts/accounts.js';
import type { EngineContext } from '../../context.js';
import type { Settings } from '../../settings/schema.js';
import type { AttemptRecord, DueRecipient, OutboundQueue, QueueChange, QueueEntry, QueueRecipient } from '../queue.js';
import { buildDsn, originalHeaders } from './bounce.js';
import { Dispatcher, type Job, type JobResult } from './dispatcher.js';
import { DkimSigner, ensureDkimKey } from './dkim.js';
import { deferred, delivered, failed, type Outcome } from './outcome.js';

/** How often the queue is looked at besides wake-ups (also picks up `lanpost queue retry` from the CLI). */
const POLL_MS = 1000;
const DUE_BATCH = 5000;
/** RFC 5321 §6.3: a message with this many Received lines is looping (Postfix hopcount_limit). */
const MAX_HOPS = 50;
/** At stop, a message being sent gets this long to finish. */
const STOP_GRACE_MS = 5000;
/** Failures whose DSN could not be delivered (disk full, say) are tried again this often. */
const LEFTOVER_SWEEP_MS = 60_000;

export class OutboundWorker {
  private readonly dispatcher: Dispatcher;
  private readonly signer: DkimSigner;
  private readonly inFlight = new Set<string>();
  /** Per entry: the finishing step (DSN, removal) runs one at a time. */
  private readonly finishing = new Map<string, Promise<void>>();
  private readonly work = new Set<Promise<unknown>>();
  private timer: NodeJS.Timeout | null = null;
  private timerAt = Infinity;
  private stopping = false;
  /** Numbers the outbound sessions in the inspector ("out-7"). */
  private sessions = 0;
  private closed = false;
  private keysMadeFor = '';
  private lastSweep = Date.now();
  private readonly onQueueChange = (change: QueueChange) => {
    if (change.kind === 'queued') this.dispatchEntry(change.id);
    else if (change.kind === 'retry') this.schedule(0);
  };

  constructor(
    private readonly context: EngineContext,
    private readonly queue: OutboundQueue,
  ) {
    this.signer = new DkimSigner(context.dataDir);
    this.dispatcher = new Dispatcher({
      settings: () => context.settings(),
      prepare: (job) => this.prepare(job),
      done: (result) => this.done(result),
      log: (message) => context.log.warn('outbound', message),
      transcript: (label) => context.inspector.session('outbound', `out-${++this.sessions}`, label),
    });
  }

  async start(): Promise<void> {
    await this.ensureKeys(this.context.settings());
    const removed = this.queue.removeOrphanFiles();
    if (removed) this.context.log.info('outbound', `removed ${removed} leftover queue file(s)`);
    this.queue.on('change', this.onQueueChange);
    this.sweepLeftovers();
    this.schedule(0);
  }

  /** Lets messages being sent finish (briefly), then stops; whatever waits stays queued for the next start. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.queue.off('change', this.onQueueChange);
    if (this.timer) clearTimeout(this.timer);
    await this.dispatcher.stop(STOP_GRACE_MS);
    await Promise.allSettled([...this.work]);
    this.closed = true;
  }

  // ── scheduling ─────────────────────────────────────────────────────────────

  private schedule(delayMs: number): void {
    if (this.stopping) return;
    const at = Date.now() + delayMs;
    if (this.timer && this.timerAt <= at) return;
    if (this.timer) clearTimeout(this.timer);
    this.timerAt = at;
    this.timer = setTimeout(() => this.tick(), delayMs);
  }

  private tick(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.timerAt = Infinity;
    if (this.stopping) return;
    const settings = this.context.settings();
    this.track(this.ensureKeys(settings));
    const now = Date.now();
    if (now - this.lastSweep >= LEFTOVER_SWEEP_MS) this.sweepLeftovers();
    this.dispatch(this.queue.due(now, DUE_BATCH));
    const next = this.queue.nextDueAfter(now);
    this.schedule(next === null ? POLL_MS : Math.min(POLL_MS, Math.max(0, next - now)));
  }

  /** A new entry goes out at once, without waiting for the next look at the whole queue. */
  private dispatchEntry(id: string): void {
    if (this.stopping) return;
    const entry = this.queue.get(id);
    if (!entry) return;
    const now = Date.now();
    const due = entry.recipients.filter((r) => r.status === 'pending' && r.next_attempt_at <= now);
    this.dispatch(due.map((r) => ({ queue_id: entry.id, recipient: r.recipient, attempts: r.attempts, sender: entry.sender, file: entry.file, created_at: entry.created_at })));
  }

  /** Groups due recipients into jobs (one message × one domain) and hands them on. */
  private dispatch(rows: DueRecipient[]): void {
    const jobs = new Map<string, Job>();
    for (const row of rows) {
      const key = inFlightKey(row.queue_id, row.recipient);
      if (this.inFlight.has(key)) continue;
      this.inFlight.add(key);
      const domain = splitAddress(row.recipient).domain.toLowerCase();
      const jobKey = `${row.queue_id}\n${domain}`;
      let job = jobs.get(jobKey);
      if (!job) {
        job = { queueId: row.queue_id, sender: row.sender, file: row.file, createdAt: row.created_at, domain, recipients: new Map() };
        jobs.set(jobKey, job);
      }
      job.recipients.set(row.recipient, row.attempts);
    }
    const remote: Job[] = [];
    for (const job of jobs.values()) {
      if (this.context.accounts.isLocalDomain(job.domain)) this.track(this.deliverLocally(job));
      else remote.push(job);
    }
    if (remote.length) this.dispatcher.add(remote);
  }

  // ── local recipients: queued because their mailbox could not be written when the message came ──

  private async deliverLocally(job: Job): Promise<void> {
    const queued = await this.queuedMessage(job).catch((error: Error) => deferred('4.3.0', `the queued message could not be read: ${error.message}`));
    if (queued === null) return this.done({ job, outcomes: null });
    const outcomes = new Map<string, Outcome>();
    for (const recipient of job.recipients.keys()) {
      outcomes.set(recipient, 'content' in queued ? await this.deliverToLocalRecipient(recipient, job.sender, queued.content) : queued);
    }
    await this.done({ job, outcomes, remote: null });
  }

  private async deliverToLocalRecipient(recipient: string, sender: string, content: Buffer): Promise<Outcome> {
    const target = this.context.accounts.resolveRecipient(recipient);
    if (target.kind !== 'local' || !target.users.length) return failed('5.1.1', `there is no mailbox ${recipient} here any more`);
    try {
      for (const user of target.users) await this.context.delivery.deliverToMailbox(user, sender, content);
      return delivered('delivered into the local mailbox');
    } catch (error) {
      return deferred('4.3.0', `local delivery failed: ${(error as Error).message}`);
    }
  }

  // ── one attempt ────────────────────────────────────────────────────────────

  /** The bytes that go out: the queued message with a DKIM signature in front. */
  private async prepare(job: Job): Promise<Buffer | Outcome | null> {
    const queued = await this.queuedMessage(job);
    if (queued === null || !('content' in queued)) return queued;
    const { content, headers } = queued;
    const settings = this.context.settings();
    const domain = settings.dkim.enabled ? this.signingDomain(headers, job.sender) : null;
    if (!domain) return content;
    await ensureDkimKey(this.context.dataDir, domain, settings.dkim.selector);
    const signature = await this.signer.signatureFor(content, domain, settings.dkim.selector);
    if (!signature) return content;
    job.dkim = `d=${domain}; s=${settings.dkim.selector}`;
    return Buffer.concat([Buffer.from(signature, 'latin1'), content]);
  }

  /** The queued message and its header block; an outcome for every recipient when it can never be delivered; null when the entry is gone. */
  private async queuedMessage(job: Job): Promise<{ content: Buffer; headers: string } | Outcome | null> {
    let content: Buffer;
    try {
      content = await fs.promises.readFile(this.queue.messagePath(job));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      // Deleted meanwhile (`queue delete`): nothing to do. Rows without their file: give up and say so.
      return this.queue.get(job.queueId) ? failed('5.3.0', 'the queued message file is missing from the queue folder') : null;
    }
    const headers = originalHeaders(content).toString('latin1');
    if ((headers.match(/^Received[ \t]*:/gim) ?? []).length >= MAX_HOPS) return failed('5.4.6', 'too many hops (Received lines): a mail loop');
    return { content, headers };
  }

  /** d= is the From domain when it is ours (DMARC alignment), else the envelope sender's when that is. */
  private signingDomain(headers: string, sender: string): string | null {
    const accounts = this.context.accounts;
    const from = /^From[ \t]*:((?:.*)(?:\r?\n[ \t].*)*)/im.exec(headers)?.[1]?.replace(/\r?\n/g, '') ?? '';
    const fromAddress = addressparser(from, { flatten: true })[0]?.address ?? '';
    for (const address of [fromAddress, sender]) {
      const domain = splitAddress(address.toLowerCase()).domain;
      if (domain && accounts.isLocalDomain(domain)) return domain;
    }
    return null;
  }

  /** Records the outcome of each recipient of a job and decides what comes next for it. */
  private async done(result: JobResult | { job: Job; outcomes: null }): Promise<void> {
    const { job } = result;
    try {
      if (this.closed || !result.outcomes) return;
      const settings = this.context.settings();
      const now = Date.now();
      const expiresAt = job.createdAt + settings.outbound.lifetimeSeconds * 1000;
      const records: AttemptRecord[] = [];
      const told: string[] = [];
      for (const [recipient, attempts] of job.recipients) {
        const outcome = result.outcomes.get(recipient) ?? deferred('4.4.2', 'the server gave no answer for this recipient');
        const record = this.nextStep(recipient, attempts, outcome, now, expiresAt, settings);
        record.remoteHost = outcome.fromRemote ? result.remote : null;
        records.push(record);
        // Postfix's words: relay=local for a local mailbox, relay=none when no server answered.
        const relay = record.remoteHost ?? (this.context.accounts.isLocalDomain(job.domain) ? 'local' : 'none');
        const status = record.status === 'delivered' ? 'sent' : record.status === 'pending' ? 'deferred' : record.status;
        const level = record.status === 'delivered' ? 'info' : 'warn';
        this.context.log.write(level, 'outbound', `${job.queueId}: to=<${recipient}>, relay=${relay}, status=${status} (${outcome.response})`);
        told.push(`${recipient}: ${status} (${outcome.response})`);
      }
      await this.queue.recordAttempt(job.queueId, records, now);
      const session = 'session' in result ? result.session : undefined;
      this.context.paths.outbound({
        queueId: job.queueId,
        session: session?.transcript.ref ?? null,
        route: session?.endpoint.foundBy ?? null,
        remote: 'remote' in result ? result.remote : null,
        dkim: job.dkim ?? null,
        outcomes: told,
      });
    } finally {
      for (const recipient of job.recipients.keys()) this.inFlight.delete(inFlightKey(job.queueId, recipient));
    }
    this.track(this.finish(job.queueId));
  }

  private nextStep(recipient: string, attempts: number, outcome: Outcome, now: number, expiresAt: number, settings: Settings): AttemptRecord {
    const base = { recipient, response: outcome.response, statusCode: outcome.status, remoteHost: null, nextAttemptAt: now };
    if (outcome.kind === 'delivered') return { ...base, status: 'delivered' };
    if (outcome.kind === 'failed') return { ...base, status: 'bounced' };
    // RFC 3463 X.4.7: delivery time expired; the last answer stays as the diagnostic.
    if (now >= expiresAt) return { ...base, status: 'expired', statusCode: '4.4.7' };
    const { retryBaseSeconds, retryMaxSeconds } = settings.outbound;
    const backoff = Math.min(retryBaseSeconds * 2 ** Math.min(attempts, 30), retryMaxSeconds) * 1000;
    return { ...base, status: 'pending', nextAttemptAt: Math.min(now + backoff, expiresAt) };
  }

  // ── telling the sender, leaving the queue ─────────────────────────────────

  private finish(id: string): Promise<void> {
    const previous = this.finishing.get(id) ?? Promise.resolve();
    const next = previous.then(() => this.finishNow(id)).catch((error: Error) => this.context.log.error('outbound', `${id}: ${error.message}`));
    this.finishing.set(id, next);
    void next.then(() => this.finishing.get(id) === next && this.finishing.delete(id));
    return next;
  }

  /** DSN for failures not yet reported, a delay warning when due, and removal once nothing is left. */
  private async finishNow(id: string): Promise<void> {
    if (this.closed) return;
    const entry = this.queue.get(id);
    if (!entry) return;
    const now = Date.now();
    const failures = entry.recipients.filter((r) => (r.status === 'bounced' || r.status === 'expired') && r.dsn_sent_at === null);
    if (failures.length) {
      await this.report(entry, failures, 'failed');
      await this.queue.markNotified(id, failures.map((r) => r.recipient), now);
    }
    const warnAfterMs = this.context.settings().outbound.delayWarningHours * 3600_000;
    if (warnAfterMs > 0 && now - entry.created_at >= warnAfterMs) {
      const late = entry.recipients.filter((r) => r.status === 'pending' && r.attempts > 0 && r.warned_at === null);
      if (late.length) {
        await this.report(entry, late, 'delayed');
        await this.queue.markWarned(id, late.map((r) => r.recipient), now);
      }
    }
    await this.queue.finishIfDone(id);
  }

  /** A DSN to the sender; the null sender is never told (RFC 5321 §4.5.5: no bounce loops). */
  private async report(entry: QueueEntry, recipients: QueueRecipient[], action: 'failed' | 'delayed'): Promise<void> {
    const names = recipients.map((r) => r.recipient).join(', ');
    if (!entry.sender) {
      this.context.log.info('outbound', `${entry.id}: not bounced (null sender) for ${names}`);
      return;
    }
    const settings = this.context.settings();
    const original = await fs.promises.readFile(this.queue.messagePath(entry)).catch(() => Buffer.alloc(0));
    const lifetimeEnd = entry.created_at + settings.outbound.lifetimeSeconds * 1000;
    const dsn = buildDsn({
      hostname: settings.hostname,
      domain: settings.domain,
      to: entry.sender,
      queueId: entry.id,
      arrivalDate: entry.created_at,
      original,
      recipients: recipients.map((r) => ({
        recipient: r.recipient,
        action,
        status: r.status_code ?? (action === 'failed' ? '5.0.0' : '4.0.0'),
        diagnostic: r.last_response,
        diagnosticFromRemote: !!r.remote_host,
        remoteMta: r.remote_host,
        lastAttemptAt: r.last_attempt_at,
        willRetryUntil: action === 'delayed' ? lifetimeEnd : undefined,
      })),
    });
    await this.deliverToSender(entry, dsn);
    this.context.log.info('outbound', `${entry.id}: sender <${entry.sender}> told (${action === 'failed' ? 'bounce' : 'delay warning'}) about ${names}`);
  }

  private async deliverToSender(entry: QueueEntry, dsn: Buffer): Promise<void> {
    const accounts = this.context.accounts;
    let target = accounts.resolveRecipient(entry.sender);
    // The sender's mailbox is gone: the postmaster gets the report (RFC 5321 §4.5.1).
    if (target.kind === 'unknown') target = accounts.resolveRecipient(`postmaster@${this.context.settings().domain}`);
    if (target.kind === 'unknown') {
      this.context.log.warn('outbound', `${entry.id}: no mailbox for the report to <${entry.sender}>; dropped`);
      return;
    }
    await this.context.delivery.deliver({
      sender: '',
      content: dsn,
      localUsers: target.kind === 'local' ? target.users : [],
      remoteRecipients: target.kind === 'local' ? target.forward : [target.address],
    });
  }

  /** After a crash or a failed report: entries with a sender still to tell, or nothing left to do. */
  private sweepLeftovers(): void {
    this.lastSweep = Date.now();
    for (const id of this.queue.entriesToFinish()) this.track(this.finish(id));
  }

  // ── DKIM keys ──────────────────────────────────────────────────────────────

  /** A key for every local domain (made on first start, and when a domain or the selector changes). */
  private async ensureKeys(settings: Settings): Promise<void> {
    const wanted = JSON.stringify([settings.localDomains, settings.dkim]);
    if (wanted === this.keysMadeFor || !settings.dkim.enabled) return;
    this.keysMadeFor = wanted;
    for (const domain of settings.localDomains) {
      try {
        if (await ensureDkimKey(this.context.dataDir, domain, settings.dkim.selector)) {
          this.context.log.info('outbound', `made the DKIM key ${settings.dkim.selector}._domainkey.${domain}`);
        }
      } catch (error) {
        this.context.log.error('outbound', `could not make the DKIM key for ${domain}: ${(error as Error).message}`);
      }
    }
  }

  private track<T>(promise: Promise<T>): void {
    this.work.add(promise);
    void promise.finally(() => this.work.delete(promise)).catch(() => {});
  }
}

function inFlightKey(id: string, recipient: string): string {
  return `${id}\n${recipient}`;
}

// Connections to destinations: jobs (one message, the recipients it has at one domain) wait per
// destination; each destination gets up to `connectionsPerDestination` sessions and all of them
// together up to `connectionsTotal`. A session sends the destination's jobs one after another
// (connection reuse), so a burst of mail to one host costs one handshake, not one per message.
import type { Resolver } from 'node:dns/promises';
import type { SessionTranscript } from '../../inspector/bus.js';
import type { Settings } from '../../settings/schema.js';
import { SmtpSession, type ClientOptions, type Endpoint } from './client.js';
import { createResolver, DnsFailure, lookupMx } from './mx.js';
import { deferred, failed, outcomeFromError, type Outcome, type SmtpClientError } from './outcome.js';
import { routeFor, type Route } from './routing.js';

export interface Job {
  queueId: string;
  sender: string;
  file: string;
  createdAt: number;
  domain: string;
  /** recipient → attempts made so far */
  recipients: Map<string, number>;
  /** The DKIM signature's domain and selector, once the message was signed for this attempt (for its path). */
  dkim?: string;
}

export interface JobResult {
  job: Job;
  outcomes: Map<string, Outcome>;
  /** The server that answered, when one did. */
  remote: string | null;
  /** The session it went over and how its server was found, when there was one (for the message's path). */
  session?: SmtpSession;
}

export interface DispatcherHooks {
  settings(): Settings;
  /** The bytes to send (signed), an outcome for every recipient (never sendable), or null (entry gone). */
  prepare(job: Job): Promise<Buffer | Outcome | null>;
  /** Called once per job with every recipient's outcome (also for jobs dropped with null). */
  done(result: JobResult | { job: Job; outcomes: null }): Promise<void>;
  log(message: string): void;
  /** A transcript for a new session to the server `label` names. */
  transcript(label: string): SessionTranscript;
}

/** A session is closed and a new one opened after this many messages. */
const MESSAGES_PER_SESSION = 100;
/** An open session waits this long for the next message to its destination before QUIT (Postfix smtp_connection_cache_time_limit). */
const SESSION_IDLE_MS = 2000;

interface Destination {
  route: Route;
  jobs: Job[];
  /** Sessions (open or opening) for this destination. */
  active: number;
  /** Sessions with nothing to send, waiting for a job: handed one by pump(), or null to close. */
  idle: Array<(job: Job | null) => void>;
}

/** Why a destination could not be reached at all: the outcome for each of its waiting jobs. */
class Unreachable extends Error {
  constructor(readonly outcome: Outcome) {
    super(outcome.response);
  }
}

export class Dispatcher {
  private readonly destinations = new Map<string, Destination>();
  private readonly sessions = new Set<SmtpSession>();
  private readonly runners = new Set<Promise<void>>();
  private active = 0;
  private stopping = false;
  private resolver: { key: string; resolver: Resolver } | null = null;

  constructor(private readonly hooks: DispatcherHooks) {}

  add(jobs: Job[]): void {
    if (this.stopping) return;
    const settings = this.hooks.settings();
    for (const job of jobs) {
      const route = routeFor(job.domain, settings);
      let destination = this.destinations.get(route.key);
      if (!destination) this.destinations.set(route.key, (destination = { route, jobs: [], active: 0, idle: [] }));
      destination.jobs.push(job);
    }
    this.pump();
  }

  /** Takes no more jobs; lets running sessions finish their message for up to graceMs, then cuts them. */
  async stop(graceMs: number): Promise<void> {
    this.stopping = true;
    for (const destination of this.destinations.values()) {
      destination.jobs.length = 0;
      destination.idle.splice(0).forEach((wake) => wake(null));
    }
    const all = Promise.all([...this.runners]);
    const timer = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), graceMs).unref());
    if ((await Promise.race([all, timer])) === 'timeout') {
      for (const session of this.sessions) session.abort();
      // A session still connecting ends within its connect timeout; its result is not waited for.
      await Promise.race([all, new Promise((resolve) => setTimeout(resolve, 1000).unref())]);
    }
  }

  private pump(): void {
    const { connectionsPerDestination, connectionsTotal } = this.hooks.settings().outbound;
    for (const destination of this.destinations.values()) {
      // Idle sessions first: their connection is already open.
      while (destination.jobs.length && destination.idle.length) destination.idle.shift()!(destination.jobs.shift()!);
    }
    for (const [key, destination] of this.destinations) {
      if (destination.jobs.length > destination.active && this.active >= connectionsTotal) this.closeOneIdleSession();
      while (!this.stopping && destination.jobs.length > destination.active && destination.active < connectionsPerDestination && this.active < connectionsTotal) {
        destination.active++;
        this.active++;
        const runner = this.run(destination).finally(() => {
          this.runners.delete(runner);
          destination.active--;
          this.active--;
          this.pump();
        });
        this.runners.add(runner);
      }
      if (!destination.jobs.length && !destination.active) this.destinations.delete(key);
    }
  }

  private othersWaitForRoom(destination: Destination): boolean {
    if (this.active < this.hooks.settings().outbound.connectionsTotal) return false;
    return [...this.destinations.values()].some((d) => d !== destination && d.jobs.length > d.active - d.idle.length);
  }

  /** At the global limit, a session idling for one destination makes room for another's waiting mail. */
  private closeOneIdleSession(): void {
    for (const destination of this.destinations.values()) {
      const wake = destination.idle.shift();
      if (wake) return wake(null);
    }
  }

  /** The next job for a session: one waiting, else (with an open session) the next to arrive within SESSION_IDLE_MS. */
  private nextJob(destination: Destination, session: SmtpSession | null): Promise<Job | null> | Job | null {
    const waiting = destination.jobs.shift();
    if (waiting || this.stopping || !session?.usable || session.messages >= MESSAGES_PER_SESSION) return waiting ?? null;
    if (this.othersWaitForRoom(destination)) return null; // at the global limit: make room rather than idle
    return new Promise((resolve) => {
      const wake = (job: Job | null) => {
        clearTimeout(timer);
        resolve(job);
      };
      const timer = setTimeout(() => {
        const at = destination.idle.indexOf(wake);
        if (at >= 0) destination.idle.splice(at, 1);
        resolve(null);
      }, SESSION_IDLE_MS);
      destination.idle.push(wake);
    });
  }

  /** One session's life: take the destination's next job until none is left. */
  private async run(destination: Destination): Promise<void> {
    let session: SmtpSession | null = null;
    try {
      for (let job = await this.nextJob(destination, session); job && !this.stopping; job = await this.nextJob(destination, session)) {
        const content = await this.prepare(job);
        if (content === null) {
          await this.hooks.done({ job, outcomes: null });
          continue;
        }
        if (!Buffer.isBuffer(content)) {
          await this.finish(job, content, null);
          continue;
        }
        if (!session?.usable || session.messages >= MESSAGES_PER_SESSION) {
          await this.release(session);
          session = null;
          try {
            session = await this.open(destination.route);
          } catch (error) {
            // The same wall stands for every message waiting for this destination: all wait for the next round.
            const outcome = this.unreachableOutcome(error);
            this.hooks.log(`${destination.route.key}: ${outcome.response}`);
            for (const waiting of [job, ...destination.jobs.splice(0)]) await this.finish(waiting, outcome, null);
            break;
          }
        }
        const recipients = [...job.recipients.keys()];
        let report = await session.send(job.sender, recipients, content);
        if (report.lostBeforeReply) {
          // The server dropped an idle reused connection: one more try on a fresh one.
          await this.release(session);
          session = null;
          try {
            session = await this.open(destination.route);
            report = await session.send(job.sender, recipients, content);
          } catch (error) {
            await this.finish(job, this.unreachableOutcome(error), null);
            continue;
          }
        }
        await this.hooks.done({ job, outcomes: report.outcomes, remote: session.endpoint.label, session });
      }
    } finally {
      await this.release(session);
    }
  }

  private async prepare(job: Job): Promise<Buffer | Outcome | null> {
    try {
      return await this.hooks.prepare(job);
    } catch (error) {
      return deferred('4.3.0', `could not prepare the message: ${(error as Error).message}`);
    }
  }

  private finish(job: Job, outcome: Outcome, remote: string | null): Promise<void> {
    return this.hooks.done({ job, outcomes: new Map([...job.recipients.keys()].map((r) => [r, outcome])), remote });
  }

  private async release(session: SmtpSession | null): Promise<void> {
    if (!session) return;
    this.sessions.delete(session);
    await session.close();
  }

  /** Opens a session to the route's server; for MX, the hosts in order until one answers. */
  private async open(route: Route): Promise<SmtpSession> {
    const settings = this.hooks.settings();
    const options: ClientOptions = {
      clientName: settings.hostname,
      connectTimeoutMs: settings.outbound.connectTimeoutSeconds * 1000,
      commandTimeoutMs: settings.outbound.commandTimeoutSeconds * 1000,
      transcript: (endpoint) => this.hooks.transcript(endpoint.label),
    };
    const endpoints: Endpoint[] = [];
    if (route.kind === 'mx') {
      const answer = await lookupMx(route.domain, this.resolverFor(settings));
      if (answer.kind === 'null-mx') throw new Unreachable(failed('5.1.10', `${route.domain} accepts no mail (null MX, RFC 7505)`));
      const foundBy = `MX ${route.domain}: ${answer.hosts.map((h) => `${h.preference} ${h.name} [${h.addresses.join(', ')}]`).join('; ')}`;
      for (const host of answer.hosts) {
        for (const address of host.addresses) {
          const label = `${host.name}[${address}]:${route.port}`;
          endpoints.push({ host: address, port: route.port, servername: host.name, label, foundBy, tls: 'opportunistic', rejectUnauthorized: false, auth: null });
        }
      }
    } else {
      const { relay } = route;
      const label = `${relay.host}:${relay.port}`;
      const foundBy = route.kind === 'smarthost' ? `smarthost ${label} (settings: smarthost)` : `route ${label} (settings: routes)`;
      endpoints.push({ host: relay.host, port: relay.port, label, foundBy, tls: relay.tls, rejectUnauthorized: relay.rejectUnauthorized, auth: relay.auth });
    }
    let lastError: unknown = null;
    // RFC 5321 §5.1: no connection, or a greeting that refuses service → the next address/host.
    for (const endpoint of endpoints) {
      try {
        const session = await SmtpSession.open(endpoint, options);
        this.sessions.add(session);
        return session;
      } catch (error) {
        lastError = error;
        const label = endpoint.label;
        (error as SmtpClientError & { endpoint?: string }).endpoint = label;
      }
    }
    throw lastError;
  }

  private resolverFor(settings: Settings): Resolver {
    const key = JSON.stringify([settings.outbound.resolvers, settings.outbound.connectTimeoutSeconds]);
    if (this.resolver?.key !== key) this.resolver = { key, resolver: createResolver(settings.outbound.resolvers, settings.outbound.connectTimeoutSeconds * 1000) };
    return this.resolver.resolver;
  }

  /** Not reaching a destination is temporary, except for a null MX or a domain that does not exist. */
  private unreachableOutcome(error: unknown): Outcome {
    if (error instanceof Unreachable) return error.outcome;
    if (error instanceof DnsFailure) return error.permanent ? failed(error.status, error.message) : deferred(error.status, error.message);
    const outcome = outcomeFromError(error as SmtpClientError);
    const where = (error as { endpoint?: string }).endpoint;
    const response = where ? `${where}: ${outcome.response}` : outcome.response;
    // A refusing greeting, EHLO or AUTH is not a verdict on the message (Postfix smtp_skip_5xx_greeting).
    return { ...outcome, kind: 'deferred', status: outcome.status.replace(/^5/, '4'), response };
  }
}

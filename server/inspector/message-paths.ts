// One message's whole path, for the classroom: the DNS lookups its sender made around it, the SMTP
// session that handed it over, the copies stored (Maildir file, index row) or the queue entry, the
// IMAP sessions IDLE told of it, the FETCH or RETR that read it, and the hop to another server
// (how it was found, the remote replies, the DKIM signature). Each step carries its transcript
// lines (with their ids, so the window can show them in the Protocol inspector).
//
// Kept in memory, the last `limits.messagePathsKept` messages: the transcript lines the steps point
// at live only in memory too (the inspector's ring), a lesson is about the mail of the last minutes,
// and a table would cost a write per message on the delivery path for nothing after a restart.
// Protocols report what they did with a message through the hooks below; the rest comes from
// the transcript bus.
import { EventEmitter } from 'node:events';
import path from 'node:path';
import type { InspectorBus, SessionRef, TranscriptLine } from './bus.js';
import type { AcceptedReport, MessagePath, OutboundReport, PathStep, PathStepKind } from './message-path-types.js';
import { summaryOf } from './message-summary.js';
import { SessionLines, sessionKey } from './session-lines.js';

/** The DNS lookups of a client this long before its session are taken as belonging to it. */
const DNS_BEFORE_MS = 60_000;
/** Steps kept per message (a message read again and again), and lines per step. */
const MAX_STEPS = 50;
const MAX_LINES = 60;
const MAX_RECIPIENTS = 20;
/** How long steps wait for their path (see `early`): a copy whose path has not come by then (an APPEND, not a delivery) gets none. */
const EARLY_MS = 10_000;
/** …and at most this many copies wait (a flood of APPENDs to a mailbox in IDLE). */
const MAX_EARLY = 500;

/** Emits 'change' ({ id, created }) when a path is made or gets a step. */
export class MessagePaths extends EventEmitter {
  private readonly lines = new SessionLines();
  private readonly paths = new Map<string, MessagePath>();
  /** "mailbox id:uid" → path id, for the reads and notifications of a stored copy. */
  private readonly byCopy = new Map<string, string>();
  /** Mailboxes with a copy in byCopy, and how many: a FETCH elsewhere costs one look-up. */
  private readonly mailboxes = new Map<number, number>();
  /** path id → its copies' keys, to forget them with it. */
  private readonly copiesOf = new Map<string, string[]>();
  private readonly byQueueId = new Map<string, string>();
  /**
   * Steps of copies whose path is not made yet: IDLE tells of a copy as soon as its index row is
   * committed, which can be before the other copies and the queue entry are durable and the
   * delivery reports the message. They join the path when it comes, for EARLY_MS (MAX_EARLY copies).
   */
  private readonly early = new Map<string, { since: number; steps: PathStep[] }>();
  private readonly onLine = (line: TranscriptLine) => this.lines.add(line);

  constructor(
    private readonly inspector: InspectorBus,
    private readonly dataDir: string,
    /** limits.messagePathsKept */
    private readonly keep: () => number,
  ) {
    super();
    this.setMaxListeners(0);
    inspector.on('line', this.onLine);
  }

  close(): void {
    this.inspector.off('line', this.onLine);
  }

  /** Newest first. */
  list(): MessagePath[] {
    return [...this.paths.values()].reverse();
  }

  get(id: string): MessagePath | undefined {
    return this.paths.get(id);
  }

  /** The path of a stored message, if it came while it was kept. */
  find(mailboxId: number, uid: number): MessagePath | undefined {
    const id = this.byCopy.get(copyKey(mailboxId, uid));
    return id === undefined ? undefined : this.paths.get(id);
  }

  // ── hooks ──────────────────────────────────────────────────────────────────

  /** A message was made durable: its submission, its copies and its queue entry. */
  accepted(report: AcceptedReport): void {
    const now = Date.now();
    const headers = summaryOf(report.content);
    const entry: MessagePath = {
      id: report.id,
      time: now,
      sender: report.sender,
      recipients: report.recipients.slice(0, MAX_RECIPIENTS),
      messageId: headers.messageId,
      subject: headers.subject,
      size: report.content.length,
      steps: [],
    };
    const via = report.via;
    if (via) {
      const key = sessionKey(via.service, via.session);
      this.addDns(entry, via.client, (this.lines.startOf(key) ?? now) - DNS_BEFORE_MS, now);
      const lines = this.lines.transaction(key);
      const step = this.step(entry, 'submission', lines[0]?.time ?? now, via, [{ key: 'deliveryId', value: report.id }], lines);
      // the reply to the message ("250 … queued as …") is written once this returns
      this.lines.capture(key, (line) => {
        if (line.direction !== 'S') return true;
        this.addLines(entry, step, [line]);
        return false;
      });
    }
    const keys: string[] = [];
    for (const copy of report.copies) {
      this.step(entry, 'delivery', copy.time, null, [
        { key: 'user', value: copy.user },
        { key: 'mailbox', value: copy.mailbox },
        { key: 'uid', value: String(copy.uid) },
        { key: 'file', value: path.relative(this.dataDir, path.join(copy.folder, copy.filename)) },
        { key: 'indexRow', value: `messages.id ${copy.rowId}` },
      ]);
      const key = copyKey(copy.mailboxId, copy.uid);
      this.byCopy.set(key, entry.id);
      this.mailboxes.set(copy.mailboxId, (this.mailboxes.get(copy.mailboxId) ?? 0) + 1);
      keys.push(key);
      entry.steps.push(...(this.early.get(key)?.steps ?? []));
      this.early.delete(key);
    }
    this.copiesOf.set(entry.id, keys);
    if (report.queuedAs) {
      const local = new Set(report.copies.map((c) => c.user));
      const waiting = report.recipients.filter((r) => !local.has(r.toLowerCase()));
      this.step(entry, 'queued', now, null, [
        { key: 'queueId', value: report.queuedAs },
        { key: 'recipients', value: waiting.join(', ') },
      ]);
      this.byQueueId.set(report.queuedAs, entry.id);
    }
    entry.steps.sort((a, b) => a.time - b.time);
    this.paths.set(entry.id, entry);
    this.evict();
    this.emit('change', { id: entry.id, created: true });
  }

  /** An IMAP session in IDLE was told of new messages: its lines since `sinceLine` are the untagged EXISTS/RECENT. */
  notified(session: SessionRef, mailboxId: number, uids: readonly number[], sinceLine: number): void {
    this.forgetEarly();
    const lines = this.lines.lastCommand(sessionKey(session.service, session.session), sinceLine);
    for (const uid of uids) this.stepFor(copyKey(mailboxId, uid), 'notified', session, lines, true);
  }

  /**
   * A client read messages (IMAP FETCH of a body section, POP3 RETR): the command line now and
   * the answer's lines as they are written, until `last` says a line ends it.
   */
  read(session: SessionRef, mailboxId: number, uids: Iterable<number>, last: (line: TranscriptLine) => boolean): void {
    this.forgetEarly();
    if (!this.mailboxes.has(mailboxId) && ![...this.early.keys()].some((k) => k.startsWith(`${mailboxId}:`))) return;
    const key = sessionKey(session.service, session.session);
    const command = this.lines.lastCommand(key);
    const steps: Array<{ entry: MessagePath | null; step: PathStep }> = [];
    for (const uid of uids) {
      const found = this.stepFor(copyKey(mailboxId, uid), 'read', session, command, false);
      if (!found) continue;
      if (found.entry) this.addDns(found.entry, session.client, (this.lines.startOf(key) ?? Date.now()) - DNS_BEFORE_MS, Date.now());
      steps.push(found);
    }
    if (!steps.length) return;
    let taken = 0;
    this.lines.capture(key, (line) => {
      for (const { entry, step } of steps) this.addLines(entry, step, [line]);
      return !last(line) && ++taken < MAX_LINES;
    });
  }

  /** An attempt to hand a queued message to another server ended (the session's lines are all written by now). */
  outbound(report: OutboundReport): void {
    const id = this.byQueueId.get(report.queueId);
    const entry = id === undefined ? undefined : this.paths.get(id);
    if (!entry) return;
    const facts: PathStep['facts'] = [{ key: 'queueId', value: report.queueId }];
    if (report.route) facts.push({ key: 'route', value: report.route });
    if (report.remote) facts.push({ key: 'remote', value: report.remote });
    if (report.dkim) facts.push({ key: 'dkim', value: report.dkim });
    for (const outcome of report.outcomes) facts.push({ key: 'outcome', value: outcome });
    const lines = report.session ? this.lines.transaction(sessionKey(report.session.service, report.session.session)) : [];
    this.step(entry, 'outbound', Date.now(), report.session, facts, lines);
  }

  // ── steps ──────────────────────────────────────────────────────────────────

  /**
   * A step of a session with a copy: on its path, or kept for the path to come (`early`: only a
   * notification starts that; a read waits with it). One step of a kind per session and path (an
   * IDLE told twice, a message fetched twice in one session): null for the second.
   */
  private stepFor(key: string, kind: PathStepKind, session: SessionRef, lines: TranscriptLine[], early: boolean): { entry: MessagePath | null; step: PathStep } | null {
    const id = this.byCopy.get(key);
    const entry = id === undefined ? undefined : this.paths.get(id);
    const steps = entry ? entry.steps : this.early.get(key)?.steps;
    if (!steps && !early) return null;
    if (steps?.some((s) => s.kind === kind && s.session?.service === session.service && s.session.session === session.session)) return null;
    if (entry) return { entry, step: this.step(entry, kind, Date.now(), session, [], lines) };
    const step: PathStep = { kind, time: Date.now(), session, facts: [], lines: lines.slice(0, MAX_LINES) };
    if (steps) steps.push(step);
    else {
      this.early.set(key, { since: step.time, steps: [step] });
      if (this.early.size > MAX_EARLY) this.early.delete(this.early.keys().next().value!);
    }
    return { entry: null, step };
  }

  /** Early steps whose path did not come (oldest first: insertion order). */
  private forgetEarly(): void {
    const before = Date.now() - EARLY_MS;
    for (const [key, waiting] of this.early) {
      if (waiting.since >= before) break;
      this.early.delete(key);
    }
  }

  private step(entry: MessagePath, kind: PathStepKind, time: number, session: SessionRef | null, facts: PathStep['facts'] = [], lines: TranscriptLine[] = []): PathStep {
    const step: PathStep = { kind, time, session, facts, lines: lines.slice(0, MAX_LINES) };
    if (entry.steps.length < MAX_STEPS) entry.steps.push(step);
    if (this.paths.has(entry.id)) this.emit('change', { id: entry.id, created: false });
    return step;
  }

  private addLines(entry: MessagePath | null, step: PathStep, lines: TranscriptLine[]): void {
    for (const line of lines) if (step.lines.length < MAX_LINES && !step.lines.some((l) => l.id === line.id)) step.lines.push(line);
    if (entry && this.paths.has(entry.id)) this.emit('change', { id: entry.id, created: false });
  }

  /** The lookups `client` made between the two times, one step per query, each once per path. */
  private addDns(entry: MessagePath, client: string, from: number, to: number): void {
    const known = new Set(entry.steps.flatMap((s) => (s.kind === 'dns' ? s.lines.map((l) => l.id) : [])));
    const lookups = new Map<string, TranscriptLine[]>();
    for (const line of this.lines.dnsLookups(client, from, to)) {
      if (known.has(line.id)) continue;
      lookups.set(line.session, [...(lookups.get(line.session) ?? []), line]);
    }
    if (!lookups.size) return;
    for (const [session, lines] of lookups) this.step(entry, 'dns', lines[0]!.time, { service: 'dns', session, client }, [], lines);
    // the lookups come before what followed them
    entry.steps.sort((a, b) => a.time - b.time);
  }

  private evict(): void {
    const keep = Math.max(1, this.keep());
    while (this.paths.size > keep) {
      const id = this.paths.keys().next().value!;
      this.paths.delete(id);
      for (const key of this.copiesOf.get(id) ?? []) {
        if (this.byCopy.get(key) !== id) continue;
        this.byCopy.delete(key);
        const mailboxId = Number(key.slice(0, key.indexOf(':')));
        const left = (this.mailboxes.get(mailboxId) ?? 1) - 1;
        if (left) this.mailboxes.set(mailboxId, left);
        else this.mailboxes.delete(mailboxId);
      }
      this.copiesOf.delete(id);
      for (const [queueId, pathId] of this.byQueueId) if (pathId === id) this.byQueueId.delete(queueId);
    }
  }
}

const copyKey = (mailboxId: number, uid: number) => `${mailboxId}:${uid}`;

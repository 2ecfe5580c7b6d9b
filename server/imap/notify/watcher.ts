// What NOTIFY SET asked for (RFC 5465), watched for one session: changes to mailboxes other than
// the selected one become STATUS responses, changes to the list of mailboxes LIST responses; they
// wait here until the connection may send them (between commands, in IDLE, before a tagged reply).
import type { MailboxChange, MailboxListChange, MailboxRow, MailStore } from '../../store/mailstore.js';
import { statusResponse } from '../commands/status.js';
import { DELIMITER } from '../mailbox-names.js';
import { astr, untagged, type Piece } from '../replies.js';
import type { Session } from '../session.js';
import type { EventGroup, NotifyEvent, NotifySpec } from './spec.js';

/** The STATUS items each event of a mailbox not selected reports (RFC 5465 §5), in the order sent. */
const STATUS_ITEMS: Array<[string, NotifyEvent]> = [
  ['MESSAGES', 'MessageNew'],
  ['MESSAGES', 'MessageExpunge'],
  ['UIDNEXT', 'MessageNew'],
  ['UIDVALIDITY', 'MessageNew'],
  ['UIDVALIDITY', 'FlagChange'],
  ['HIGHESTMODSEQ', 'FlagChange'],
];

const EVENT_OF_CHANGE: Record<MailboxChange['kind'], NotifyEvent> = { exists: 'MessageNew', expunge: 'MessageExpunge', flags: 'FlagChange' };

export class NotifyWatcher {
  /** Mailboxes (by id) whose STATUS is owed, with the events their group watches. */
  private readonly pendingStatus = new Map<number, Set<NotifyEvent>>();
  private pendingList: Piece[][] = [];
  /** Called when something is pending (the connection pushes it when it may). */
  onChange: () => void = () => {};
  private readonly onMessages = (change: MailboxChange) => this.messagesChanged(change);
  private readonly onList = (change: MailboxListChange) => this.listChanged(change);

  constructor(
    private readonly session: Session,
    readonly spec: NotifySpec,
  ) {
    this.store.changes.on('change', this.onMessages);
    this.store.changes.on('mailboxes', this.onList);
  }

  private get store(): MailStore {
    return this.session.context.mailStore;
  }

  close(): void {
    this.store.changes.off('change', this.onMessages);
    this.store.changes.off('mailboxes', this.onList);
  }

  /** The SELECTED / SELECTED-DELAYED group, if named. */
  get selectedGroup(): EventGroup | undefined {
    return this.spec.groups.find((g) => g.filter.kind === 'selected');
  }

  get hasPending(): boolean {
    return this.pendingStatus.size > 0 || this.pendingList.length > 0;
  }

  /** NOTIFY SET STATUS: the STATUS of each watched mailbox now (RFC 5465 §3). */
  statusNow(): Piece[][] {
    const out: Piece[][] = [];
    for (const mailbox of this.store.listMailboxes(this.session.user.id)) {
      const events = this.eventsFor(mailbox.name);
      if (events?.size && mailbox.id !== this.session.selectedOrNull?.id) out.push(this.statusOf(mailbox, events));
    }
    return out;
  }

  /** What is pending, as untagged responses; forgets it. */
  collect(): Piece[][] {
    const out = this.pendingList;
    this.pendingList = [];
    const selectedId = this.session.selectedOrNull?.id;
    for (const [id, events] of this.pendingStatus) {
      const mailbox = this.store.mailboxById(id);
      if (mailbox && id !== selectedId) out.push(this.statusOf(mailbox, events));
    }
    this.pendingStatus.clear();
    return out;
  }

  private statusOf(mailbox: MailboxRow, events: Set<NotifyEvent>): Piece[] {
    const items = [...new Set(STATUS_ITEMS.filter(([, event]) => events.has(event)).map(([item]) => item))];
    return statusResponse(this.session, mailbox, items);
  }

  /** The events wanted of a mailbox not selected: those of the first group whose filter names it (RFC 5465 §6). */
  private eventsFor(name: string): Set<NotifyEvent> | null {
    let subscribed: Set<string> | null = null;
    for (const group of this.spec.groups) {
      const filter = group.filter;
      let matches: boolean;
      switch (filter.kind) {
        case 'selected':
          matches = false;
          break;
        case 'inboxes':
          matches = name === 'INBOX';
          break;
        case 'personal':
          matches = true;
          break;
        case 'subscribed':
          subscribed ??= new Set(this.store.subscriptions(this.session.user.id));
          matches = subscribed.has(name);
          break;
        case 'subtree':
          matches = filter.names.some((root) => name === root || name.startsWith(root + DELIMITER));
          break;
        case 'mailboxes':
          matches = filter.names.includes(name);
          break;
      }
      if (matches) return group.events;
    }
    return null;
  }

  private messagesChanged(change: MailboxChange): void {
    if (change.mailboxId === this.session.selectedOrNull?.id) return; // the selected view reports it
    const mailbox = this.store.mailboxById(change.mailboxId);
    if (!mailbox || mailbox.user_id !== this.session.user.id) return;
    const event = EVENT_OF_CHANGE[change.kind];
    const wanted = this.eventsFor(mailbox.name);
    if (!wanted?.has(event)) return;
    // the response reports every item the events of its group name, not just this change's
    this.pendingStatus.set(mailbox.id, wanted);
    this.onChange();
  }

  private listChanged(change: MailboxListChange): void {
    if (change.userId !== this.session.user.id) return;
    const event: NotifyEvent = change.kind === 'subscribed' || change.kind === 'unsubscribed' ? 'SubscriptionChange' : 'MailboxName';
    const wanted = this.eventsFor(change.name)?.has(event) || (change.oldName !== undefined && this.eventsFor(change.oldName)?.has(event));
    if (!wanted) return;
    // RFC 5465 §5: a LIST response; \NonExistent for a deleted mailbox, OLDNAME for a renamed one (RFC 5258 §3.1)
    const attributes = change.kind === 'deleted' ? '\\NonExistent' : change.kind === 'subscribed' ? '\\Subscribed' : '';
    const oldName: Piece[] = change.oldName !== undefined ? [' ("OLDNAME" (', ...astr(change.oldName), '))'] : [];
    this.pendingList.push(untagged(`LIST (${attributes}) "${DELIMITER}" `, ...astr(change.name), ...oldName));
    this.onChange();
  }
}

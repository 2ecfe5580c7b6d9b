// NOTIFY SET's arguments (RFC 5465): which mailboxes (the selected one, INBOXES, PERSONAL,
// SUBSCRIBED, SUBTREE …, MAILBOXES …) and which events of each the client wants told.
import { parseFetchItems, type FetchItem } from '../fetch/items.js';
import { normalizeMailboxName } from '../mailbox-names.js';
import { asAstring } from '../parser/args.js';
import { ImapSyntaxError, type Token } from '../parser/tokens.js';

export const EVENTS = ['MessageNew', 'MessageExpunge', 'FlagChange', 'MailboxName', 'SubscriptionChange'] as const;
export type NotifyEvent = (typeof EVENTS)[number];
/** Events RFC 5465 defines that need extensions this server does not have (ANNOTATE, METADATA). */
const UNSUPPORTED = new Set(['ANNOTATIONCHANGE', 'MAILBOXMETADATACHANGE', 'SERVERMETADATACHANGE']);

export type MailboxFilter =
  | { kind: 'selected'; delayed: boolean }
  | { kind: 'inboxes' | 'personal' | 'subscribed' }
  | { kind: 'subtree' | 'mailboxes'; names: string[] };

export interface EventGroup {
  filter: MailboxFilter;
  events: Set<NotifyEvent>;
  /** MessageNew (fetch-att …): what to FETCH of a new message in the selected mailbox (RFC 5465 §5). */
  fetch: FetchItem[] | null;
}

export interface NotifySpec {
  /** SET STATUS: the current STATUS of each mailbox now (RFC 5465 §3). */
  status: boolean;
  groups: EventGroup[];
  /** Events named that this server does not support: the command fails with NO [BADEVENT] (RFC 5465 §5). */
  unsupported: string[];
}

const byUpper = new Map(EVENTS.map((event) => [event.toUpperCase(), event]));

function mailboxNames(token: Token | undefined): string[] {
  if (!token) throw new ImapSyntaxError('missing mailbox names');
  const tokens = token.type === 'list' ? token.items : [token];
  if (!tokens.length) throw new ImapSyntaxError('missing mailbox names');
  return tokens.map((t) => normalizeMailboxName(asAstring(t, 'mailbox name')));
}

function parseGroup(items: Token[], unsupported: string[]): EventGroup {
  const [first, ...rest] = items;
  if (first?.type !== 'atom') throw new ImapSyntaxError('an event group starts with its mailboxes');
  let filter: MailboxFilter;
  const kind = first.value.toUpperCase();
  switch (kind) {
    case 'SELECTED':
    case 'SELECTED-DELAYED':
      filter = { kind: 'selected', delayed: kind === 'SELECTED-DELAYED' };
      break;
    case 'INBOXES':
    case 'PERSONAL':
    case 'SUBSCRIBED':
      filter = { kind: kind.toLowerCase() as 'inboxes' | 'personal' | 'subscribed' };
      break;
    case 'SUBTREE':
    case 'MAILBOXES':
      filter = { kind: kind === 'SUBTREE' ? 'subtree' : 'mailboxes', names: mailboxNames(rest.shift()) };
      break;
    default:
      throw new ImapSyntaxError(`unknown mailbox filter ${first.value}`);
  }
  const [eventList, ...extra] = rest;
  if (!eventList || extra.length) throw new ImapSyntaxError('an event group is its mailboxes and a list of events');
  const events = new Set<NotifyEvent>();
  let fetch: FetchItem[] | null = null;
  if (eventList.type === 'atom' && eventList.value.toUpperCase() === 'NONE') return { filter, events, fetch };
  if (eventList.type !== 'list' || !eventList.items.length) throw new ImapSyntaxError('events are a list, or NONE');
  const list = eventList.items;
  for (let i = 0; i < list.length; i++) {
    const token = list[i]!;
    if (token.type !== 'atom') throw new ImapSyntaxError('events are atoms');
    const upper = token.value.toUpperCase();
    if (UNSUPPORTED.has(upper)) {
      unsupported.push(token.value);
      continue;
    }
    const event = byUpper.get(upper);
    if (!event) throw new ImapSyntaxError(`unknown event ${token.value}`);
    events.add(event);
    if (event === 'MessageNew' && list[i + 1]?.type === 'list') {
      if (filter.kind !== 'selected') throw new ImapSyntaxError('MessageNew fetch attributes apply to the selected mailbox only');
      fetch = parseFetchItems(list[++i]!);
    }
  }
  return { filter, events, fetch };
}

export function parseNotify(tokens: Token[]): NotifySpec | null {
  const [first, ...rest] = tokens;
  if (first?.type !== 'atom') throw new ImapSyntaxError('NOTIFY takes SET or NONE');
  if (first.value.toUpperCase() === 'NONE') {
    if (rest.length) throw new ImapSyntaxError('NOTIFY NONE takes nothing more');
    return null;
  }
  if (first.value.toUpperCase() !== 'SET') throw new ImapSyntaxError('NOTIFY takes SET or NONE');
  const status = rest[0]?.type === 'atom' && rest[0].value.toUpperCase() === 'STATUS';
  if (status) rest.shift();
  if (!rest.length) throw new ImapSyntaxError('NOTIFY SET needs at least one event group');
  const unsupported: string[] = [];
  const groups = rest.map((token) => {
    if (token.type !== 'list') throw new ImapSyntaxError('event groups are parenthesized lists');
    return parseGroup(token.items, unsupported);
  });
  if (groups.filter((g) => g.filter.kind === 'selected').length > 1) throw new ImapSyntaxError('SELECTED may be named once');
  return { status, groups, unsupported };
}

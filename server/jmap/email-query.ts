// Email/query (RFC 8621 §4.4): the filters of §4.4.1 (with AND, OR, NOT), the sorts of §4.4.2,
// collapseThreads, and position, anchor and limit (RFC 8620 §5.5). Conditions on flags, mailboxes,
// dates and sizes use the index rows alone; header and text conditions read the files as needed.
import { z } from 'zod';
import type { MethodCall } from './call.js';
import { bodyLists, bodyStructure, bodyValue } from './email-body.js';
import { convenienceHeaders, headerProperty } from './email-headers.js';
import { emailSources, type EmailSource } from './email-source.js';
import type { JmapMethod } from './methods.js';
import { idSchema, MAIL, MethodError, parseArguments } from './protocol.js';
import { currentState } from './state.js';
import { queryWindowArguments, window } from './standard-methods.js';

type Filter = Record<string, unknown>;

const CONDITIONS = [
  'inMailbox',
  'inMailboxOtherThan',
  'before',
  'after',
  'minSize',
  'maxSize',
  'allInThreadHaveKeyword',
  'someInThreadHaveKeyword',
  'noneInThreadHaveKeyword',
  'hasKeyword',
  'notKeyword',
  'hasAttachment',
  'text',
  'from',
  'to',
  'cc',
  'bcc',
  'subject',
  'body',
  'header',
];

const SORTS = ['receivedAt', 'size', 'from', 'to', 'subject', 'sentAt', 'hasKeyword', 'allInThreadHaveKeyword', 'someInThreadHaveKeyword'] as const;

const queryArguments = z.strictObject({
  accountId: idSchema,
  filter: z.record(z.string(), z.unknown()).nullable().optional(),
  sort: z
    .array(z.strictObject({ property: z.string(), isAscending: z.boolean().optional(), collation: z.string().optional(), keyword: z.string().optional() }))
    .nullable()
    .optional(),
  ...queryWindowArguments,
  collapseThreads: z.boolean().optional(),
});

/** What a query needs across emails: the keywords of every email of a thread. */
class QueryContext {
  private threadKeywords = new Map<string, Array<Record<string, true>>>();

  constructor(
    readonly call: MethodCall,
    sources: Iterable<EmailSource>,
  ) {
    for (const source of sources) {
      const list = this.threadKeywords.get(source.threadId);
      if (list) list.push(source.keywords);
      else this.threadKeywords.set(source.threadId, [source.keywords]);
    }
  }

  keywordsInThread(threadId: string): Array<Record<string, true>> {
    return this.threadKeywords.get(threadId) ?? [];
  }
}

function contains(haystack: unknown, needle: string): boolean {
  if (haystack === null || haystack === undefined) return false;
  return JSON.stringify(haystack).toLowerCase().includes(needle.toLowerCase());
}

function addressText(value: unknown): string {
  return Array.isArray(value) ? value.map((a: { name: string | null; email: string }) => `${a.name ?? ''} <${a.email}>`).join(', ') : '';
}

export async function bodyText(source: EmailSource): Promise<string> {
  const content = await source.content();
  const root = bodyStructure(content, await source.structure(), source.id);
  const { textBody, htmlBody } = bodyLists(root);
  return [...new Set([...textBody, ...htmlBody])]
    .filter((part) => part.type.startsWith('text/'))
    .map((part) => bodyValue(content, part, 0).value)
    .join('\n');
}

/** Does an email match a condition or operator (§4.4.1; RFC 8620 §5.5 FilterOperator)? */
async function matches(source: EmailSource, filter: Filter, query: QueryContext): Promise<boolean> {
  if ('operator' in filter) {
    const conditions = filter.conditions;
    if (!Array.isArray(conditions)) throw new MethodError('invalidArguments', 'a FilterOperator needs conditions');
    switch (filter.operator) {
      case 'AND':
        for (const c of conditions) if (!(await matches(source, c as Filter, query))) return false;
        return true;
      case 'OR':
        for (const c of conditions) if (await matches(source, c as Filter, query)) return true;
        return false;
      case 'NOT':
        for (const c of conditions) if (await matches(source, c as Filter, query)) return false;
        return true;
      default:
        throw new MethodError('unsupportedFilter', `operator ${String(filter.operator)} is not AND, OR or NOT`);
    }
  }
  for (const [name, value] of Object.entries(filter)) {
    if (!CONDITIONS.includes(name)) throw new MethodError('unsupportedFilter', `no filter condition ${name}`);
    if (!(await condition(source, name, value, query))) return false;
  }
  return true;
}

async function condition(source: EmailSource, name: string, value: unknown, query: QueryContext): Promise<boolean> {
  const keyword = () => String(value).toLowerCase();
  const headers = () => convenienceHeaders(source.headers());
  switch (name) {
    case 'inMailbox':
      return String(value) in source.mailboxIds;
    case 'inMailboxOtherThan': {
      const excluded = new Set(Array.isArray(value) ? value.map(String) : []);
      return Object.keys(source.mailboxIds).some((id) => !excluded.has(id));
    }
    case 'before':
      return source.first.internal_date < Date.parse(String(value));
    case 'after':
      return source.first.internal_date >= Date.parse(String(value));
    case 'minSize':
      return source.first.size >= Number(value);
    case 'maxSize':
      return source.first.size < Number(value);
    case 'hasKeyword':
      return keyword() in source.keywords;
    case 'notKeyword':
      return !(keyword() in source.keywords);
    case 'allInThreadHaveKeyword':
      return query.keywordsInThread(source.threadId).every((k) => keyword() in k);
    case 'someInThreadHaveKeyword':
      return query.keywordsInThread(source.threadId).some((k) => keyword() in k);
    case 'noneInThreadHaveKeyword':
      return !query.keywordsInThread(source.threadId).some((k) => keyword() in k);
    case 'hasAttachment': {
      const root = bodyStructure(await source.content(), await source.structure(), source.id);
      return bodyLists(root).attachments.length > 0 === value;
    }
    case 'from':
    case 'to':
    case 'cc':
    case 'bcc':
      return contains(addressText(headers()[name]), String(value));
    case 'subject':
      return contains(headers().subject, String(value));
    case 'body':
      return contains(await bodyText(source), String(value));
    case 'text': {
      const h = headers();
      return ['from', 'to', 'cc', 'bcc'].some((f) => contains(addressText(h[f]), String(value))) || contains(h.subject, String(value)) || contains(await bodyText(source), String(value));
    }
    case 'header': {
      if (!Array.isArray(value) || !value.length || value.length > 2) throw new MethodError('invalidArguments', 'header takes [name] or [name, value]');
      const values = headerProperty(source.headers(), `header:${String(value[0])}:asText:all`) as string[];
      return value.length === 1 ? values.length > 0 : values.some((v) => contains(v, String(value[1])));
    }
  }
  return false;
}

type SortKey = { property: (typeof SORTS)[number]; isAscending: boolean; keyword?: string };

function sortValue(source: EmailSource, key: SortKey, query: QueryContext): string | number {
  switch (key.property) {
    case 'receivedAt':
      return source.first.internal_date;
    case 'size':
      return source.first.size;
    case 'sentAt':
      return Date.parse(String(convenienceHeaders(source.headers()).sentAt ?? '')) || 0;
    case 'subject':
      return String(convenienceHeaders(source.headers()).subject ?? '').replace(/^\s*((re|fwd?|aw|wg)\s*:\s*)+/i, '').toLowerCase();
    case 'from':
    case 'to': {
      const list = convenienceHeaders(source.headers())[key.property] as Array<{ name: string | null; email: string }> | null;
      return (list?.[0]?.name || list?.[0]?.email || '').toLowerCase();
    }
    case 'hasKeyword':
      return key.keyword! in source.keywords ? 1 : 0;
    case 'allInThreadHaveKeyword':
      return query.keywordsInThread(source.threadId).every((k) => key.keyword! in k) ? 1 : 0;
    case 'someInThreadHaveKeyword':
      return query.keywordsInThread(source.threadId).some((k) => key.keyword! in k) ? 1 : 0;
  }
}

/**
 * What a mail list asks most — one mailbox, by receivedAt, threads not collapsed — straight from
 * the index, without looking at every email of the account; null for any other query.
 */
function mailboxByDate(call: MethodCall, filter: Filter | null | undefined, sort: SortKey[], collapseThreads: boolean): string[] | null {
  if (collapseThreads || !filter || Object.keys(filter).length !== 1 || typeof filter.inMailbox !== 'string') return null;
  if (sort.length > 1 || (sort.length === 1 && sort[0]!.property !== 'receivedAt')) return null;
  const mailbox = call.store.listMailboxes(call.user.id).find((m) => m.object_id === filter.inMailbox);
  if (!mailbox) return [];
  const ids = [...new Set(call.store.jmap.emailIdsInMailbox(mailbox.id))];
  return sort[0]?.isAscending ? ids.reverse() : ids;
}

/** The ids of the emails matching, in order (before position and limit). */
export async function queryEmails(call: MethodCall, filter: Filter | null | undefined, sort: SortKey[], collapseThreads: boolean): Promise<string[]> {
  const fast = mailboxByDate(call, filter, sort, collapseThreads);
  if (fast) return fast;
  const sources = [...emailSources(call, call.store.jmap.allRows(call.user.id)).values()];
  const query = new QueryContext(call, sources);
  const matching: EmailSource[] = [];
  for (const source of sources) if (!filter || (await matches(source, filter, query))) matching.push(source);
  const keys: SortKey[] = sort.length ? sort : [{ property: 'receivedAt', isAscending: false }];
  const values = new Map(matching.map((s) => [s, keys.map((k) => sortValue(s, k, query))]));
  matching.sort((a, b) => {
    const x = values.get(a)!;
    const y = values.get(b)!;
    for (let i = 0; i < keys.length; i++) {
      const order = typeof x[i] === 'number' ? (x[i] as number) - (y[i] as number) : String(x[i]).localeCompare(String(y[i]));
      if (order) return keys[i]!.isAscending ? order : -order;
    }
    // ties in the order of arrival, in the direction of the first sort (as the index's order)
    return (keys[0]!.isAscending ? 1 : -1) * (a.first.id - b.first.id);
  });
  const seen = new Set<string>();
  return matching.filter((s) => !collapseThreads || (!seen.has(s.threadId) && !!seen.add(s.threadId))).map((s) => s.id);
}

export function sortKeys(sort: z.infer<typeof queryArguments>['sort']): SortKey[] {
  return (sort ?? []).map((s) => {
    if (!SORTS.includes(s.property as SortKey['property'])) throw new MethodError('unsupportedSort', `cannot sort by ${s.property}`);
    if (s.property.endsWith('Keyword') && !s.keyword) throw new MethodError('invalidArguments', `sorting by ${s.property} needs a keyword`);
    return { property: s.property as SortKey['property'], isAscending: s.isAscending ?? true, keyword: s.keyword?.toLowerCase() };
  });
}

async function emailQuery(rawArgs: unknown, call: MethodCall): Promise<Record<string, unknown>> {
  const args = parseArguments(queryArguments, rawArgs);
  const queryState = currentState(call.store, call.user.id);
  const ids = await queryEmails(call, args.filter, sortKeys(args.sort), args.collapseThreads ?? false);
  let position = args.position ?? 0;
  if (args.anchor) {
    const at = ids.indexOf(args.anchor);
    if (at < 0) throw new MethodError('anchorNotFound', `${args.anchor} is not in the results`);
    position = Math.max(0, at + (args.anchorOffset ?? 0));
  }
  const limit = Math.min(args.limit ?? call.maxObjects, call.maxObjects);
  const cut = window(ids, position, limit);
  return {
    accountId: call.accountId,
    queryState,
    canCalculateChanges: false,
    position: cut.position,
    ids: cut.items,
    ...(args.calculateTotal ? { total: ids.length } : {}),
    ...(args.limit !== undefined && args.limit !== null && args.limit > limit ? { limit } : {}),
  };
}

export const emailQueryMethods: Record<string, JmapMethod> = {
  'Email/query': { capability: MAIL, handle: emailQuery },
};

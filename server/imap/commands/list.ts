// LIST (RFC 3501 §6.3.8, with LIST-EXTENDED RFC 5258, CHILDREN RFC 3348, SPECIAL-USE RFC 6154
// and LIST-STATUS RFC 5819) and LSUB (§6.3.9).
import type { MailboxRow } from '../../store/mailstore.js';
import { asListMailbox, atomsOf } from '../parser/args.js';
import { ImapSyntaxError, type Token } from '../parser/tokens.js';
import { DELIMITER, parentsOf, patternMatcher, wireMailboxName } from '../mailbox-names.js';
import { astr, untagged, type Piece } from '../replies.js';
import { parseStatusItems, statusResponse } from './status.js';
import { AUTHENTICATED, command } from './types.js';

interface ListArgs {
  select: { subscribed: boolean; specialUse: boolean; recursive: boolean };
  reference: string;
  patterns: string[];
  ret: { subscribed: boolean; children: boolean; specialUse: boolean; status: string[] | null };
  extended: boolean;
}

function parseList(args: import('../parser/args.js').Args): ListArgs {
  const select = { subscribed: false, specialUse: false, recursive: false };
  const ret = { subscribed: false, children: false, specialUse: false, status: null as string[] | null };
  let extended = false;
  const selection = args.optionalList();
  if (selection) {
    extended = true;
    for (const option of atomsOf(selection, 'selection option')) {
      const upper = option.toUpperCase();
      if (upper === 'SUBSCRIBED') select.subscribed = true;
      else if (upper === 'SPECIAL-USE') select.specialUse = true;
      else if (upper === 'RECURSIVEMATCH') select.recursive = true;
      else if (upper !== 'REMOTE') throw new ImapSyntaxError(`unknown selection option ${option}`);
    }
    // RFC 5258 §3: RECURSIVEMATCH needs another option that selects
    if (select.recursive && !select.subscribed) throw new ImapSyntaxError('RECURSIVEMATCH needs SUBSCRIBED');
  }
  const reference = asListMailbox(args.next('reference name'), 'reference name');
  const patternToken = args.next('mailbox pattern');
  let patterns: string[];
  if (patternToken.type === 'list') {
    extended = true;
    patterns = patternToken.items.map((t) => asListMailbox(t, 'mailbox pattern'));
    if (!patterns.length) throw new ImapSyntaxError('empty pattern list');
  } else patterns = [asListMailbox(patternToken, 'mailbox pattern')];
  if (args.remaining) {
    const word = args.atom('RETURN');
    if (word.toUpperCase() !== 'RETURN') throw new ImapSyntaxError('expected RETURN');
    extended = true;
    const options: Token[] = args.list('return options');
    for (let i = 0; i < options.length; i++) {
      const option = options[i]!;
      if (option.type !== 'atom') throw new ImapSyntaxError('invalid return option');
      const upper = option.value.toUpperCase();
      if (upper === 'SUBSCRIBED') ret.subscribed = true;
      else if (upper === 'CHILDREN') ret.children = true;
      else if (upper === 'SPECIAL-USE') ret.specialUse = true;
      else if (upper === 'STATUS') {
        const items = options[++i];
        if (items?.type !== 'list') throw new ImapSyntaxError('STATUS needs a list of items');
        ret.status = parseStatusItems(items.items);
      } else throw new ImapSyntaxError(`unknown return option ${option.value}`);
    }
  }
  args.end();
  return { select, reference, patterns, ret, extended };
}

function sortNames(names: Iterable<string>): string[] {
  return [...names].sort((a, b) => (a === 'INBOX' ? -1 : b === 'INBOX' ? 1 : a < b ? -1 : a > b ? 1 : 0));
}

export const list = command<ListArgs>({
  states: AUTHENTICATED,
  parse: parseList,
  async handle({ session, wire, args }) {
    const store = session.context.mailStore;
    const userId = session.user.id;
    if (args.patterns.length === 1 && args.patterns[0] === '' && !args.extended) {
      // RFC 3501 §6.3.8: an empty pattern asks for the delimiter and the root of the reference
      const root = args.reference.startsWith(DELIMITER) ? DELIMITER : '';
      await wire.send(untagged(`LIST (\\Noselect) "${DELIMITER}" `, ...astr(root)));
      return;
    }
    const mailboxes = new Map<string, MailboxRow>(store.listMailboxes(userId).map((m) => [m.name, m]));
    const subscribed = new Set(store.subscriptions(userId));
    const matchers = args.patterns.filter((p) => p !== '').map((p) => patternMatcher(args.reference, p, session.utf8));
    const matches = (name: string) => matchers.some((m) => m(name));
    const hasChildren = (name: string) => {
      const prefix = name + DELIMITER;
      for (const other of mailboxes.keys()) if (other.startsWith(prefix)) return true;
      return false;
    };
    const candidates = new Set<string>();
    const childInfo = new Set<string>();
    if (args.select.subscribed) {
      for (const name of subscribed) {
        if (matches(name)) candidates.add(name);
        // RFC 5258 §3.5: CHILDINFO tells of subscribed children the patterns leave out
        if (args.select.recursive && !matches(name)) for (const parent of parentsOf(name)) if (matches(parent) && !subscribed.has(parent)) childInfo.add(parent);
      }
      for (const name of childInfo) candidates.add(name);
    } else {
      for (const name of mailboxes.keys()) {
        if (matches(name)) candidates.add(name);
        for (const parent of parentsOf(name)) if (matches(parent)) candidates.add(parent);
      }
    }
    const showSubscribed = args.ret.subscribed || args.select.subscribed;
    for (const name of sortNames(candidates)) {
      const mailbox = mailboxes.get(name);
      if (args.select.specialUse && !mailbox?.special_use) continue;
      const attributes: string[] = [];
      const children = hasChildren(name);
      if (!mailbox) attributes.push(children ? '\\Noselect' : '\\NonExistent');
      if (mailbox || children) attributes.push(children ? '\\HasChildren' : '\\HasNoChildren');
      if (mailbox?.special_use) attributes.push(mailbox.special_use);
      if (showSubscribed && subscribed.has(name)) attributes.push('\\Subscribed');
      const pieces: Piece[] = [`LIST (${attributes.join(' ')}) "${DELIMITER}" `, ...wireMailboxName(name, session.utf8)];
      if (childInfo.has(name)) pieces.push(' ("CHILDINFO" ("SUBSCRIBED"))');
      await wire.send(untagged(...pieces));
      if (args.ret.status && mailbox) await wire.send(statusResponse(session, mailbox, args.ret.status));
    }
  },
});

export const lsub = command({
  states: AUTHENTICATED,
  parse(args) {
    const reference = asListMailbox(args.next('reference name'), 'reference name');
    const pattern = asListMailbox(args.next('mailbox pattern'), 'mailbox pattern');
    args.end();
    return { reference, pattern };
  },
  async handle({ session, wire, args }) {
    const store = session.context.mailStore;
    if (args.pattern === '') {
      await wire.send(untagged(`LSUB (\\Noselect) "${DELIMITER}" ""`));
      return;
    }
    const existing = new Set(store.listMailboxes(session.user.id).map((m) => m.name));
    const subscribed = store.subscriptions(session.user.id);
    const matches = patternMatcher(args.reference, args.pattern, session.utf8);
    const out = new Map<string, string>();
    for (const name of subscribed) {
      if (matches(name)) {
        out.set(name, existing.has(name) ? '' : '\\Noselect');
        continue;
      }
      // §6.3.9: when "%" stops above a subscribed name, its unsubscribed parent stands in for it, \Noselect
      for (const parent of parentsOf(name)) if (!out.has(parent) && !subscribed.includes(parent) && matches(parent)) out.set(parent, '\\Noselect');
    }
    for (const name of sortNames(out.keys())) await wire.send(untagged(`LSUB (${out.get(name)}) "${DELIMITER}" `, ...wireMailboxName(name, session.utf8)));
  },
});

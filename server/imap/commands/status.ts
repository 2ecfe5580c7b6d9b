// STATUS (RFC 3501 §6.3.10): counts of a mailbox without selecting it; HIGHESTMODSEQ with
// CONDSTORE (RFC 7162 §3.1.5); SIZE (RFC 8438); MAILBOXID (RFC 8474 §4.2); DELETED (RFC 9051
// §6.3.11) and DELETED-STORAGE (RFC 9208 §5.1, in KiB as STORAGE is). Also used by LIST-STATUS (RFC 5819).
import type { MailboxRow } from '../../store/mailstore.js';
import { atomsOf } from '../parser/args.js';
import { ImapSyntaxError, type Token } from '../parser/tokens.js';
import { wireMailboxName } from '../mailbox-names.js';
import { untagged, type Piece } from '../replies.js';
import type { Session } from '../session.js';
import { requireMailbox } from './lookup.js';
import { AUTHENTICATED, command } from './types.js';

const ITEMS = new Set(['MESSAGES', 'RECENT', 'UIDNEXT', 'UIDVALIDITY', 'UNSEEN', 'HIGHESTMODSEQ', 'SIZE', 'MAILBOXID', 'DELETED', 'DELETED-STORAGE']);

export function parseStatusItems(tokens: Token[]): string[] {
  const items = atomsOf(tokens, 'status item').map((i) => i.toUpperCase());
  if (!items.length) throw new ImapSyntaxError('STATUS needs at least one item');
  for (const item of items) if (!ITEMS.has(item)) throw new ImapSyntaxError(`unknown status item ${item}`);
  return items;
}

export function statusResponse(session: Session, mailbox: MailboxRow, items: string[]): Piece[] {
  const store = session.context.mailStore;
  const fresh = store.mailboxById(mailbox.id) ?? mailbox;
  const counts = store.mailboxCounts(fresh);
  const view = session.selectedOrNull;
  const deleted = items.some((item) => item.startsWith('DELETED')) ? store.deletedCounts(fresh.id) : null;
  const values: string[] = items.map((item) => {
    switch (item) {
      case 'MESSAGES':
        return `MESSAGES ${counts.messages}`;
      case 'RECENT':
        // this session's own \Recent when it has the mailbox selected
        return `RECENT ${view && view.id === mailbox.id ? view.recentCount : counts.recent}`;
      case 'UIDNEXT':
        return `UIDNEXT ${fresh.uidnext}`;
      case 'UIDVALIDITY':
        return `UIDVALIDITY ${fresh.uidvalidity}`;
      case 'UNSEEN':
        return `UNSEEN ${counts.unseen}`;
      case 'HIGHESTMODSEQ':
        return `HIGHESTMODSEQ ${fresh.highest_modseq}`;
      case 'MAILBOXID':
        return `MAILBOXID (${fresh.object_id})`;
      case 'DELETED':
        return `DELETED ${deleted!.messages}`;
      case 'DELETED-STORAGE':
        return `DELETED-STORAGE ${Math.ceil(deleted!.bytes / 1024)}`;
      default:
        return `SIZE ${counts.size}`;
    }
  });
  return untagged('STATUS ', ...wireMailboxName(fresh.name, session.utf8), ` (${values.join(' ')})`);
}

export const status = command({
  states: AUTHENTICATED,
  parse(args) {
    const name = args.astring('mailbox name');
    const items = parseStatusItems(args.list('status items'));
    args.end();
    return { name, items };
  },
  async handle({ session, wire, args }) {
    const mailbox = requireMailbox(session, args.name);
    if (args.items.includes('HIGHESTMODSEQ')) session.enabled.add('CONDSTORE');
    await wire.send(statusResponse(session, mailbox, args.items));
  },
});

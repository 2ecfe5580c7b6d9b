// QUOTA (RFC 9208): the user's quota as LanPost keeps it (one limit on the bytes of all of a
// user's mailboxes, set by the administrator; 0 for none), as the STORAGE resource of the quota
// root "" that every mailbox of the user belongs to; usage and limit in units of 1024 octets
// (§5.1). Users cannot change their limit: SETQUOTA is refused (no QUOTASET capability, §4.1.3).
import { wireMailboxName } from '../mailbox-names.js';
import { atomsOf } from '../parser/args.js';
import { ImapSyntaxError } from '../parser/tokens.js';
import { no, untagged, type Piece } from '../replies.js';
import type { Session } from '../session.js';
import { requireMailbox } from './lookup.js';
import { AUTHENTICATED, command } from './types.js';

/** The one quota root: all of the user's mailboxes. */
const ROOT = '""';

/** The user's limit and usage in bytes, or null without a limit. */
export function quotaOf(session: Session): { limit: number; used: number } | null {
  return session.context.accounts.quota(session.user.id);
}

/** Would `bytes` more go over the user's quota? (APPEND, COPY: NO [OVERQUOTA]) */
export function overQuota(session: Session, bytes: number): boolean {
  return session.context.accounts.overQuota(session.user.id, bytes);
}

function quotaResponse(session: Session): Piece[] | null {
  const quota = quotaOf(session);
  if (!quota) return null;
  return untagged(`QUOTA ${ROOT} (STORAGE ${Math.ceil(quota.used / 1024)} ${Math.floor(quota.limit / 1024)})`);
}

export const getquota = command({
  states: AUTHENTICATED,
  parse(args) {
    const root = args.astring('quota root');
    args.end();
    return root;
  },
  async handle({ session, wire, args }) {
    const response = args === '' ? quotaResponse(session) : null;
    if (!response) throw no(`No such quota root: ${args}`, 'NONEXISTENT');
    await wire.send(response);
  },
});

export const getquotaroot = command({
  states: AUTHENTICATED,
  parse(args) {
    const mailbox = args.astring('mailbox name');
    args.end();
    return mailbox;
  },
  async handle({ session, wire, args }) {
    const mailbox = requireMailbox(session, args);
    const response = quotaResponse(session);
    // §4.1.2: QUOTAROOT names the mailbox, then the roots it belongs to (none without a limit)
    await wire.send(untagged('QUOTAROOT ', ...wireMailboxName(mailbox.name, session.utf8), response ? ` ${ROOT}` : ''));
    if (response) await wire.send(response);
  },
});

export const setquota = command({
  states: AUTHENTICATED,
  parse(args) {
    args.astring('quota root');
    const limits = args.list('resource limits');
    if (limits.length % 2) throw new ImapSyntaxError('resource limits come in pairs');
    atomsOf(limits, 'resource limit');
    args.end();
    return null;
  },
  handle() {
    throw no('Quotas are set by the administrator of this server', 'NOPERM');
  },
});

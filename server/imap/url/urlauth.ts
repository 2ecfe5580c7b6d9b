// URLAUTH (RFC 4467): URLs that carry their own authorization. A URL's token is an HMAC of the
// URL (up to its access identifier) under a key kept per mailbox (the "INTERNAL" mechanism);
// RESETKEY replaces the key, and every URL made with the old one stops working. The keys live
// in the meta table, named by mailbox and UIDVALIDITY, so a mailbox made again never inherits them.
import crypto from 'node:crypto';
import type { User } from '../../accounts/accounts.js';
import type { EngineContext } from '../../context.js';
import type { MailboxRow } from '../../store/mailstore.js';
import { locate, urlOwner, type UrlTarget } from './fetch.js';
import { parseImapUrl, type ImapUrl } from './imap-url.js';

export const MECHANISM = 'INTERNAL';

function keyName(mailbox: MailboxRow): string {
  return `urlauth-key:${mailbox.id}:${mailbox.uidvalidity}`;
}

function accessKey(context: EngineContext, mailbox: MailboxRow, create: boolean): string | undefined {
  const meta = context.mailStore.meta;
  const known = meta.get(keyName(mailbox));
  if (known || !create) return known;
  return meta.update(() => {
    const raced = meta.get(keyName(mailbox));
    if (raced) return raced;
    const fresh = crypto.randomBytes(32).toString('hex');
    meta.set(keyName(mailbox), fresh);
    return fresh;
  });
}

function token(key: string, rump: string): string {
  return crypto.createHmac('sha256', Buffer.from(key, 'hex')).update(rump, 'utf8').digest('hex');
}

/** RESETKEY (RFC 4467 §5.3): new keys for these mailboxes; the URLs made before stop working. */
export function resetKeys(context: EngineContext, mailboxes: MailboxRow[]): void {
  const meta = context.mailStore.meta;
  meta.update(() => {
    for (const mailbox of mailboxes) meta.set(keyName(mailbox), crypto.randomBytes(32).toString('hex'));
  });
}

/**
 * GENURLAUTH (RFC 4467 §6.1): the URL with ":INTERNAL:token" added; null when it is not an
 * absolute URL of this user's, with an access identifier and no token yet, naming a mailbox they have.
 */
export function generateUrlauth(context: EngineContext, user: User, text: string): string | null {
  const url = parseImapUrl(text);
  if (!url?.rump || url.token !== null || text.length !== url.rump.length) return null;
  if (urlOwner(context, url)?.id !== user.id) return null;
  const mailbox = context.mailStore.getMailbox(user.id, url.mailbox);
  if (!mailbox || (url.uidvalidity !== null && url.uidvalidity !== mailbox.uidvalidity)) return null;
  return `${text}:${MECHANISM}:${token(accessKey(context, mailbox, true)!, url.rump)}`;
}

/** Who fetches: an IMAP user, or the submission server sending for one (BURL, RFC 4468). */
export interface Fetcher {
  user: User;
  submission: boolean;
}

/**
 * A URLAUTH URL checked (RFC 4467 §6.3): its token, its expiry, and whether its access identifier
 * lets this fetcher have it. The message it names, or null for any failure (URLFETCH says NIL).
 */
export function authorizeUrl(context: EngineContext, fetcher: Fetcher, text: string): { url: ImapUrl; target: UrlTarget } | null {
  const url = parseImapUrl(text);
  if (!url?.rump || !url.token || url.mechanism?.toUpperCase() !== MECHANISM) return null;
  if (url.expire !== null && url.expire <= Date.now()) return null;
  if (!mayAccess(context, fetcher, url.access!)) return null;
  const owner = urlOwner(context, url);
  const mailbox = owner && context.mailStore.getMailbox(owner.id, url.mailbox);
  const key = mailbox && accessKey(context, mailbox, false);
  if (!owner || !key) return null;
  const expected = Buffer.from(token(key, url.rump));
  const given = Buffer.from(url.token.toLowerCase());
  if (expected.length !== given.length || !crypto.timingSafeEqual(expected, given)) return null;
  const target = locate(context, owner, url);
  return target ? { url, target } : null;
}

/** RFC 4467 §3: anonymous and authuser — any user of this server; user+id — that user over IMAP; submit+id — submission sending for them. */
function mayAccess(context: EngineContext, fetcher: Fetcher, access: string): boolean {
  const lower = access.toLowerCase();
  if (lower === 'anonymous' || lower === 'authuser') return true;
  const plus = access.indexOf('+');
  let name: string;
  try {
    name = decodeURIComponent(access.slice(plus + 1));
  } catch {
    return false;
  }
  if (context.accounts.findUser(name)?.id !== fetcher.user.id) return false;
  return lower.startsWith('submit+') === fetcher.submission;
}

// BURL (RFC 4468): the submission server fetches a message, or a piece of one, from the user's
// IMAP mailboxes by a URLAUTH URL instead of receiving it in DATA — a client forwards a big
// attachment without sending it again. Only URLs whose access identifier lets the submission
// server read them for the logged-in user (submit+user, authuser, anonymous) are fetched.
import type { EngineContext } from '../context.js';
import { urlData } from '../imap/url/fetch.js';
import { authorizeUrl } from '../imap/url/urlauth.js';

/** The URL's data for the user logged in as `address`; null when it cannot be had (RFC 4468 §3.5: 554 5.6.6). */
export async function burlData(context: EngineContext, address: string, url: string): Promise<Buffer | null> {
  const user = context.accounts.findUser(address);
  const authorized = user && authorizeUrl(context, { user, submission: true }, url);
  return authorized ? ((await urlData(context, authorized.target, authorized.url))?.data ?? null) : null;
}

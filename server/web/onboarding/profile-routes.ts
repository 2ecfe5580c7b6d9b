// The Apple profile from the landing page: GET with ?address= gives it without a password (the
// device asks for it); POST of the landing page's form with the password (over HTTPS only, and
// only the right password: a login, throttled like any other) puts the password inside.
import type { EngineContext } from '../../context.js';
import { download, seeOther, WebError, type WebReply } from '../replies.js';
import type { WebRequest } from '../request.js';
import type { WebRoute } from '../router.js';
import { PROFILE_CONTENT_TYPE, profileFilename, ProfileError, profileFor, type ProfileAccount } from './apple-profile.js';
import { onboardingAddress } from './mail-address.js';

/** The profile of `account`, as a download. */
export function profileDownload(context: EngineContext, account: ProfileAccount): WebReply {
  try {
    return download(profileFilename(account.address), PROFILE_CONTENT_TYPE, profileFor(context, account));
  } catch (error) {
    if (error instanceof ProfileError) throw new WebError(503, `Service Unavailable: ${error.message}`);
    throw error;
  }
}

async function profileWithPassword(request: WebRequest, context: EngineContext): Promise<WebReply> {
  if (!request.secure) throw new WebError(403, 'Forbidden: a password is taken over HTTPS only; download the profile without it');
  if (!/^application\/x-www-form-urlencoded\b/i.test(request.headers['content-type'] ?? '')) {
    throw new WebError(415, 'Unsupported Media Type: send the form as application/x-www-form-urlencoded');
  }
  const form = new URLSearchParams((await request.body()).toString('utf8'));
  const address = onboardingAddress(form.get('address'), context, 'address');
  const password = form.get('password') ?? '';
  if (!password) return profileDownload(context, { address });
  const login = await context.accounts.login(address, password, request.client);
  if (login.ok) return profileDownload(context, { address: login.user.address, displayName: login.user.display_name || undefined, password });
  // A browser's form goes back to the landing page, which says what went wrong in the reader's language.
  if (/\btext\/html\b/.test(request.headers.accept ?? '')) return seeOther(`/?${new URLSearchParams({ address, problem: login.reason })}`);
  if (login.reason === 'throttled') {
    throw new WebError(429, `Too Many Requests: too many wrong passwords from this address; try again in ${login.retryAfterSeconds} seconds`, { 'retry-after': String(login.retryAfterSeconds) });
  }
  throw new WebError(403, login.reason === 'disabled' ? 'Forbidden: this mailbox is disabled' : 'Forbidden: wrong address or password');
}

export const PROFILE_PATH = '/profile.mobileconfig';

export const profileRoutes: WebRoute[] = [
  {
    methods: ['GET', 'POST'],
    path: PROFILE_PATH,
    handle: (request, context) =>
      request.method === 'POST' ? profileWithPassword(request, context) : profileDownload(context, { address: onboardingAddress(request.url.searchParams.get('address'), context, 'address') }),
  },
];

// The address a client asks the onboarding routes about. A malformed one is refused (400), one of
// a domain this server does not serve too (404). A well-formed address of a local domain gets the
// same answer whether or not its mailbox exists: the settings are the same for every user, and
// nobody learns from them which addresses exist (the login throttle's rule, accounts.ts).
import type { EngineContext } from '../../context.js';
import { WebError } from '../replies.js';

const ADDRESS = /^[^\s@<>()[\]\\,;:"]{1,64}@([a-z0-9-]+(?:\.[a-z0-9-]+)+)$/i;

export function onboardingAddress(input: string | null | undefined, context: EngineContext, parameter: string): string {
  const address = (input ?? '').trim().toLowerCase();
  if (!address) throw new WebError(400, `Bad Request: ${parameter} is missing (a mail address such as alice@${context.settings().domain})`);
  const domain = ADDRESS.exec(address)?.[1];
  if (!domain || address.length > 254) throw new WebError(400, `Bad Request: ${JSON.stringify(address.slice(0, 100))} is not a mail address`);
  if (!context.accounts.isLocalDomain(domain)) throw new WebError(404, `Not Found: ${domain} is not a mail domain of this server (${context.settings().localDomains.join(', ')})`);
  return address;
}

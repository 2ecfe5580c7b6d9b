// Is the typed address one this server can set up? Pure.
import type { MessageKey } from './i18n/en.js';

/** null when fine (or not typed yet); else the message to show and its values. */
export function addressProblem(address: string, localDomains: readonly string[]): { key: MessageKey; values: Record<string, string> } | null {
  const typed = address.trim().toLowerCase();
  if (!typed) return null;
  const domain = /^[^\s@]+@([a-z0-9-]+(?:\.[a-z0-9-]+)+)$/.exec(typed)?.[1];
  if (!domain) return { key: 'address.malformed', values: { domain: localDomains[0] ?? '' } };
  if (!localDomains.includes(domain)) return { key: 'address.foreign', values: { domain, domains: localDomains.join(', ') } };
  return null;
}

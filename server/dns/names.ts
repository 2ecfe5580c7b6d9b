// Domain names as the zone code handles them: lower case, no trailing dot ("mail.lanpost.lan"),
// the root as "". Wire-format names are read in query.ts; here only presentation-form strings.

/** One label: letters, digits, hyphens, and a leading underscore for service names (_imap, _domainkey). */
const LABEL = /^(?:\*|_?[a-z0-9](?:[a-z0-9_-]{0,61}[a-z0-9])?)$/;

/** "Mail.LanPost.lan." → "mail.lanpost.lan" */
export function canonicalName(name: string): string {
  return name.toLowerCase().replace(/\.$/, '');
}

/** A syntactically valid name of at most 253 characters (trailing dot allowed); wildcards refused. */
export function isDomainName(name: string, options: { allowUnderscore?: boolean } = {}): boolean {
  const plain = canonicalName(name);
  if (!plain || plain.length > 253) return false;
  return plain.split('.').every((label) => label !== '*' && LABEL.test(label) && (options.allowUnderscore !== false || !label.includes('_')));
}

/** Is `name` the origin or below it? Both canonical. */
export function isInZone(name: string, origin: string): boolean {
  return name === origin || name.endsWith(`.${origin}`);
}

/**
 * An owner name from the settings, BIND style: `@` is the domain, a name ending in a dot is
 * absolute, a name ending in the domain is taken as written, anything else is relative
 * (`printer` → printer.lanpost.lan).
 */
export function ownerName(name: string, origin: string): string {
  if (name === '@') return origin;
  if (name.endsWith('.')) return canonicalName(name);
  const plain = canonicalName(name);
  return isInZone(plain, origin) ? plain : `${plain}.${origin}`;
}

/**
 * A target name from the settings (CNAME, MX exchange, SRV target): `@` is the domain, a name
 * with a dot in it is absolute (`www.example.com`), a single label is relative (`mail`).
 */
export function targetName(name: string, origin: string): string {
  if (name === '@') return origin;
  if (name === '.') return '';
  const plain = canonicalName(name);
  return plain.includes('.') || name.endsWith('.') ? plain : `${plain}.${origin}`;
}

/** The chain of names from `name` up to (and including) `origin`: a.b.zone → [a.b.zone, b.zone, zone]. */
export function namesUpTo(name: string, origin: string): string[] {
  const chain: string[] = [];
  let current = name;
  while (current !== origin && current.length > origin.length) {
    chain.push(current);
    current = current.slice(current.indexOf('.') + 1);
  }
  chain.push(origin);
  return chain;
}

/** Presentation form with the trailing dot, the root as ".". */
export function absolute(name: string): string {
  return name ? `${name}.` : '.';
}

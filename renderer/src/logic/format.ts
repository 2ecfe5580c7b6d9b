// Small formatting helpers shared by the pages. Pure.
export function formatBytes(bytes: number, language: string): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  const digits = unit === 0 || value >= 100 ? 0 : 1;
  return `${value.toLocaleString(language, { maximumFractionDigits: digits })} ${units[unit]}`;
}

export function formatTime(ms: number, language: string): string {
  return new Date(ms).toLocaleTimeString(language, { hour: '2-digit', minute: '2-digit', second: '2-digit' });
}

export function formatDateTime(ms: number, language: string): string {
  return new Date(ms).toLocaleString(language, { dateStyle: 'medium', timeStyle: 'short' });
}

export function formatDate(value: string | number, language: string): string {
  return new Date(value).toLocaleDateString(language, { year: 'numeric', month: 'short', day: 'numeric' });
}

export function daysUntil(value: string, now = Date.now()): number {
  return Math.floor((Date.parse(value) - now) / 86_400_000);
}

/** A readable random password: 4 groups of 4 from an unambiguous alphabet. */
export function randomPassword(): string {
  const alphabet = 'abcdefghjkmnpqrstuvwxyz23456789';
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  const chars = [...bytes].map((b) => alphabet[b % alphabet.length]);
  return [0, 4, 8, 12].map((i) => chars.slice(i, i + 4).join('')).join('-');
}

/** Lines of a text area → a list (blank lines and spaces dropped; commas also separate). */
export function splitList(text: string): string[] {
  return text
    .split(/[\n,]/)
    .map((s) => s.trim())
    .filter(Boolean);
}

/** Scales the traffic chart: a round maximum at or above the largest hour. */
export function chartMaximum(values: number[]): number {
  const top = Math.max(0, ...values);
  if (top <= 5) return 5;
  const magnitude = 10 ** Math.floor(Math.log10(top));
  for (const step of [1, 2, 5, 10]) if (step * magnitude >= top) return step * magnitude;
  return 10 * magnitude;
}

/**
 * A service's fix as the engine words it ("sudo setcap …, or sudo sysctl …, or lanpost settings
 * set …", "stop dnsmasq (pid 9) or lanpost settings set …") split into things to do by hand and
 * commands to copy.
 */
export function splitFix(fix: string): { steps: string[]; commands: string[] } {
  const parts = fix.split(/,? or (?=sudo |lanpost |stop |run |listen )/).map((p) => p.trim()).filter(Boolean);
  const isCommand = (part: string) => /^(sudo|lanpost) /.test(part);
  return { steps: parts.filter((p) => !isCommand(p)), commands: parts.filter(isCommand) };
}

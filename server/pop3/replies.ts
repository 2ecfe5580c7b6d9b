// Every POP3 status line LanPost sends, in one place. Response codes in brackets are RFC 2449 §8
// (RESP-CODES: IN-USE, LOGIN-DELAY) and RFC 3206 (AUTH, SYS/TEMP, SYS/PERM).

export type ResponseCode = 'AUTH' | 'IN-USE' | 'SYS/TEMP' | 'SYS/PERM';

export const ok = (text: string): string => `+OK ${text}`;
export const err = (text: string, code?: ResponseCode): string => `-ERR ${code ? `[${code}] ` : ''}${text}`;

export const replies = {
  greeting: () => ok('LanPost POP3 server ready'),
  bye: () => ok('LanPost POP3 server signing off'),
  byeAfterUpdate: (removed: number) => ok(`LanPost POP3 server signing off (${removed} message${removed === 1 ? '' : 's'} deleted)`),
  updateFailed: () => err('Some deleted messages not removed; nothing else was lost, try again', 'SYS/TEMP'),

  // bad input
  unknownCommand: (keyword: string) => err(`Unknown command ${printable(keyword)}`),
  wrongState: (keyword: string, state: string) => err(`${printable(keyword)} is not allowed in the ${state} state`),
  syntax: (usage: string) => err(`Syntax: ${usage}`),
  lineTooLong: (limit: number) => err(`Line too long (the limit is ${limit} bytes); it was ignored`),
  tooManyBadCommands: () => err('Too many bad commands; closing the connection'),
  idleTimeout: () => err('Disconnected for inactivity'),
  shuttingDown: () => err('Server shutting down', 'SYS/TEMP'),
  tooManyConnections: () => err('Too many connections from your address; close some and try again', 'SYS/TEMP'),
  serverBusy: () => err('Too many connections to this server; try again later', 'SYS/TEMP'),
  internalError: () => err('Internal server error; try again later', 'SYS/TEMP'),

  // authorization (RFC 1939 §7, RFC 5034, RFC 2595)
  userAccepted: () => ok('Send your password'),
  passWithoutUser: () => err('Send USER first'),
  plaintextDisallowed: () => err('Plaintext authentication is not allowed on an unencrypted connection; use STLS first', 'AUTH'),
  authFailed: () => err('Authentication failed', 'AUTH'),
  // Throttling is a temporary refusal, not a wrong password: SYS/TEMP keeps clients from discarding
  // a stored password that may be right (RFC 3206 §4: "the client SHOULD try again later").
  throttled: (seconds: number) => err(`Too many failed logins; try again in ${seconds} seconds`, 'SYS/TEMP'),
  accountDisabled: () => err('This account is disabled; ask the administrator', 'SYS/PERM'),
  inUse: () => err('Mailbox is in use by another POP3 session; try again later', 'IN-USE'),
  mailboxUnavailable: () => err('Mailbox cannot be opened right now', 'SYS/TEMP'),
  loggedIn: (count: number) => ok(`Logged in, ${count} message${count === 1 ? '' : 's'}`),
  authMechanisms: () => ok('Supported SASL mechanisms follow'),
  unsupportedMechanism: (name: string) => err(`Unsupported SASL mechanism ${printable(name)}; use PLAIN`),
  authContinue: () => '+ ',
  authCancelled: () => err('Authentication cancelled'),
  authBadResponse: () => err('Bad SASL response (expected base64 of authzid NUL authcid NUL password)', 'AUTH'),
  authzidMismatch: () => err('Logging in as another user (authorization identity) is not supported', 'AUTH'),
  stlsReady: () => ok('Begin TLS negotiation'),
  stlsAlreadySecure: () => err('Already using TLS'),
  stlsUnavailable: () => err('STLS is not offered on this port'),

  // transaction (RFC 1939 §5)
  capabilities: () => ok('Capability list follows'),
  stat: (count: number, octets: number) => `+OK ${count} ${octets}`,
  listing: (count: number, octets: number) => ok(`${count} messages (${octets} octets)`),
  listOne: (n: number, octets: number) => `+OK ${n} ${octets}`,
  uidlListing: () => ok('Unique-ID listing follows'),
  uidlOne: (n: number, id: string) => `+OK ${n} ${id}`,
  message: (octets: number | null) => ok(octets === null ? 'Message follows' : `${octets} octets`),
  top: () => ok('Top of message follows'),
  noSuchMessage: (n: string) => err(`No such message ${printable(n)}`),
  alreadyDeleted: (n: number) => err(`Message ${n} already deleted`),
  goneMeanwhile: (n: number) => err(`Message ${n} was deleted by another session`),
  deleted: (n: number) => ok(`Message ${n} deleted`),
  noop: () => '+OK',
  reset: (count: number, octets: number) => ok(`Maildrop has ${count} messages (${octets} octets)`),
};

/** Echoes client text back safely: printable ASCII only, bounded. */
function printable(text: string): string {
  const clean = text.replace(/[^\x21-\x7e]/g, '?');
  return clean.length > 40 ? `${clean.slice(0, 40)}...` : clean;
}

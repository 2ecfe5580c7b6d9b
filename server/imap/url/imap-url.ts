// IMAP URLs naming a message or a part of one (RFC 5092), as CATENATE (RFC 4469), URLAUTH
// (RFC 4467) and BURL (RFC 4468) use them:
//   imap://user@host/Mailbox;UIDVALIDITY=n/;UID=n/;SECTION=1.2/;PARTIAL=0.100;EXPIRE=…;URLAUTH=access:mech:token
// or the same from "/Mailbox…" on, relative to the server and the user of the session.
import { normalizeMailboxName } from '../mailbox-names.js';

export interface ImapUrl {
  /** The URL's user and host (absolute URLs only), percent-decoded. */
  user: string | null;
  host: string | null;
  mailbox: string;
  uidvalidity: number | null;
  uid: number;
  /** The section as IMAP writes it (HEADER, 1.2.MIME, …), upper-cased; null: the whole message. */
  section: string | null;
  partial: { offset: number; length: number | null } | null;
  /** ;EXPIRE= (RFC 4467 §3): when the URL stops being valid (ms), null: never. */
  expire: number | null;
  /** ;URLAUTH=access (RFC 4467 §3): "anonymous", "authuser", "user+name" or "submit+name". */
  access: string | null;
  /** The mechanism and token after the access identifier, when the URL carries them. */
  mechanism: string | null;
  token: string | null;
  /** The URL up to and including ";URLAUTH=access": what the token is computed over (RFC 4467 §7). */
  rump: string | null;
}

const NUMBER = /^[1-9]\d{0,9}$/;

function decode(text: string): string | null {
  try {
    return decodeURIComponent(text);
  } catch {
    return null;
  }
}

/** Parses an absolute or server-relative IMAP URL naming one message; null when it is not one. */
export function parseImapUrl(url: string): ImapUrl | null {
  let user: string | null = null;
  let host: string | null = null;
  let path = url;
  const absolute = /^imap:\/\/(?:([^@/;]*)(?:;[^@/]*)?@)?([^/]+)(\/.*)$/i.exec(url);
  if (absolute) {
    user = absolute[1] === undefined ? null : decode(absolute[1]);
    host = absolute[2]!.toLowerCase();
    path = absolute[3]!;
    if (absolute[1] !== undefined && user === null) return null;
  } else if (!path.startsWith('/')) return null;
  // the mailbox (it may hold "/", the hierarchy delimiter) ends where ";UID=" starts a segment
  const uidAt = path.search(/\/;uid=/i);
  if (uidAt < 0) return null;
  const [encodedMailbox, ...mailboxParams] = path.slice(1, uidAt).split(';');
  const mailboxName = decode(encodedMailbox ?? '');
  if (!mailboxName) return null;
  let uidvalidity: number | null = null;
  for (const param of mailboxParams) {
    const match = /^uidvalidity=(\d+)$/i.exec(param);
    if (!match || !NUMBER.test(match[1]!)) return null;
    uidvalidity = Number(match[1]);
  }
  const result: ImapUrl = {
    user,
    host,
    mailbox: normalizeMailboxName(mailboxName),
    uidvalidity,
    uid: 0,
    section: null,
    partial: null,
    expire: null,
    access: null,
    mechanism: null,
    token: null,
    rump: null,
  };
  // "/;UID=n", "/;SECTION=s", "/;PARTIAL=o.l", each possibly followed by ";EXPIRE=" and ";URLAUTH="
  const rest = path.slice(uidAt);
  let position = 0;
  for (const segment of rest.split('/').slice(1)) {
    const [item, ...params] = segment.split(';').slice(1);
    const [name, value = ''] = splitOnce(item ?? '', '=');
    switch (name.toLowerCase()) {
      case 'uid':
        if (position !== 0 || !NUMBER.test(value)) return null;
        result.uid = Number(value);
        position = 1;
        break;
      case 'section': {
        const section = decode(value);
        if (position !== 1 || !section) return null;
        result.section = section.toUpperCase();
        position = 2;
        break;
      }
      case 'partial': {
        const match = /^(\d{1,10})(?:\.([1-9]\d{0,9}))?$/.exec(value);
        if (position < 1 || position > 2 || !match) return null;
        result.partial = { offset: Number(match[1]), length: match[2] ? Number(match[2]) : null };
        position = 3;
        break;
      }
      default:
        return null;
    }
    for (const param of params) if (!authParam(result, param)) return null;
  }
  if (!result.uid) return null;
  if (result.access) result.rump = url.slice(0, url.search(/;urlauth=/i) + ';urlauth='.length + result.access.length);
  return result;
}

function splitOnce(text: string, separator: string): [string, string | undefined] {
  const at = text.indexOf(separator);
  return at < 0 ? [text, undefined] : [text.slice(0, at), text.slice(at + 1)];
}

/** ";EXPIRE=date-time" or ";URLAUTH=access[:mechanism:token]" after the last segment (RFC 4467 §3). */
function authParam(url: ImapUrl, param: string): boolean {
  const [name, value = ''] = splitOnce(param, '=');
  if (name.toLowerCase() === 'expire' && !url.access) {
    const time = Date.parse(decode(value) ?? '');
    if (Number.isNaN(time)) return false;
    url.expire = time;
    return true;
  }
  if (name.toLowerCase() !== 'urlauth' || url.access) return false;
  const [access, mechanism, token, ...extra] = value.split(':');
  if (!access || !/^(anonymous|authuser|(user|submit)\+.+)$/i.test(access) || extra.length) return false;
  if ((mechanism === undefined) !== (token === undefined)) return false;
  url.access = access;
  url.mechanism = mechanism ?? null;
  url.token = token ?? null;
  return true;
}

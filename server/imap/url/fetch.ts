// What an IMAP URL names: the user, mailbox and message it points at (RFC 5092), and the bytes of
// the section and partial range it asks for — for CATENATE, URLFETCH and BURL.
import type { User } from '../../accounts/accounts.js';
import type { EngineContext } from '../../context.js';
import { isGone } from '../../store/message-files.js';
import type { MailboxRow, MessageRow } from '../../store/mailstore.js';
import { parseSection, type Section } from '../fetch/items.js';
import { partAt, sectionBytes } from '../fetch/sections.js';
import type { MimePart } from '../mime/structure.js';
import type { ImapUrl } from './imap-url.js';

export interface UrlTarget {
  owner: User;
  mailbox: MailboxRow;
  row: MessageRow;
}

/**
 * The owner an absolute URL names: "user@host" read as the address user@host where the user part
 * has no "@" of its own (as clients write a full address: imap://ann@example.lan/), else as it is.
 */
export function urlOwner(context: EngineContext, url: ImapUrl): User | undefined {
  if (!url.user) return undefined;
  const accounts = context.accounts;
  return accounts.findUser(url.user.includes('@') ? url.user : `${url.user}@${url.host}`) ?? accounts.findUser(url.user);
}

/** The message a URL names in the owner's mailboxes; null when there is no such message (or UIDVALIDITY differs). */
export function locate(context: EngineContext, owner: User, url: ImapUrl): UrlTarget | null {
  const store = context.mailStore;
  const mailbox = store.getMailbox(owner.id, url.mailbox);
  if (!mailbox || (url.uidvalidity !== null && url.uidvalidity !== mailbox.uidvalidity)) return null;
  const row = store.messageBatch(mailbox.id, url.uid, url.uid)[0];
  return row ? { owner, mailbox, row } : null;
}

export interface UrlData {
  /** The section's bytes, partial range applied. */
  data: Buffer;
  /** The MIME part the section names (null: the whole message, a header or a text). */
  part: MimePart | null;
  content: Buffer;
}

/** The bytes of the URL's section; null when the section is not valid or the message went away meanwhile. */
export async function urlData(context: EngineContext, target: UrlTarget, url: ImapUrl): Promise<UrlData | null> {
  let section: Section;
  try {
    section = parseSection(url.section ?? '');
  } catch {
    return null;
  }
  const files = context.mailStore.files(target.owner, target.mailbox);
  let content: Buffer;
  let structure: MimePart | null = null;
  try {
    content = await files.read(target.row);
    if (section.path.length) structure = (await context.mimeCache.structure(target.row.guid, async () => content)).structure;
  } catch (error) {
    if (isGone(error)) return null;
    throw error;
  }
  const part = section.path.length && structure ? partAt(structure, section.path) : null;
  if (section.path.length && !part) return null;
  let data = sectionBytes(content, structure, section);
  if (url.partial) {
    const { offset, length } = url.partial;
    data = data.subarray(Math.min(offset, data.length), length === null ? data.length : Math.min(data.length, offset + length));
  }
  return { data, part: section.specifier === '' ? part : null, content };
}

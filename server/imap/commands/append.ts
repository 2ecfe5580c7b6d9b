// APPEND (RFC 3501 §6.3.11): store messages with optional flags and internal date; the answer
// carries APPENDUID (RFC 4315). Several messages in one APPEND are stored all or none (RFC 3502
// MULTIAPPEND); a message may be put together from text and IMAP URLs of stored messages (RFC 4469
// CATENATE), and come as a literal8 (RFC 3516 BINARY: its binary parts are stored as base64).
// Size is limited before a literal is read (APPENDLIMIT, RFC 7889); the user's quota and the
// disk's free space are checked (RFC 9208 OVERQUOTA code). After ENABLE UTF8=ACCEPT a message may
// come as UTF8 (~{n}…), its header in UTF-8 (RFC 6855 §4).
import type { User } from '../../accounts/accounts.js';
import type { EngineContext } from '../../context.js';
import type { MessageRow } from '../../store/mailstore.js';
import { binaryPartsToBase64 } from '../mime/transfer-encoding.js';
import type { Args } from '../parser/args.js';
import { formatSequenceSet } from '../parser/sequence.js';
import { ImapSyntaxError, type Token } from '../parser/tokens.js';
import { bad, no, strText } from '../replies.js';
import { urlData, locate, urlOwner } from '../url/fetch.js';
import { parseImapUrl } from '../url/imap-url.js';
import { authorizeUrl } from '../url/urlauth.js';
import { parseFlagTokens } from './flags.js';
import { requireMailbox } from './lookup.js';
import { overQuota } from './quota.js';
import { AUTHENTICATED, command } from './types.js';

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
/** Messages one APPEND may carry (MULTIAPPEND), and pieces one CATENATE may join. */
const MAX_MESSAGES = 1000;
const MAX_PIECES = 100;

/** date-time: "dd-Mon-yyyy hh:mm:ss +zzzz" (RFC 3501 §9). */
export function parseDateTime(text: string): Date {
  const match = /^\s?(\d{1,2})-([A-Za-z]{3})-(\d{4}) (\d{2}):(\d{2}):(\d{2}) ([+-])(\d{2})(\d{2})$/.exec(text);
  const month = match ? MONTHS.indexOf(match[2]!.toLowerCase()) : -1;
  if (!match || month < 0) throw new ImapSyntaxError(`invalid date-time ${JSON.stringify(text)}`);
  const [, day, , year, hh, mm, ss, sign, zh, zm] = match;
  const offset = (Number(zh) * 60 + Number(zm)) * (sign === '-' ? -1 : 1);
  const utc = Date.UTC(Number(year), month, Number(day), Number(hh), Number(mm), Number(ss)) - offset * 60_000;
  if (Number.isNaN(utc)) throw new ImapSyntaxError('invalid date-time');
  return new Date(utc);
}

/** A piece of a CATENATE: text sent with the command, or a URL of a stored message's section. */
type Piece = { text: Buffer; binary: boolean } | { url: string };

interface NewMessage {
  flags: string[];
  date: Date | undefined;
  /** The message as one literal, or as CATENATE pieces. */
  pieces: Piece[];
  /** Sent as UTF8 (~{n}…) (RFC 6855 §4). */
  utf8?: boolean;
}

function literalPiece(token: Token | undefined, what: string): Piece {
  if (token?.type !== 'string' || !token.literal) throw new ImapSyntaxError(`${what} must be a literal`);
  return { text: token.bytes, binary: !!token.binary };
}

/** CATENATE (TEXT literal / URL "url" …) (RFC 4469 §5). */
function catenatePieces(tokens: Token[]): Piece[] {
  const pieces: Piece[] = [];
  for (let i = 0; i < tokens.length; i += 2) {
    const kind = tokens[i];
    const value = tokens[i + 1];
    if (kind?.type !== 'atom') throw new ImapSyntaxError('CATENATE takes TEXT and URL parts');
    if (kind.value.toUpperCase() === 'TEXT') pieces.push(literalPiece(value, 'TEXT'));
    else if (kind.value.toUpperCase() === 'URL' && value && value.type !== 'list') pieces.push({ url: value.value });
    else throw new ImapSyntaxError('CATENATE takes TEXT literal and URL "url" parts');
  }
  if (!pieces.length || pieces.length > MAX_PIECES) throw new ImapSyntaxError(`CATENATE takes 1 to ${MAX_PIECES} parts`);
  return pieces;
}

function parseMessage(args: Args): NewMessage {
  const flags = parseFlagTokens(args.optionalList() ?? []);
  let date: Date | undefined;
  const next = args.peek();
  if (next?.type === 'string' && !next.literal) {
    args.next('date-time');
    date = parseDateTime(next.value);
  }
  const token = args.next('message literal');
  if (token.type === 'atom' && token.value.toUpperCase() === 'CATENATE') return { flags, date, pieces: catenatePieces(args.list('CATENATE parts')) };
  if (token.type === 'atom' && token.value.toUpperCase() === 'UTF8') {
    // RFC 6855 §4: UTF8 (~{n} …), a message whose header may carry UTF-8 (not a BINARY literal8)
    const [inner] = args.list('UTF8 message');
    if (inner?.type !== 'string' || !inner.literal || !inner.binary) throw new ImapSyntaxError('UTF8 takes (~{n} message)');
    return { flags, date, pieces: [{ text: inner.bytes, binary: false }], utf8: true };
  }
  return { flags, date, pieces: [literalPiece(token, 'the message')] };
}

/** The message's bytes: its pieces joined, URLs resolved; NO [BADURL] for a URL that names nothing this user may read. */
async function assemble(context: EngineContext, user: User, message: NewMessage): Promise<Buffer> {
  const parts: Buffer[] = [];
  let binary = false;
  for (const piece of message.pieces) {
    if ('text' in piece) {
      parts.push(piece.text);
      binary ||= piece.binary;
      continue;
    }
    const data = await urlPiece(context, user, piece.url);
    if (!data) throw no(`The URL ${piece.url} names nothing that can be read`, `BADURL ${strText(piece.url)}`);
    parts.push(data);
  }
  const content = parts.length === 1 ? Buffer.from(parts[0]!) : Buffer.concat(parts);
  return binary ? binaryPartsToBase64(content) : content;
}

/** A URL of the user's own (relative, or absolute naming them) or one its URLAUTH lets them read (RFC 4469 §3). */
async function urlPiece(context: EngineContext, user: User, text: string): Promise<Buffer | null> {
  const url = parseImapUrl(text);
  if (!url) return null;
  if (url.access) {
    const authorized = authorizeUrl(context, { user, submission: false }, text);
    return authorized ? (await urlData(context, authorized.target, authorized.url))?.data ?? null : null;
  }
  if (url.user !== null && urlOwner(context, url)?.id !== user.id) return null;
  const target = locate(context, user, url);
  return target ? (await urlData(context, target, url))?.data ?? null : null;
}

export const append = command({
  states: AUTHENTICATED,
  parse(args) {
    const mailbox = args.astring('mailbox name');
    const messages: NewMessage[] = [];
    do messages.push(parseMessage(args));
    while (args.remaining && messages.length < MAX_MESSAGES);
    args.end();
    return { mailbox, messages };
  },
  async handle({ session, context, args }) {
    if (args.messages.some((message) => message.utf8) && !session.utf8) throw bad('APPEND UTF8 needs ENABLE UTF8=ACCEPT first');
    const mailbox = requireMailbox(session, args.mailbox, 'TRYCREATE');
    const user = session.user;
    const contents: Buffer[] = [];
    for (const message of args.messages) contents.push(await assemble(context, user, message));
    const total = contents.reduce((sum, content) => sum + content.length, 0);
    if (contents.some((content) => !content.length)) throw no('An empty message cannot be stored');
    const limit = context.settings().limits.messageSizeBytes;
    if (contents.some((content) => content.length > limit)) throw no(`A message is larger than the limit of ${limit} bytes`, 'TOOBIG');
    if (overQuota(session, total)) throw no('Mailbox is full (quota exceeded)', 'OVERQUOTA');
    // Below the free-space floor new mail waits, as SMTP's 452 4.3.1 does (limits.minFreeDiskBytes).
    if (context.disk.refuses(total)) throw no('Not enough disk space', 'OVERQUOTA');
    // one after another, so that UIDs follow the order of the messages
    const rows: MessageRow[] = [];
    try {
      for (const [i, content] of contents.entries()) {
        rows.push(await context.mailStore.appendMessage(user, mailbox, content, { flags: args.messages[i]!.flags, internalDate: args.messages[i]!.date }));
      }
    } catch (error) {
      // RFC 3502 §6.3.11: all or none — the ones already stored go again
      if (rows.length) context.mailStore.expunge(user, mailbox, rows);
      throw error;
    }
    const uids = rows.map((row) => row.uid);
    return { code: `APPENDUID ${mailbox.uidvalidity} ${formatSequenceSet(uids)}`, text: 'APPEND completed' };
  },
});

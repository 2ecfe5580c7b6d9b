// APPEND (RFC 3501 §6.3.11): store a message with optional flags and internal date; the
// answer carries APPENDUID (RFC 4315). Size is limited before the literal is read (APPENDLIMIT,
// RFC 7889); the user's quota and the disk's free space are checked (RFC 9208 OVERQUOTA code).
// After ENABLE UTF8=ACCEPT the message may come as UTF8 (~{n}…), its header in UTF-8 (RFC 6855 §4).
import { ImapSyntaxError } from '../parser/tokens.js';
import { bad, no } from '../replies.js';
import { parseFlagTokens } from './flags.js';
import { requireMailbox } from './lookup.js';
import { overQuota } from './quota.js';
import { AUTHENTICATED, command } from './types.js';

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

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

export const append = command({
  states: AUTHENTICATED,
  parse(args) {
    const mailbox = args.astring('mailbox name');
    const flags = parseFlagTokens(args.optionalList() ?? []);
    let date: Date | undefined;
    const next = args.peek();
    if (next?.type === 'string' && !next.literal) {
      args.next('date-time');
      date = parseDateTime(next.value);
    }
    let message = args.next('message literal');
    const utf8 = message.type === 'atom' && message.value.toUpperCase() === 'UTF8';
    // RFC 6855 §4: UTF8 (~{n} …), a message whose header may carry UTF-8
    if (utf8) [message] = args.list('UTF8 message');
    if (message?.type !== 'string' || !message.literal || !!message.binary !== utf8) throw new ImapSyntaxError(utf8 ? 'UTF8 takes (~{n} message)' : 'the message must be a literal');
    args.end();
    return { mailbox, flags, date, content: message.bytes, utf8 };
  },
  async handle({ session, context, args }) {
    if (args.utf8 && !session.utf8) throw bad('APPEND UTF8 needs ENABLE UTF8=ACCEPT first');
    const mailbox = requireMailbox(session, args.mailbox, 'TRYCREATE');
    if (!args.content.length) throw no('An empty message cannot be stored');
    const user = session.user;
    if (overQuota(session, args.content.length)) throw no('Mailbox is full (quota exceeded)', 'OVERQUOTA');
    // Below the free-space floor new mail waits, as SMTP's 452 4.3.1 does (limits.minFreeDiskBytes).
    if (context.disk.refuses(args.content.length)) throw no('Not enough disk space', 'OVERQUOTA');
    const row = await context.mailStore.appendMessage(user, mailbox, Buffer.from(args.content), {
      flags: args.flags,
      internalDate: args.date,
    });
    return { code: `APPENDUID ${mailbox.uidvalidity} ${row.uid}`, text: 'APPEND completed' };
  },
});

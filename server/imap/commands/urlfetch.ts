// URLFETCH (RFC 4467 §6.3): the data of URLAUTH URLs this user may read — `* URLFETCH url data`,
// NIL for a URL that fails any check. With RFC 5524 (URLAUTH=BINARY) a URL may ask for its
// BODYPARTSTRUCTURE and for its data in binary form (BINARY) or as stored (BODY).
import type { EngineContext } from '../../context.js';
import { formatBodyStructure } from '../fetch/structure-format.js';
import { binaryForm } from '../mime/transfer-encoding.js';
import { parseMessageStructure, type MimePart } from '../mime/structure.js';
import { asAstring } from '../parser/args.js';
import { ImapSyntaxError, type Token } from '../parser/tokens.js';
import { literal, strText, untagged, type Piece } from '../replies.js';
import { urlData } from '../url/fetch.js';
import { authorizeUrl, type Fetcher } from '../url/urlauth.js';
import { AUTHENTICATED, command } from './types.js';

interface Wanted {
  url: string;
  /** Extended form (a list): which items; null for the plain form (the data as stored). */
  items: { structure: boolean; data: 'BINARY' | 'BODY' | null } | null;
}

function parseWanted(token: Token): Wanted {
  if (token.type !== 'list') return { url: asAstring(token, 'URL'), items: null };
  const [url, ...options] = token.items;
  if (!url) throw new ImapSyntaxError('a URLFETCH list starts with the URL');
  const items: NonNullable<Wanted['items']> = { structure: false, data: null };
  for (const option of options) {
    const name = option.type === 'atom' ? option.value.toUpperCase() : '';
    if (name === 'BODYPARTSTRUCTURE') items.structure = true;
    else if ((name === 'BINARY' || name === 'BODY') && !items.data) items.data = name;
    else throw new ImapSyntaxError('URLFETCH items are BODYPARTSTRUCTURE and one of BINARY or BODY');
  }
  return { url: asAstring(url, 'URL'), items };
}

/** A literal, or a literal8 when the data holds a NUL (RFC 3516 §4.2). */
function data(bytes: Buffer, binary: boolean): Piece[] {
  return binary && bytes.includes(0) ? [`~{${bytes.length}}\r\n`, bytes] : literal(bytes);
}

/** The structure of a part in binary form: its sizes and lines are those of the decoded octets, the rest as stored. */
async function binaryStructure(content: Buffer, part: MimePart, decoded: Buffer): Promise<MimePart> {
  if (!part.parts && !part.message) return { ...part, bs: 0, be: decoded.length, lines: decoded.toString('latin1').split('\n').length - 1 };
  const reparsed = await parseMessageStructure(Buffer.concat([content.subarray(part.hs, part.bs), decoded]));
  keepEncodings(part, reparsed);
  return reparsed;
}

/** The encodings the stored parts declare, on the same parts of their binary form. */
function keepEncodings(stored: MimePart, decoded: MimePart): void {
  decoded.encoding = stored.encoding;
  stored.parts?.forEach((child, i) => decoded.parts?.[i] && keepEncodings(child, decoded.parts[i]!));
  if (stored.message && decoded.message) keepEncodings(stored.message, decoded.message);
}

async function fetchOne(context: EngineContext, fetcher: Fetcher, wanted: Wanted): Promise<Piece[]> {
  const head = `URLFETCH ${strText(wanted.url)} `;
  const authorized = authorizeUrl(context, fetcher, wanted.url);
  const found = authorized && (await urlData(context, authorized.target, authorized.url));
  if (!found) return untagged(head, 'NIL');
  if (!wanted.items) return untagged(head, ...literal(found.data));
  const binary = wanted.items.data === 'BINARY';
  const part = found.part;
  const decoded = binary ? (part ? binaryForm(found.content, part) : found.data) : found.data;
  if (!decoded) return untagged(head, 'NIL');
  const items: Piece[][] = [];
  if (wanted.items.structure) {
    // a section that is a part (or the whole message) has a structure; HEADER or TEXT has none
    const structure = part ?? (authorized.url.section === null ? await parseMessageStructure(found.content) : null);
    const shown = structure && binary && part ? await binaryStructure(found.content, part, decoded) : structure;
    items.push([`BODYPARTSTRUCTURE ${shown ? formatBodyStructure(shown, true) : 'NIL'}`]);
  }
  if (wanted.items.data) items.push([`${wanted.items.data} `, ...data(decoded, binary)]);
  return untagged(head, '(', ...items.flatMap((item, i) => (i ? [' ', ...item] : item)), ')');
}

export const urlFetch = command({
  states: AUTHENTICATED,
  parse(args) {
    const wanted: Wanted[] = [];
    do wanted.push(parseWanted(args.next('URL')));
    while (args.remaining);
    return wanted;
  },
  async handle({ session, context, wire, args }) {
    for (const wanted of args) await wire.send(await fetchOne(context, { user: session.user, submission: false }, wanted));
  },
});

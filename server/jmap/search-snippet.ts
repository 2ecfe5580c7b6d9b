// SearchSnippet/get (RFC 8621 §5): for each email, its subject and a piece of its body with the
// words of the filter's text, subject and body conditions marked (<mark>…</mark>), as HTML.
import { z } from 'zod';
import type { MethodCall } from './call.js';
import { convenienceHeaders } from './email-headers.js';
import { bodyText } from './email-query.js';
import { emailSources } from './email-source.js';
import type { JmapMethod } from './methods.js';
import { idSchema, MAIL, parseArguments } from './protocol.js';

/** Characters of body text shown around the first match. */
const SNIPPET_LENGTH = 200;

const snippetArguments = z.strictObject({
  accountId: idSchema,
  filter: z.record(z.string(), z.unknown()).nullable().optional(),
  emailIds: z.array(z.string()),
});

/** The words to mark: the values of the text, subject and body conditions, in any operator. */
function termsOf(filter: Record<string, unknown> | null | undefined, into: { subject: string[]; body: string[] }): { subject: string[]; body: string[] } {
  if (!filter) return into;
  if (Array.isArray(filter.conditions) && filter.operator !== 'NOT') for (const c of filter.conditions) termsOf(c as Record<string, unknown>, into);
  if (typeof filter.text === 'string') {
    into.subject.push(filter.text);
    into.body.push(filter.text);
  }
  if (typeof filter.subject === 'string') into.subject.push(filter.subject);
  if (typeof filter.body === 'string') into.body.push(filter.body);
  return into;
}

const escapeHtml = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** `text` as HTML with every term marked; null when none occurs. */
function marked(text: string, terms: readonly string[]): string | null {
  const words = terms.filter(Boolean);
  if (!words.length) return null;
  const pattern = new RegExp(words.map(escapeRegExp).join('|'), 'gi');
  if (!pattern.test(text)) return null;
  pattern.lastIndex = 0;
  let html = '';
  let at = 0;
  for (const match of text.matchAll(pattern)) {
    html += `${escapeHtml(text.slice(at, match.index))}<mark>${escapeHtml(match[0])}</mark>`;
    at = match.index + match[0].length;
  }
  return html + escapeHtml(text.slice(at));
}

async function snippetGet(rawArgs: unknown, call: MethodCall): Promise<Record<string, unknown>> {
  const { filter, emailIds } = parseArguments(snippetArguments, rawArgs);
  call.checkObjectCount(emailIds.length, 'email ids');
  const terms = termsOf(filter, { subject: [], body: [] });
  const list: Array<{ emailId: string; subject: string | null; preview: string | null }> = [];
  const notFound: string[] = [];
  for (const emailId of emailIds) {
    const source = emailSources(call, call.store.jmap.emailRows(call.user.id, emailId)).get(emailId);
    if (!source) {
      notFound.push(emailId);
      continue;
    }
    const subject = String(convenienceHeaders(source.headers()).subject ?? '');
    let preview: string | null = null;
    if (terms.body.length) {
      const body = (await bodyText(source)).replace(/\s+/g, ' ').trim();
      const first = terms.body.map((t) => body.toLowerCase().indexOf(t.toLowerCase())).filter((i) => i >= 0).sort((a, b) => a - b)[0];
      if (first !== undefined) {
        const start = Math.max(0, first - SNIPPET_LENGTH / 4);
        preview = marked(body.slice(start, start + SNIPPET_LENGTH), terms.body);
      }
    }
    list.push({ emailId, subject: marked(subject, terms.subject), preview });
  }
  return { accountId: call.accountId, list, notFound };
}

export const searchSnippetMethods: Record<string, JmapMethod> = {
  'SearchSnippet/get': { capability: MAIL, handle: snippetGet },
};

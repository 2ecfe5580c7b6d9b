// THREAD / UID THREAD (RFC 5256): the messages matching the search, gathered into threads by the
// REFERENCES or ORDEREDSUBJECT algorithm.
import { ImapSyntaxError, type Token } from '../parser/tokens.js';
import { no, untagged } from '../replies.js';
import { search } from '../search/evaluate.js';
import { parseSearchProgram, type SearchKey } from '../search/parse.js';
import { threadMessages } from '../thread/messages.js';
import { threadByOrderedSubject } from '../thread/ordered-subject.js';
import { threadByReferences } from '../thread/references.js';
import { formatThreads } from '../thread/tree.js';
import { command, SELECTED, type CommandSpec } from './types.js';

const ALGORITHMS = ['REFERENCES', 'ORDEREDSUBJECT'] as const;
type Algorithm = (typeof ALGORITHMS)[number];
const CHARSETS = new Set(['UTF-8', 'US-ASCII']);

interface ThreadArgs {
  algorithm: Algorithm;
  charset: string;
  key: SearchKey;
}

function threadCommand(byUid: boolean): CommandSpec<ThreadArgs> {
  return command({
    states: SELECTED,
    deferExpunges: !byUid,
    parse(args) {
      const algorithm = args.atom('thread algorithm').toUpperCase() as Algorithm;
      if (!ALGORITHMS.includes(algorithm)) throw new ImapSyntaxError(`unknown thread algorithm ${algorithm}`);
      const charset = args.astring('charset').toUpperCase();
      const tokens: Token[] = [];
      while (args.remaining) tokens.push(args.next('search key'));
      if (!tokens.length) throw new ImapSyntaxError('THREAD needs search criteria');
      return { algorithm, charset, key: parseSearchProgram(tokens).key };
    },
    async handle({ session, wire, args }) {
      if (!CHARSETS.has(args.charset)) throw no(`Charset ${args.charset} is not supported`, 'BADCHARSET (UTF-8 US-ASCII)');
      const byReferences = args.algorithm === 'REFERENCES';
      const messages = threadMessages(session, await search(session, args.key), byReferences);
      const threads = byReferences ? threadByReferences(messages) : threadByOrderedSubject(messages);
      const text = formatThreads(threads, byUid);
      await wire.send(untagged(text ? `THREAD ${text}` : 'THREAD'));
    },
  });
}

export const thread = threadCommand(false);
export const uidThread = threadCommand(true);

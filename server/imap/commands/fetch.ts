// FETCH / UID FETCH (RFC 3501 §6.4.5, §6.4.8), with CHANGEDSINCE (RFC 7162 §3.1.4) and, for UID
// FETCH once QRESYNC is enabled, VANISHED (§3.2.6: the expunged UIDs of the set first).
import { parseFetchItems, type FetchItem } from '../fetch/items.js';
import { runFetch } from '../fetch/run.js';
import type { SequenceSet } from '../parser/sequence.js';
import { ImapSyntaxError } from '../parser/tokens.js';
import { vanishedInSet } from '../qresync.js';
import { bad, no } from '../replies.js';
import { command, SELECTED, type CommandSpec } from './types.js';

interface FetchArgs {
  set: SequenceSet;
  items: FetchItem[];
  changedSince: number | null;
  vanished: boolean;
}

function fetchCommand(byUid: boolean): CommandSpec<FetchArgs> {
  return command({
    states: SELECTED,
    deferExpunges: !byUid,
    parse(args) {
      const set = args.sequenceSet();
      const items = parseFetchItems(args.next('fetch items'));
      let changedSince: number | null = null;
      let vanished = false;
      const modifiers = args.optionalList() ?? [];
      for (let i = 0; i < modifiers.length; i++) {
        const modifier = modifiers[i]!;
        const name = modifier.type === 'atom' ? modifier.value.toUpperCase() : '';
        if (name === 'VANISHED') vanished = true;
        else if (name === 'CHANGEDSINCE') {
          const value = modifiers[++i];
          if (value?.type !== 'atom' || !/^\d{1,19}$/.test(value.value)) throw new ImapSyntaxError('expected CHANGEDSINCE n');
          changedSince = Number(value.value);
        } else throw new ImapSyntaxError('expected (CHANGEDSINCE n [VANISHED])');
      }
      // §3.2.6: VANISHED only with CHANGEDSINCE, only in UID FETCH
      if (vanished && (changedSince === null || !byUid)) throw new ImapSyntaxError('VANISHED needs UID FETCH and CHANGEDSINCE');
      args.end();
      return { set, items, changedSince, vanished };
    },
    async handle({ session, wire, args, context }) {
      if (args.vanished && !session.qresync) throw bad('VANISHED needs QRESYNC enabled first (ENABLE QRESYNC)');
      if (args.changedSince !== null || args.items.some((i) => i.kind === 'MODSEQ')) session.enabled.add('CONDSTORE');
      const view = session.selected;
      if (args.vanished) for (const response of vanishedInSet(context.mailStore, view, args.set, args.changedSince!)) await wire.send(response);
      const { gone } = await runFetch(session, wire, view.resolve(args.set, byUid), args.items, { byUid, changedSince: args.changedSince });
      // the wording Dovecot uses, which test tools such as imaptest recognise as "expunged meanwhile"
      if (gone) throw no('Some of the requested messages no longer exist', 'EXPUNGEISSUED');
    },
  });
}

export const fetch = fetchCommand(false);
export const uidFetch = fetchCommand(true);

// STORE / UID STORE (RFC 3501 §6.4.6): set, add or remove flags; the new flags come back as
// FETCH responses unless .SILENT. UNCHANGEDSINCE (RFC 7162 §3.1.3) skips messages changed
// since, reported in [MODIFIED ...].
import { Flags, type FlagUpdate } from '../../store/mailstore.js';
import { formatSequenceSet, type SequenceSet } from '../parser/sequence.js';
import { ImapSyntaxError } from '../parser/tokens.js';
import { no, plist, untagged } from '../replies.js';
import { parseFlagTokens } from './flags.js';
import { command, SELECTED, type CommandSpec } from './types.js';

interface StoreArgs {
  set: SequenceSet;
  unchangedSince: number | null;
  mode: 'set' | 'add' | 'remove';
  silent: boolean;
  flags: string[];
}

function storeCommand(byUid: boolean): CommandSpec<StoreArgs> {
  return command({
    states: SELECTED,
    deferExpunges: !byUid,
    parse(args) {
      const set = args.sequenceSet();
      let unchangedSince: number | null = null;
      const modifiers = args.optionalList();
      if (modifiers) {
        if (modifiers.length !== 2 || modifiers[0]?.type !== 'atom' || modifiers[0].value.toUpperCase() !== 'UNCHANGEDSINCE' || modifiers[1]?.type !== 'atom' || !/^\d+$/.test(modifiers[1].value)) {
          throw new ImapSyntaxError('expected (UNCHANGEDSINCE n)');
        }
        unchangedSince = Number(modifiers[1].value);
      }
      const item = args.atom('store item').toUpperCase();
      const match = /^([+-]?)FLAGS(\.SILENT)?$/.exec(item);
      if (!match) throw new ImapSyntaxError(`unknown store item ${item}`);
      const listed = args.optionalList();
      const tokens = listed ?? [];
      if (!listed) while (args.remaining) tokens.push(args.next('flag'));
      args.end();
      return {
        set,
        unchangedSince,
        mode: match[1] === '+' ? 'add' : match[1] === '-' ? 'remove' : 'set',
        silent: !!match[2],
        flags: parseFlagTokens(tokens),
      };
    },
    async handle({ session, context, wire, args }) {
      const view = session.selected;
      if (view.readOnly) throw no('Mailbox is read-only', 'READ-ONLY');
      if (args.unchangedSince !== null) session.enabled.add('CONDSTORE');
      const targets = view.resolve(args.set, byUid);
      const rows = view.rowsForUids(targets.map((t) => t.uid));
      const modified: number[] = [];
      const updates: FlagUpdate[] = [];
      for (const row of rows) {
        if (args.unchangedSince !== null && row.modseq > args.unchangedSince) {
          modified.push(byUid ? row.uid : view.seqOf(row.uid));
          continue;
        }
        const flags = args.mode === 'set' ? Flags.from(args.flags) : args.mode === 'add' ? Flags.of(row).with(args.flags) : Flags.of(row).without(args.flags);
        updates.push({ message: row, flags });
      }
      const changed = new Map(context.mailStore.setFlags(session.user, view.mailbox, updates).map((r) => [r.uid, r]));
      for (const row of changed.values()) view.noteReported(row.uid, row.modseq);
      if (view.noteKeywords(args.flags)) {
        const flags = view.flagList();
        await wire.send(untagged('FLAGS ', ...plist(flags.map((f) => [f]))));
        await wire.send(untagged('OK [PERMANENTFLAGS ', ...plist([...flags, '\\*'].map((f) => [f])), '] Flags permitted'));
      }
      const condstore = session.condstore;
      for (const { message } of updates) {
        const row = changed.get(message.uid) ?? message;
        // RFC 7162 §3.1.3: with CONDSTORE a changed message is reported even under .SILENT
        if (args.silent && !(condstore && changed.has(message.uid))) continue;
        const seq = view.seqOf(row.uid);
        if (!seq) continue;
        const parts = args.silent ? [] : [view.flagsItem(row)];
        const extra = `${byUid || condstore ? ` UID ${row.uid}` : ''}${condstore ? ` MODSEQ (${row.modseq})` : ''}`;
        await wire.send(untagged(`${seq} FETCH (`, ...parts.flat(), args.silent ? extra.trimStart() : extra, ')'));
      }
      if (modified.length) {
        modified.sort((a, b) => a - b);
        return { code: `MODIFIED ${formatSequenceSet(modified)}`, text: 'Conditional STORE failed for some messages' };
      }
    },
  });
}

export const store = storeCommand(false);
export const uidStore = storeCommand(true);

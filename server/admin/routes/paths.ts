// Message paths (classroom): the recent messages, one message's path, a user's mailbox to pick from.
import { summaryOfHeader } from '../../inspector/message-summary.js';
import { readHeaderBlock } from '../../imap/mime/header-block.js';
import { isGone } from '../../store/message-files.js';
import { ApiError, type Handlers } from '../router.js';

/** Messages of a mailbox listed to pick from. */
const LISTED = 100;

export const pathRoutes = {
  'GET /api/paths': ({ state }) => ({
    paths: state.context.paths.list().map(({ steps, ...path }) => ({ ...path, steps: steps.map((s) => s.kind) })),
    kept: state.context.settings().limits.messagePathsKept,
  }),
  'GET /api/paths/:id': ({ state, params }) => {
    const found = state.context.paths.get(params.id);
    if (!found) throw new ApiError(404, `no path for ${params.id}: LanPost keeps the last ${state.context.settings().limits.messagePathsKept} messages since it started`);
    return found;
  },
  'GET /api/users/:address/messages': ({ state, params, query }) => {
    const { accounts, mailStore, paths } = state.context;
    const user = accounts.findUser(params.address);
    if (!user) throw new ApiError(404, `no such user: ${params.address}`);
    const mailboxes = mailStore.listMailboxes(user.id);
    const mailbox = mailboxes.find((m) => m.name === query.mailbox);
    if (!mailbox) throw new ApiError(404, `${user.address} has no mailbox ${query.mailbox}`);
    const files = mailStore.files(user, mailbox);
    const rows = mailStore.listMessages(mailbox.id).slice(-LISTED).reverse();
    const messages = rows.flatMap((row) => {
      let header: string;
      try {
        header = files.follow(row, readHeaderBlock);
      } catch (error) {
        if (isGone(error)) return []; // expunged meanwhile
        throw error;
      }
      const { from, subject } = summaryOfHeader(header);
      return [{ uid: row.uid, time: row.internal_date, size: row.size, from, subject, path: paths.find(mailbox.id, row.uid)?.id ?? null }];
    });
    return { address: user.address, mailbox: mailbox.name, mailboxes: mailboxes.map((m) => m.name), messages };
  },
} satisfies Partial<Handlers>;

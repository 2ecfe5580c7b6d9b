// The command table: name → { states, parse, handle } (RFC 3501 §6 and the extensions).
import { append } from './append.js';
import { authenticate } from './authenticate.js';
import { capability } from './capability.js';
import { close, unselect } from './close.js';
import { copy, move, uidCopy, uidMove } from './copy.js';
import { create } from './create.js';
import { deleteMailbox } from './delete.js';
import { enable } from './enable.js';
import { expunge, uidExpunge } from './expunge.js';
import { fetch, uidFetch } from './fetch.js';
import { id } from './id.js';
import { idle } from './idle.js';
import { list, lsub } from './list.js';
import { login } from './login.js';
import { logout } from './logout.js';
import { namespace } from './namespace.js';
import { check, noop } from './noop.js';
import { getquota, getquotaroot, setquota } from './quota.js';
import { rename } from './rename.js';
import { searchCmd, sort, uidSearch, uidSort } from './search.js';
import { examine, select } from './select.js';
import { starttls } from './starttls.js';
import { status } from './status.js';
import { store, uidStore } from './store.js';
import { subscribe, unsubscribe } from './subscribe.js';
import type { CommandSpec } from './types.js';

export const COMMANDS: Record<string, CommandSpec<unknown>> = {
  // any state (§6.1)
  CAPABILITY: capability,
  NOOP: noop,
  LOGOUT: logout,
  ID: id,
  // not authenticated (§6.2)
  STARTTLS: starttls,
  AUTHENTICATE: authenticate,
  LOGIN: login,
  // authenticated (§6.3)
  ENABLE: enable,
  SELECT: select,
  EXAMINE: examine,
  CREATE: create,
  DELETE: deleteMailbox,
  RENAME: rename,
  SUBSCRIBE: subscribe,
  UNSUBSCRIBE: unsubscribe,
  LIST: list,
  LSUB: lsub,
  NAMESPACE: namespace,
  STATUS: status,
  APPEND: append,
  IDLE: idle,
  GETQUOTA: getquota,
  GETQUOTAROOT: getquotaroot,
  SETQUOTA: setquota,
  // selected (§6.4)
  CHECK: check,
  CLOSE: close,
  UNSELECT: unselect,
  EXPUNGE: expunge,
  SEARCH: searchCmd,
  SORT: sort,
  FETCH: fetch,
  STORE: store,
  COPY: copy,
  MOVE: move,
  'UID EXPUNGE': uidExpunge,
  'UID SEARCH': uidSearch,
  'UID SORT': uidSort,
  'UID FETCH': uidFetch,
  'UID STORE': uidStore,
  'UID COPY': uidCopy,
  'UID MOVE': uidMove,
};

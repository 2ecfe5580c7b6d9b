// The POP3 command table: keyword → the states it is allowed in and its handler (one module
// each). The session looks a command up here; anything not listed is an unknown command.
import type { Pop3Session, State } from '../session.js';
import type { Command } from '../wire.js';
import { auth, authTranscript } from './auth.js';
import { capa } from './capa.js';
import { dele } from './dele.js';
import { list } from './list.js';
import { noop } from './noop.js';
import { pass, passTranscript } from './pass.js';
import { quit } from './quit.js';
import { retr } from './retr.js';
import { rset } from './rset.js';
import { stat } from './stat.js';
import { stls } from './stls.js';
import { top } from './top.js';
import { uidl } from './uidl.js';
import { user } from './user.js';

export interface CommandEntry {
  states: readonly State[];
  handler: (session: Pop3Session, command: Command) => void | Promise<void>;
  /** What the transcript shows of the command line, when it carries a secret. */
  transcript?: (command: Command) => string;
}

const AUTHORIZATION: readonly State[] = ['AUTHORIZATION'];
const TRANSACTION: readonly State[] = ['TRANSACTION'];
const ANY: readonly State[] = ['AUTHORIZATION', 'TRANSACTION'];

export const COMMANDS: ReadonlyMap<string, CommandEntry> = new Map<string, CommandEntry>([
  // RFC 2449 §5: CAPA is allowed in both states.
  ['CAPA', { states: ANY, handler: capa }],
  ['QUIT', { states: ANY, handler: quit }],
  // AUTHORIZATION (RFC 1939 §7 USER/PASS, RFC 5034 AUTH, RFC 2595 §4 STLS)
  ['USER', { states: AUTHORIZATION, handler: user }],
  ['PASS', { states: AUTHORIZATION, handler: pass, transcript: passTranscript }],
  ['AUTH', { states: AUTHORIZATION, handler: auth, transcript: authTranscript }],
  ['STLS', { states: AUTHORIZATION, handler: stls }],
  // TRANSACTION (RFC 1939 §5, §7)
  ['STAT', { states: TRANSACTION, handler: stat }],
  ['LIST', { states: TRANSACTION, handler: list }],
  ['UIDL', { states: TRANSACTION, handler: uidl }],
  ['RETR', { states: TRANSACTION, handler: retr }],
  ['TOP', { states: TRANSACTION, handler: top }],
  ['DELE', { states: TRANSACTION, handler: dele }],
  ['NOOP', { states: TRANSACTION, handler: noop }],
  ['RSET', { states: TRANSACTION, handler: rset }],
]);

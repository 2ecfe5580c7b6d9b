// NOOP (RFC 3501 §6.1.2) and CHECK (§6.4.1): nothing to do but report mailbox updates, which
// every command does before its tagged OK. Writes are durable already, so CHECK has no work.
import { ANY, command, noArgs, SELECTED } from './types.js';

export const noop = command({
  states: ANY,
  parse: noArgs,
  handle: () => {},
});

export const check = command({
  states: SELECTED,
  parse: noArgs,
  handle: () => {},
});

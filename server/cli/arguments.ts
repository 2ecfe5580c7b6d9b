// Reading a subcommand's arguments and options: a wrong one is a usage error or a named field.
import { AccountError } from '../accounts/accounts.js';
import { UsageError } from './usage-error.js';

/** The one argument a subcommand takes; `message` says what it takes otherwise. */
export function one(args: string[], message: string): string {
  if (args.length !== 1) throw new UsageError(message);
  return args[0]!;
}

/** --quota BYTES: a whole number of bytes, or undefined when not given. */
export function quotaOption(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const bytes = Number(text);
  if (!Number.isInteger(bytes) || bytes < 0) throw new AccountError('--quota must be a whole number of bytes', 'quotaBytes');
  return bytes;
}

// Email/copy and Blob/copy (RFC 8620 §5.4, §6.3) copy from another account, and each user here
// has one: there is no other account to copy from.
import { z } from 'zod';
import type { MethodCall } from './call.js';
import type { JmapMethod } from './methods.js';
import { CORE, idSchema, MAIL, MethodError, parseArguments } from './protocol.js';

const copyArguments = z.object({ fromAccountId: idSchema, accountId: idSchema }).passthrough();

function copyFromOtherAccount(rawArgs: unknown, call: MethodCall): never {
  const { fromAccountId } = parseArguments(copyArguments, rawArgs);
  if (fromAccountId === call.accountId) throw new MethodError('invalidArguments', 'fromAccountId and accountId are the same account; within one account, add a mailbox to mailboxIds with Email/set');
  throw new MethodError('fromAccountNotFound', `no account ${fromAccountId} here; yours is ${call.accountId}`);
}

export const copyMethods: Record<string, JmapMethod> = {
  'Email/copy': { capability: MAIL, handle: copyFromOtherAccount },
  'Blob/copy': { capability: CORE, handle: copyFromOtherAccount },
};

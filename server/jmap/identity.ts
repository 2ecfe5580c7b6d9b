// Identity/get (RFC 8621 §6): one identity per address the user may send as — their own and the
// aliases that reach them, the same list SMTP submission checks MAIL FROM against.
import crypto from 'node:crypto';
import type { MethodCall } from './call.js';
import type { JmapMethod } from './methods.js';
import { parseArguments, SUBMISSION } from './protocol.js';
import { getArguments, getList } from './standard-methods.js';

const PROPERTIES = ['id', 'name', 'email', 'replyTo', 'bcc', 'textSignature', 'htmlSignature', 'mayDelete'];

export interface Identity {
  id: string;
  name: string;
  email: string;
  replyTo: null;
  bcc: null;
  textSignature: string;
  htmlSignature: string;
  mayDelete: false;
}

export function identityId(address: string): string {
  return 'I' + crypto.createHash('sha256').update(address.toLowerCase()).digest('base64url').slice(0, 20);
}

export function identitiesOf(call: MethodCall): Identity[] {
  const addresses = [...call.context.accounts.sendableAddresses(call.user)];
  return addresses.map((email) => ({ id: identityId(email), name: call.user.display_name, email, replyTo: null, bcc: null, textSignature: '', htmlSignature: '', mayDelete: false }));
}

/** The state changes when the addresses or the display name change. */
function identityState(identities: readonly Identity[]): string {
  return crypto.createHash('sha256').update(JSON.stringify(identities)).digest('base64url').slice(0, 16);
}

function identityGet(rawArgs: unknown, call: MethodCall): Record<string, unknown> {
  const { ids, properties } = parseArguments(getArguments, rawArgs);
  const identities = identitiesOf(call);
  return { accountId: call.accountId, state: identityState(identities), ...getList(call, identities, ids, properties ?? PROPERTIES, 'identity ids') };
}

export const identityMethods: Record<string, JmapMethod> = {
  'Identity/get': { capability: SUBMISSION, handle: identityGet },
};

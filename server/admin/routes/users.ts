// Users and aliases (distribution lists), each user's client settings card.
import { lanAddresses } from '../../net/interfaces.js';
import { clientSetup } from '../client-setup.js';
import { ApiError, json, optionalBoolean, optionalNumber, stringField, stringList, type Route } from '../router.js';
import type { AdminState } from '../state.js';
import type { UserInfo, UsersResponse } from '../types.js';

function users(state: AdminState): UsersResponse {
  const usage = state.context.mailStore.usageOfAllUsers();
  const settings = state.context.settings();
  return {
    users: state.context.accounts.listUsers().map(
      (user): UserInfo => ({
        address: user.address,
        displayName: user.display_name,
        quotaBytes: user.quota_bytes,
        usedBytes: usage.get(user.id)?.bytes ?? 0,
        messages: usage.get(user.id)?.messages ?? 0,
        disabled: !!user.disabled,
        createdAt: user.created_at,
      }),
    ),
    domain: settings.domain,
    localDomains: settings.localDomains,
    defaultQuotaBytes: settings.defaultQuotaBytes,
  };
}

function requireUser(state: AdminState, address: string | undefined) {
  const user = state.context.accounts.findUser(address ?? '');
  if (!user) throw new ApiError(404, `no such user: ${address}`);
  return user;
}

function quota(body: Record<string, unknown>): number | undefined {
  const value = optionalNumber(body, 'quotaBytes');
  if (value !== undefined && (!Number.isInteger(value) || value < 0)) {
    throw new ApiError(400, 'quota must be a whole number of bytes, 0 for none', [{ field: 'quotaBytes', reason: 'must be a whole number of bytes, 0 for none' }]);
  }
  return value;
}

export const userRoutes: Route[] = [
  { method: 'GET', path: '/api/users', handler: ({ state }) => json(users(state)) },
  {
    method: 'POST',
    path: '/api/users',
    handler: async ({ state, body }) => {
      const displayName = stringField(body, 'displayName', { optional: true });
      const user = await state.context.accounts.addUser(stringField(body, 'address'), stringField(body, 'password'), {
        displayName,
        quotaBytes: quota(body),
      });
      return json({ address: user.address }, 201);
    },
  },
  {
    method: 'PATCH',
    path: '/api/users/:address',
    handler: ({ state, params, body }) => {
      const user = requireUser(state, params.address);
      const displayName = body.displayName === undefined ? undefined : stringField(body, 'displayName');
      state.context.accounts.updateUser(user.address, { displayName, quotaBytes: quota(body), disabled: optionalBoolean(body, 'disabled') });
      return json({ address: user.address });
    },
  },
  {
    method: 'POST',
    path: '/api/users/:address/password',
    handler: async ({ state, params, body }) => {
      const user = requireUser(state, params.address);
      await state.context.accounts.setPassword(user.address, stringField(body, 'password'));
      return json({ address: user.address });
    },
  },
  {
    method: 'DELETE',
    path: '/api/users/:address',
    handler: ({ state, params }) => json(state.context.accounts.deleteUser(requireUser(state, params.address).address)),
  },
  {
    method: 'GET',
    path: '/api/users/:address/client-setup',
    handler: ({ state, params }) => {
      const user = requireUser(state, params.address);
      return json(clientSetup(user.address, state.context.settings(), state.engine.statuses(), lanAddresses()));
    },
  },
  {
    method: 'GET',
    path: '/api/client-setup',
    // For any user: the user name is left empty (the window says "the full address").
    handler: ({ state }) => json(clientSetup('', state.context.settings(), state.engine.statuses(), lanAddresses())),
  },
  { method: 'GET', path: '/api/aliases', handler: ({ state }) => json({ aliases: state.context.accounts.listAliases() }) },
  {
    method: 'POST',
    path: '/api/aliases',
    handler: ({ state, body }) => {
      const targets = stringList(body, 'targets').map((t) => t.trim()).filter(Boolean);
      state.context.accounts.addAlias(stringField(body, 'address'), targets);
      return json({ address: state.context.accounts.normalize(stringField(body, 'address')) }, 201);
    },
  },
  {
    method: 'DELETE',
    path: '/api/aliases/:address',
    handler: ({ state, params, query }) => json({ removed: state.context.accounts.removeAlias(params.address ?? '', query.get('target') ?? undefined) }),
  },
];

// Users and aliases (distribution lists), each user's client settings card, Apple profile and
// onboarding check.
import { lanAddresses } from '../../net/interfaces.js';
import { caCertificate } from '../../tls/certificates.js';
import { PROFILE_CONTENT_TYPE, profileFilename, ProfileError, profileFor } from '../../web/onboarding/apple-profile.js';
import { checkOnboarding, type Listener } from '../../web/onboarding/check.js';
import { clientSetup } from '../client-setup.js';
import type { UserInfo, UsersResponse } from '../contract/index.js';
import { ApiError, type Handlers } from '../router.js';
import type { AdminState } from '../state.js';

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

function requireUser(state: AdminState, address: string) {
  const user = state.context.accounts.findUser(address);
  if (!user) throw new ApiError(404, `no such user: ${address}`);
  return user;
}

export const userRoutes = {
  'GET /api/users': ({ state }) => users(state),
  'POST /api/users': async ({ state, body: { address, password, ...options } }) => ({
    address: (await state.context.accounts.addUser(address, password, options)).address,
  }),
  'PATCH /api/users/:address': ({ state, params, body }) => {
    const user = requireUser(state, params.address);
    state.context.accounts.updateUser(user.address, body);
    return { address: user.address };
  },
  'POST /api/users/:address/password': async ({ state, params, body }) => {
    const user = requireUser(state, params.address);
    await state.context.accounts.setPassword(user.address, body.password);
    return { address: user.address };
  },
  'DELETE /api/users/:address': ({ state, params }) => state.context.accounts.deleteUser(requireUser(state, params.address).address),
  'GET /api/users/:address/client-setup': ({ state, params }) => {
    const user = requireUser(state, params.address);
    return clientSetup(user.address, state.context.settings(), state.engine.statuses(), lanAddresses());
  },
  'GET /api/users/:address/mobileconfig': ({ state, params }) => {
    const user = requireUser(state, params.address);
    try {
      const body = profileFor(state.context, { address: user.address, displayName: user.display_name || undefined });
      return { filename: profileFilename(user.address), contentType: PROFILE_CONTENT_TYPE, body };
    } catch (error) {
      if (error instanceof ProfileError) throw new ApiError(409, error.message);
      throw error;
    }
  },
  'GET /api/users/:address/onboarding-check': async ({ state, params }) => {
    const user = requireUser(state, params.address);
    const settings = state.context.settings();
    const listener = (name: 'http' | 'https'): Listener => {
      const status = state.engine.status(name);
      return status.state === 'listening' ? { address: status.address, port: status.port } : { notListening: status.detail };
    };
    const { pem } = caCertificate(state.context.dataDir);
    return { checks: await checkOnboarding({ domain: settings.domain, hostname: settings.hostname, http: listener('http'), https: listener('https'), caPem: pem, address: user.address }) };
  },
  'GET /api/client-setup': ({ state }) => clientSetup('', state.context.settings(), state.engine.statuses(), lanAddresses()),
  'GET /api/aliases': ({ state }) => ({ aliases: state.context.accounts.listAliases() }),
  'POST /api/aliases': ({ state, body }) => {
    const targets = body.targets.map((t) => t.trim()).filter(Boolean);
    state.context.accounts.addAlias(body.address, targets);
    return { address: state.context.accounts.normalize(body.address) };
  },
  'DELETE /api/aliases/:address': ({ state, params, query }) => ({ removed: state.context.accounts.removeAlias(params.address, query.target) }),
} satisfies Partial<Handlers>;

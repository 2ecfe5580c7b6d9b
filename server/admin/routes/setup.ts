// The first-run wizard: domain, host name, the address to serve on, the admin password; then
// the summary of what clients should use. Also shows the first-start password, once.
import { passwordProblem } from '../../accounts/password.js';
import { splitAddress } from '../../accounts/accounts.js';
import { lanAddresses } from '../../net/interfaces.js';
import { SERVICE_NAMES, SettingsError, type SettingsProblem } from '../../settings/schema.js';
import { clientSetup } from '../client-setup.js';
import type { SetupStateResponse } from '../contract/index.js';
import type { Handlers } from '../router.js';
import type { AdminState } from '../state.js';
import { applyChanges, saveAndApply } from './settings.js';

/** The admin mailbox of the first start, under the current domain if the domain changed since. */
function adminAddress(state: AdminState): string | null {
  const first = state.engine.firstStart;
  const accounts = state.context.accounts;
  const candidates = [first?.address, `${splitAddress(first?.address ?? 'admin@x').local}@${state.context.settings().domain}`];
  return candidates.find((a) => a && accounts.findUser(a)) ?? null;
}

function setupState(state: AdminState): SetupStateResponse {
  const settings = state.context.settings();
  const first = state.engine.firstStart;
  const address = adminAddress(state);
  return {
    setupDone: state.setupDone(),
    firstStart: first && !state.firstStartShown && address ? { address, password: first.password } : null,
    domain: settings.domain,
    hostname: settings.hostname,
    address: settings.services.submission.address,
    lan: lanAddresses(),
  };
}

export const setupRoutes = {
  'GET /api/setup': ({ state }) => setupState(state),
  'POST /api/setup/first-start-seen': ({ state }) => {
    state.firstStartShown = true;
    return setupState(state);
  },
  'POST /api/setup/skip': ({ state }) => {
    state.markSetupDone();
    return setupState(state);
  },
  'POST /api/setup': async ({ state, body: { adminPassword, ...names } }) => {
    const [domain, hostname, address] = [names.domain.trim(), names.hostname.trim(), names.address.trim()];
    const problems: SettingsProblem[] = [];
    const known = ['0.0.0.0', '127.0.0.1', ...lanAddresses().map((a) => a.address)];
    if (!known.includes(address)) problems.push({ field: 'address', reason: `is not an address of this computer (choose one of ${known.join(', ')})` });
    const passwordIssue = adminPassword ? passwordProblem(adminPassword) : null;
    if (passwordIssue) problems.push({ field: 'adminPassword', reason: passwordIssue });
    let next = state.context.settings();
    try {
      next = applyChanges(next, [
        { key: 'domain', value: domain },
        { key: 'hostname', value: hostname },
        ...(problems.some((p) => p.field === 'address')
          ? []
          : SERVICE_NAMES.filter((name) => name !== 'dns').map((name) => ({ key: `services.${name}.address`, value: address }))),
      ]);
    } catch (error) {
      if (!(error instanceof SettingsError)) throw error;
      problems.unshift(...error.problems);
    }
    if (problems.length) throw new SettingsError(problems);
    await saveAndApply(state, next);
    const admin = adminAddress(state);
    if (admin && adminPassword) await state.context.accounts.setPassword(admin, adminPassword);
    if (adminPassword) state.firstStartShown = true;
    state.markSetupDone();
    const settings = state.context.settings();
    return {
      adminAddress: admin ?? `admin@${settings.domain}`,
      clientSetup: clientSetup(admin ?? '', settings, state.engine.statuses(), lanAddresses()),
    };
  },
} satisfies Partial<Handlers>;

// Overview: every service's state, the LAN addresses, counts, the traffic chart; start/stop.
import { lanAddresses } from '../../net/interfaces.js';
import type { OverviewResponse, StatusResponse } from '../contract/index.js';
import { ApiError, type Handlers } from '../router.js';
import type { AdminState } from '../state.js';
import { localMidnight } from '../traffic.js';

export function statusOf(state: AdminState): StatusResponse {
  const settings = state.context.settings();
  return {
    hostname: settings.hostname,
    domain: settings.domain,
    lanAddresses: lanAddresses().map((a) => a.address),
    services: state.engine.statuses(),
    users: state.context.accounts.listUsers().length,
    disk: state.context.disk.status,
  };
}

function overview(state: AdminState): OverviewResponse {
  const status = statusOf(state);
  return {
    ...status,
    lan: lanAddresses(),
    counts: {
      users: status.users,
      aliases: state.context.accounts.listAliases().length,
      messagesToday: state.traffic.acceptedSince(localMidnight()),
      queue: state.queue.list().length,
    },
    traffic: state.traffic.lastDay(),
    setupDone: state.setupDone(),
  };
}

export const overviewRoutes = {
  'GET /api/status': ({ state }) => statusOf(state),
  'GET /api/overview': ({ state }) => overview(state),
  'POST /api/services/:name/start': async ({ state, params: { name } }) => {
    if (!state.context.settings().services[name].enabled) {
      throw new ApiError(409, `${name} is turned off in the settings; turn it on (services.${name}.enabled) to start it`);
    }
    return { status: await state.engine.restartService(name) };
  },
  'POST /api/services/:name/stop': async ({ state, params: { name } }) => ({ status: await state.engine.stopService(name) }),
} satisfies Partial<Handlers>;

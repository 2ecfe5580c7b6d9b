// Overview: every service's state, the LAN addresses, counts, the traffic chart; start/stop.
import { lanAddresses } from '../../net/interfaces.js';
import { SERVICE_NAMES, type ServiceName } from '../../settings/schema.js';
import { ApiError, json, type Route } from '../router.js';
import type { AdminState } from '../state.js';
import { localMidnight } from '../traffic.js';
import type { OverviewResponse, StatusResponse } from '../types.js';

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

function serviceName(name: string | undefined): ServiceName {
  if (!SERVICE_NAMES.includes(name as ServiceName)) throw new ApiError(404, `no such service: ${name} (services: ${SERVICE_NAMES.join(', ')})`);
  return name as ServiceName;
}

export const overviewRoutes: Route[] = [
  { method: 'GET', path: '/api/status', handler: ({ state }) => json(statusOf(state)) },
  { method: 'GET', path: '/api/overview', handler: ({ state }) => json(overview(state)) },
  {
    method: 'POST',
    path: '/api/services/:name/start',
    handler: async ({ state, params }) => {
      const name = serviceName(params.name);
      if (!state.context.settings().services[name].enabled) {
        throw new ApiError(409, `${name} is turned off in the settings; turn it on (services.${name}.enabled) to start it`);
      }
      return json({ status: await state.engine.restartService(name) });
    },
  },
  {
    method: 'POST',
    path: '/api/services/:name/stop',
    handler: async ({ state, params }) => json({ status: await state.engine.stopService(serviceName(params.name)) }),
  },
];

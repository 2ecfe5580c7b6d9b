// Firewall & ports: which enabled ports listen, and the commands to open them to the LAN.
import { lanAddresses } from '../../net/interfaces.js';
import type { FirewallPort, FirewallResponse } from '../contract/index.js';
import { firewallCommands, lowPortCommands } from '../firewall.js';
import type { Handlers } from '../router.js';
import type { AdminState } from '../state.js';

function firewall(state: AdminState): FirewallResponse {
  const settings = state.context.settings();
  const ports: FirewallPort[] = [];
  for (const status of state.engine.statuses()) {
    const config = settings.services[status.name];
    if (!config.enabled || status.detail === 'not available in this version') continue;
    const port = status.state === 'listening' ? status.port : config.port;
    const base = { service: status.name, port, address: status.address, state: status.state, detail: status.detail, ...(status.fix ? { fix: status.fix } : {}) };
    ports.push({ ...base, protocol: 'tcp' });
    if (status.name === 'dns') ports.push({ ...base, protocol: 'udp' });
  }
  const sources = [...new Set(lanAddresses().map((a) => a.subnet))];
  return {
    ports,
    unavailable: state.engine.statuses().filter((s) => s.detail === 'not available in this version').map((s) => s.name),
    sources,
    firewalls: firewallCommands(
      ports.map((p) => ({ port: p.port, protocol: p.protocol, service: p.service })),
      sources,
    ),
    lowPorts: process.platform === 'linux' ? lowPortCommands(ports.map((p) => p.port), process.execPath) : null,
    platform: process.platform,
  };
}

export const firewallRoutes = { 'GET /api/firewall': ({ state }) => firewall(state) } satisfies Partial<Handlers>;

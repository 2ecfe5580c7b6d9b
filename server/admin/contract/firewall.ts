// Firewall & ports: which enabled ports listen, and the commands to open them to the LAN.
import { serviceName, serviceState, z, type RoutePattern, type RouteSpec } from './common.js';

/** In the order the window offers them. */
export const firewallKind = z.enum(['ufw', 'firewalld', 'iptables', 'nftables', 'windows-powershell', 'windows-netsh', 'macos-pf']);

const firewallPort = z.strictObject({
  service: serviceName,
  protocol: z.enum(['tcp', 'udp']),
  port: z.number(),
  address: z.string(),
  state: serviceState,
  detail: z.string(),
  fix: z.string().optional(),
});

export const firewallCommands = z.strictObject({
  kind: firewallKind,
  /** Lines to copy into a terminal (or a file, for pf). */
  commands: z.array(z.string()),
});

export const firewallContract = {
  'GET /api/firewall': {
    response: z.strictObject({
      /** Enabled ports of this machine's services. */
      ports: z.array(firewallPort),
      /** Services this version does not have yet (not listed in ports). */
      unavailable: z.array(serviceName),
      /** The networks the rules open the ports to (the LAN subnets). */
      sources: z.array(z.string()),
      firewalls: z.array(firewallCommands),
      /** Linux: how to let LanPost bind ports below 1024 without running as root. */
      lowPorts: z.strictObject({ ports: z.array(z.number()), commands: z.array(z.string()) }).nullable(),
      platform: z.string(),
    }),
  },
} satisfies Record<RoutePattern, RouteSpec>;

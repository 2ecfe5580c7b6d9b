// Which addresses the zone publishes for the mail host, and where the responder listens when
// services.dns.address is `auto`.
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import { lanAddresses } from '../net/interfaces.js';
import type { ServiceName, Settings } from '../settings/schema.js';

const MAIL_SERVICES: ServiceName[] = ['smtp', 'submission', 'smtps', 'imap', 'imaps', 'pop3', 'pop3s'];

/**
 * The mail host's addresses: dns.hostAddresses when set; else the addresses the enabled mail
 * services listen on, where the wildcard stands for the LAN interface that carries the default
 * route (0.0.0.0: its IPv4 addresses, `::`: IPv4 and IPv6). No LAN at all: 127.0.0.1.
 */
export function mailHostAddresses(settings: Settings): string[] {
  if (settings.dns.hostAddresses.length) return unique(settings.dns.hostAddresses.map((a) => a.toLowerCase()));
  const found: string[] = [];
  const primary = primaryInterfaceAddresses();
  for (const name of MAIL_SERVICES) {
    const { enabled, address } = settings.services[name];
    if (!enabled) continue;
    if (address === '0.0.0.0') found.push(...primary.filter((a) => net.isIPv4(a)));
    else if (address === '::') found.push(...primary);
    else if (net.isIP(address)) found.push(address.toLowerCase());
  }
  const addresses = unique(found);
  return addresses.length ? sortV4First(addresses) : ['127.0.0.1'];
}

/** For `auto`: the mail host addresses that are on this machine, plus 127.0.0.1 — never the wildcard. */
export function autoListenAddresses(hostAddresses: readonly string[]): string[] {
  const local = new Set(localAddresses());
  return unique([...hostAddresses.filter((a) => local.has(a)), '127.0.0.1']);
}

function localAddresses(): string[] {
  return Object.values(os.networkInterfaces())
    .flatMap((entries) => entries ?? [])
    .map((entry) => entry.address.toLowerCase());
}

/** Addresses of the interface with the default route (Linux), else of the first LAN interface. */
function primaryInterfaceAddresses(): string[] {
  const lan = lanAddresses();
  const name = defaultRouteInterface() ?? lan[0]?.interface;
  return lan.filter((entry) => entry.interface === name).map((entry) => entry.address.toLowerCase());
}

function defaultRouteInterface(): string | null {
  if (process.platform !== 'linux') return null;
  try {
    for (const line of fs.readFileSync('/proc/net/route', 'utf8').split('\n').slice(1)) {
      const [iface, destination] = line.trim().split(/\s+/);
      if (iface && destination === '00000000') return iface;
    }
  } catch {
    // no procfs
  }
  return null;
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}

function sortV4First(values: string[]): string[] {
  return [...values].sort((a, b) => Number(net.isIPv6(a)) - Number(net.isIPv6(b)));
}

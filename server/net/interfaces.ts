// This machine's LAN addresses and subnets, and matching a client address against CIDR lists.
import net from 'node:net';
import os from 'node:os';

export interface LanAddress {
  interface: string;
  address: string;
  family: 'IPv4' | 'IPv6';
  /** The subnet in CIDR form, e.g. 192.168.1.0/24. */
  subnet: string;
}

/** Non-loopback, non-link-local addresses of this machine, IPv4 first. */
export function lanAddresses(): LanAddress[] {
  const found: LanAddress[] = [];
  for (const [name, entries] of Object.entries(os.networkInterfaces())) {
    for (const entry of entries ?? []) {
      if (entry.internal || !entry.cidr) continue;
      if (entry.family === 'IPv6' && /^fe[89ab]/i.test(entry.address)) continue;
      found.push({ interface: name, address: entry.address, family: entry.family, subnet: networkOf(entry.cidr) });
    }
  }
  return found.sort((a, b) => (a.family === b.family ? 0 : a.family === 'IPv4' ? -1 : 1));
}

export const LOOPBACK_NETWORKS = ['127.0.0.0/8', '::1/128'];

/** Loopback plus the subnets of this machine's LAN interfaces: the default trusted networks. */
export function defaultTrustedNetworks(): string[] {
  return [...new Set([...LOOPBACK_NETWORKS, ...lanAddresses().map((a) => a.subnet)])];
}

/** 192.168.1.20/24 → 192.168.1.0/24 (host bits cleared). */
export function networkOf(cidrValue: string): string {
  const [address, prefixText] = cidrValue.split('/');
  const prefix = Number(prefixText);
  if (net.isIPv4(address!)) {
    const bits = address!.split('.').reduce((acc, octet) => (acc << 8n) | BigInt(octet), 0n);
    const mask = prefix === 0 ? 0n : ((1n << 32n) - 1n) ^ ((1n << BigInt(32 - prefix)) - 1n);
    const network = bits & mask;
    return `${[24n, 16n, 8n, 0n].map((s) => (network >> s) & 255n).join('.')}/${prefix}`;
  }
  const blocks = expandIPv6(address!);
  let remaining = prefix;
  const masked = blocks.map((block) => {
    const keep = Math.max(0, Math.min(16, remaining));
    remaining -= 16;
    return keep === 0 ? 0 : block & (0xffff << (16 - keep)) & 0xffff;
  });
  return `${masked.map((b) => b.toString(16)).join(':')}/${prefix}`;
}

function expandIPv6(address: string): number[] {
  const [head, tail] = address.split('::');
  const parse = (part: string | undefined) => (part ? part.split(':').map((h) => parseInt(h, 16)) : []);
  const front = parse(head);
  const back = parse(tail);
  const zeros = tail === undefined ? [] : new Array(8 - front.length - back.length).fill(0);
  return [...front, ...zeros, ...back];
}

/** Strips the IPv4-mapped prefix (::ffff:192.168.1.5 → 192.168.1.5). */
export function plainAddress(address: string): string {
  return address.startsWith('::ffff:') && net.isIPv4(address.slice(7)) ? address.slice(7) : address;
}

/** A matcher for a list of CIDRs; built once per settings change, used per connection. */
export function networkMatcher(cidrs: readonly string[]): (address: string) => boolean {
  const list = new net.BlockList();
  for (const entry of cidrs) {
    const [address, prefix] = entry.split('/');
    const family = net.isIPv4(address!) ? 'ipv4' : 'ipv6';
    list.addSubnet(address!, Number(prefix), family);
  }
  return (address: string) => {
    const plain = plainAddress(address);
    const family = net.isIPv4(plain) ? 'ipv4' : net.isIPv6(plain) ? 'ipv6' : null;
    return family !== null && list.check(plain, family);
  };
}

// Binding a listener, and turning a refusal (EACCES, EADDRINUSE) into a service state with the
// exact fix, instead of a crash.
import type { EventEmitter } from 'node:events';
import fs from 'node:fs';
import type net from 'node:net';
import type dgram from 'node:dgram';
import type { ServiceName } from '../settings/schema.js';

export type ServiceState = 'listening' | 'blocked' | 'in-use' | 'error' | 'stopped' | 'disabled';

export interface ServiceStatus {
  name: ServiceName;
  address: string;
  port: number;
  state: ServiceState;
  /** One line for people: "listening", "blocked: permission denied — fix: …". */
  detail: string;
  fix?: string;
}

export function hostPort(address: string, port: number): string {
  return address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;
}

export function describeStatus(status: ServiceStatus): string {
  return `${status.name} ${hostPort(status.address, status.port)} ${status.detail}`;
}

/** Listens on address:port; resolves with the actual port or a status that explains the refusal. */
export function listenTcp(server: net.Server, name: ServiceName, address: string, port: number): Promise<ServiceStatus> {
  const bound = () => (server.address() as net.AddressInfo).port;
  return whenBound(server, name, address, port, 'tcp', bound, () => server.listen({ port, host: address, exclusive: true }));
}

export function bindUdp(socket: dgram.Socket, name: ServiceName, address: string, port: number): Promise<ServiceStatus> {
  return whenBound(socket, name, address, port, 'udp', () => socket.address().port, () => socket.bind({ port, address, exclusive: true }));
}

/** Runs `bind` on a server or socket; resolves on its 'listening' (with the port `bound` reads) or its 'error'. */
function whenBound(target: EventEmitter, name: ServiceName, address: string, port: number, protocol: 'tcp' | 'udp', bound: () => number, bind: () => void): Promise<ServiceStatus> {
  return new Promise((resolve) => {
    const onError = (error: NodeJS.ErrnoException) => {
      target.off('listening', onListening);
      resolve(refusal(name, address, port, error, protocol));
    };
    const onListening = () => {
      target.off('error', onError);
      resolve({ name, address, port: bound(), state: 'listening', detail: 'listening' });
    };
    target.once('error', onError);
    target.once('listening', onListening);
    bind();
  });
}

export function refusal(name: ServiceName, address: string, port: number, error: NodeJS.ErrnoException, protocol: 'tcp' | 'udp'): ServiceStatus {
  const alternate = port < 1024 ? alternatePort(port) : port + 1;
  const moveIt = `lanpost settings set services.${name}.port ${alternate}`;
  if (error.code === 'EACCES' || error.code === 'EPERM') {
    const sysctl = `sudo sysctl -w net.ipv4.ip_unprivileged_port_start=${Math.min(port, 25)}`;
    // Under the desktop app the engine runs inside the Electron binary, where setcap does not apply.
    const fix =
      process.platform === 'linux'
        ? process.versions.electron
          ? `${sysctl} (keep it in /etc/sysctl.d/), or ${moveIt}`
          : `sudo setcap 'cap_net_bind_service=+ep' "$(readlink -f "$(command -v node)")", or ${sysctl}, or ${moveIt}`
        : process.platform === 'darwin'
          ? `run LanPost as an administrator, listen on all addresses (0.0.0.0), or ${moveIt}`
          : moveIt;
    return { name, address, port, state: 'blocked', detail: `blocked: permission denied — fix: ${fix}`, fix };
  }
  if (error.code === 'EADDRINUSE') {
    const holder = portHolder(port, protocol);
    const fix = `stop ${holder ?? 'the other program'} or ${moveIt}`;
    return { name, address, port, state: 'in-use', detail: `port in use${holder ? ` by ${holder}` : ''} — fix: ${fix}`, fix };
  }
  if (error.code === 'EADDRNOTAVAIL') {
    const fix = `lanpost settings set services.${name}.address 0.0.0.0`;
    return { name, address, port, state: 'error', detail: `address ${address} is not on this machine — fix: ${fix}`, fix };
  }
  return { name, address, port, state: 'error', detail: `error: ${error.message}` };
}

function alternatePort(port: number): number {
  const alternates: Record<number, number> = { 25: 2525, 587: 2587, 465: 2465, 110: 2110, 995: 2995, 143: 2143, 993: 2993, 53: 5353, 80: 8080, 443: 8443 };
  return alternates[port] ?? port + 10000;
}

/** Best effort, Linux only: which program holds a port ("systemd-resolved (pid 312)"). */
export function portHolder(port: number, protocol: 'tcp' | 'udp'): string | null {
  if (process.platform !== 'linux') return null;
  try {
    const inodes = new Set<string>();
    for (const table of [`/proc/net/${protocol}`, `/proc/net/${protocol}6`]) {
      let text = '';
      try {
        text = fs.readFileSync(table, 'utf8');
      } catch {
        continue;
      }
      for (const line of text.split('\n').slice(1)) {
        const cols = line.trim().split(/\s+/);
        const local = cols[1];
        if (!local) continue;
        const localPort = parseInt(local.split(':')[1] ?? '', 16);
        const listening = protocol === 'udp' || cols[3] === '0A';
        if (localPort === port && listening && cols[9]) inodes.add(cols[9]);
      }
    }
    if (!inodes.size) return null;
    for (const pid of fs.readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
      let fds: string[];
      try {
        fds = fs.readdirSync(`/proc/${pid}/fd`);
      } catch {
        continue;
      }
      for (const fd of fds) {
        try {
          const target = fs.readlinkSync(`/proc/${pid}/fd/${fd}`);
          const inode = /^socket:\[(\d+)\]$/.exec(target)?.[1];
          if (inode && inodes.has(inode)) {
            const comm = fs.readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
            return `${comm} (pid ${pid})`;
          }
        } catch {
          // process went away
        }
      }
    }
    return 'another program';
  } catch {
    return null;
  }
}

// Copy-ready firewall commands that open LanPost's ports to the LAN (what the classic tutorials
// did with `iptables -I INPUT … --dport 465 -j ACCEPT`), per firewall, and on Linux the ways to
// bind ports below 1024 without root. Pure: ports and networks in, text out.
import net from 'node:net';
import type { FirewallCommands, FirewallKind } from './contract/index.js';
import { firewallKind } from './contract/firewall.js';

export interface OpenPort {
  port: number;
  protocol: 'tcp' | 'udp';
  /** Shown in rule names and comments, e.g. "smtp". */
  service: string;
}

/** Every firewall the commands are written for, in the order the window offers them. */
export const FIREWALL_KINDS: readonly FirewallKind[] = firewallKind.options;

const byProtocol = (ports: OpenPort[], protocol: 'tcp' | 'udp') =>
  [...new Set(ports.filter((p) => p.protocol === protocol).map((p) => p.port))].sort((a, b) => a - b);

const protocols = (ports: OpenPort[]) => (['tcp', 'udp'] as const).filter((p) => byProtocol(ports, p).length);

/** One command list per firewall. `sources` are CIDRs (the LAN subnets); empty: from anywhere. */
export function firewallCommands(ports: OpenPort[], sources: string[]): FirewallCommands[] {
  if (!ports.length) return FIREWALL_KINDS.map((kind) => ({ kind, commands: [] }));
  const v4 = sources.filter((s) => net.isIPv4(s.split('/')[0]!));
  const v6 = sources.filter((s) => net.isIPv6(s.split('/')[0]!));
  return FIREWALL_KINDS.map((kind) => ({ kind, commands: GENERATORS[kind](ports, sources, v4, v6) }));
}

type Generator = (ports: OpenPort[], sources: string[], v4: string[], v6: string[]) => string[];

const GENERATORS: Record<FirewallKind, Generator> = {
  iptables(ports, sources, v4, v6) {
    const lines: string[] = [];
    const rule = (tool: string, source: string | null, protocol: string, list: number[]) =>
      `sudo ${tool} -I INPUT -p ${protocol}${source ? ` -s ${source}` : ''} -m multiport --dports ${list.join(',')} -m comment --comment lanpost -j ACCEPT`;
    for (const protocol of protocols(ports)) {
      const list = byProtocol(ports, protocol);
      if (!sources.length) {
        lines.push(rule('iptables', null, protocol, list), rule('ip6tables', null, protocol, list));
        continue;
      }
      for (const source of v4) lines.push(rule('iptables', source, protocol, list));
      for (const source of v6) lines.push(rule('ip6tables', source, protocol, list));
    }
    lines.push('# keep the rules after a restart (Debian/Ubuntu):', 'sudo apt install iptables-persistent && sudo netfilter-persistent save');
    return lines;
  },
  nftables(ports, sources, v4, v6) {
    const lines = [
      '# adds to the usual "inet filter" table (Debian, Fedora); creates it if missing',
      'sudo nft add table inet filter',
      "sudo nft add chain inet filter input '{ type filter hook input priority 0; }'",
    ];
    for (const protocol of protocols(ports)) {
      const set = `'{ ${byProtocol(ports, protocol).join(', ')} }'`;
      if (!sources.length) lines.push(`sudo nft insert rule inet filter input ${protocol} dport ${set} accept comment lanpost`);
      for (const source of v4) lines.push(`sudo nft insert rule inet filter input ip saddr ${source} ${protocol} dport ${set} accept comment lanpost`);
      for (const source of v6) lines.push(`sudo nft insert rule inet filter input ip6 saddr ${source} ${protocol} dport ${set} accept comment lanpost`);
    }
    lines.push('# keep the rules after a restart:', "sudo sh -c 'nft list ruleset > /etc/nftables.conf'");
    return lines;
  },
  firewalld(ports, sources, v4, v6) {
    const lines: string[] = [];
    if (!sources.length) {
      for (const p of ports) lines.push(`sudo firewall-cmd --permanent --add-port=${p.port}/${p.protocol}`);
    }
    for (const [family, list] of [
      ['ipv4', v4],
      ['ipv6', v6],
    ] as const) {
      for (const source of list) {
        for (const p of ports) {
          lines.push(
            `sudo firewall-cmd --permanent --add-rich-rule='rule family="${family}" source address="${source}" port port="${p.port}" protocol="${p.protocol}" accept'`,
          );
        }
      }
    }
    lines.push('sudo firewall-cmd --reload');
    return lines;
  },
  ufw(ports, sources) {
    const lines: string[] = [];
    for (const protocol of protocols(ports)) {
      const list = byProtocol(ports, protocol).join(',');
      if (!sources.length) lines.push(`sudo ufw allow proto ${protocol} to any port ${list} comment lanpost`);
      for (const source of sources) lines.push(`sudo ufw allow proto ${protocol} from ${source} to any port ${list} comment lanpost`);
    }
    return lines;
  },
  'windows-netsh'(ports, sources) {
    const remote = sources.length ? ` remoteip=${sources.join(',')}` : '';
    const lines = ['REM in a Command Prompt opened with "Run as administrator"'];
    for (const protocol of protocols(ports)) {
      lines.push(
        `netsh advfirewall firewall add rule name="LanPost mail (${protocol.toUpperCase()})" dir=in action=allow protocol=${protocol.toUpperCase()} localport=${byProtocol(ports, protocol).join(',')}${remote}`,
      );
    }
    return lines;
  },
  'windows-powershell'(ports, sources) {
    const remote = sources.length ? ` -RemoteAddress ${sources.join(',')}` : '';
    const lines = ['# in PowerShell opened with "Run as administrator"'];
    for (const protocol of protocols(ports)) {
      lines.push(
        `New-NetFirewallRule -DisplayName "LanPost mail (${protocol.toUpperCase()})" -Direction Inbound -Action Allow -Protocol ${protocol.toUpperCase()} -LocalPort ${byProtocol(ports, protocol).join(',')}${remote}`,
      );
    }
    return lines;
  },
  'macos-pf'(ports, sources) {
    const from = sources.length ? `{ ${sources.join(', ')} }` : 'any';
    const rules = protocols(ports).map((protocol) => `pass in proto ${protocol} from ${from} to any port { ${byProtocol(ports, protocol).join(', ')} } keep state`);
    return [
      '# the rules, in their own anchor file',
      `printf '%s\\n' ${rules.map((r) => `'${r}'`).join(' ')} | sudo tee /etc/pf.anchors/lanpost`,
      '# load the anchor from /etc/pf.conf (once) and turn pf on',
      `grep -q 'anchor "lanpost"' /etc/pf.conf || printf '%s\\n' 'anchor "lanpost"' 'load anchor "lanpost" from "/etc/pf.anchors/lanpost"' | sudo tee -a /etc/pf.conf`,
      'sudo pfctl -f /etc/pf.conf -E',
      '# if the macOS application firewall is on, let LanPost accept connections too:',
      'sudo /usr/libexec/ApplicationFirewall/socketfilterfw --add "/Applications/LanPost.app" && sudo /usr/libexec/ApplicationFirewall/socketfilterfw --unblockapp "/Applications/LanPost.app"',
    ];
  },
};

/**
 * Linux: the two ways to let an unprivileged LanPost bind ports below 1024 (the same fixes the
 * listener prints for a refused port). `executable` is the program that runs the engine.
 */
export function lowPortCommands(ports: number[], executable: string): { ports: number[]; commands: string[] } | null {
  const low = [...new Set(ports.filter((p) => p > 0 && p < 1024))].sort((a, b) => a - b);
  if (!low.length) return null;
  const lowest = low[0]!;
  return {
    ports: low,
    commands: [
      '# either: allow this program (only) to bind low ports — repeat after it is updated',
      `sudo setcap 'cap_net_bind_service=+ep' "$(readlink -f '${executable}')"`,
      `# or: let every program bind ports from ${lowest} up, now and after a restart`,
      `sudo sysctl net.ipv4.ip_unprivileged_port_start=${lowest}`,
      `echo 'net.ipv4.ip_unprivileged_port_start=${lowest}' | sudo tee /etc/sysctl.d/50-lanpost.conf`,
    ],
  };
}

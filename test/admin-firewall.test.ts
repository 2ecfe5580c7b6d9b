// Firewall command generation (pure): every firewall gets commands for exactly the enabled
// ports, limited to the LAN networks; Linux low-port commands.
import { describe, expect, it } from 'vitest';
import { FIREWALL_KINDS, firewallCommands, lowPortCommands, type OpenPort } from '../server/admin/firewall.js';

const PORTS: OpenPort[] = [
  { service: 'smtp', protocol: 'tcp', port: 25 },
  { service: 'submission', protocol: 'tcp', port: 587 },
  { service: 'imaps', protocol: 'tcp', port: 993 },
  { service: 'dns', protocol: 'tcp', port: 53 },
  { service: 'dns', protocol: 'udp', port: 53 },
];
const LAN = ['192.168.1.0/24', 'fd00:1::/64'];
const commands = (kind: string, sources = LAN) => firewallCommands(PORTS, sources).find((f) => f.kind === kind)!.commands;

describe('firewall commands', () => {
  it('covers every firewall', () => {
    expect(firewallCommands(PORTS, LAN).map((f) => f.kind)).toEqual(FIREWALL_KINDS);
    expect(FIREWALL_KINDS).toEqual(expect.arrayContaining(['iptables', 'nftables', 'firewalld', 'ufw', 'windows-netsh', 'windows-powershell', 'macos-pf']));
  });

  it('iptables: one rule per protocol and network, IPv6 with ip6tables, and how to keep them', () => {
    expect(commands('iptables')).toEqual([
      'sudo iptables -I INPUT -p tcp -s 192.168.1.0/24 -m multiport --dports 25,53,587,993 -m comment --comment lanpost -j ACCEPT',
      'sudo ip6tables -I INPUT -p tcp -s fd00:1::/64 -m multiport --dports 25,53,587,993 -m comment --comment lanpost -j ACCEPT',
      'sudo iptables -I INPUT -p udp -s 192.168.1.0/24 -m multiport --dports 53 -m comment --comment lanpost -j ACCEPT',
      'sudo ip6tables -I INPUT -p udp -s fd00:1::/64 -m multiport --dports 53 -m comment --comment lanpost -j ACCEPT',
      '# keep the rules after a restart (Debian/Ubuntu):',
      'sudo apt install iptables-persistent && sudo netfilter-persistent save',
    ]);
  });

  it('nftables: sets of ports per family', () => {
    const lines = commands('nftables');
    expect(lines).toContain("sudo nft insert rule inet filter input ip saddr 192.168.1.0/24 tcp dport '{ 25, 53, 587, 993 }' accept comment lanpost");
    expect(lines).toContain("sudo nft insert rule inet filter input ip6 saddr fd00:1::/64 udp dport '{ 53 }' accept comment lanpost");
  });

  it('firewalld: a permanent rich rule per port and network, then a reload', () => {
    const lines = commands('firewalld');
    expect(lines).toContain(`sudo firewall-cmd --permanent --add-rich-rule='rule family="ipv4" source address="192.168.1.0/24" port port="993" protocol="tcp" accept'`);
    expect(lines).toContain(`sudo firewall-cmd --permanent --add-rich-rule='rule family="ipv6" source address="fd00:1::/64" port port="53" protocol="udp" accept'`);
    expect(lines.filter((l) => l.includes('--add-rich-rule'))).toHaveLength(PORTS.length * LAN.length);
    expect(lines.at(-1)).toBe('sudo firewall-cmd --reload');
  });

  it('ufw, Windows and macOS', () => {
    expect(commands('ufw')).toContain('sudo ufw allow proto tcp from 192.168.1.0/24 to any port 25,53,587,993 comment lanpost');
    expect(commands('windows-netsh')).toContain(
      'netsh advfirewall firewall add rule name="LanPost mail (UDP)" dir=in action=allow protocol=UDP localport=53 remoteip=192.168.1.0/24,fd00:1::/64',
    );
    expect(commands('windows-powershell')).toContain(
      'New-NetFirewallRule -DisplayName "LanPost mail (TCP)" -Direction Inbound -Action Allow -Protocol TCP -LocalPort 25,53,587,993 -RemoteAddress 192.168.1.0/24,fd00:1::/64',
    );
    const pf = commands('macos-pf').join('\n');
    expect(pf).toContain("'pass in proto tcp from { 192.168.1.0/24, fd00:1::/64 } to any port { 25, 53, 587, 993 } keep state'");
    expect(pf).toContain('sudo pfctl -f /etc/pf.conf -E');
  });

  it('without a LAN network, opens the ports to everyone (and says so by having no source)', () => {
    expect(commands('ufw', [])).toEqual(['sudo ufw allow proto tcp to any port 25,53,587,993 comment lanpost', 'sudo ufw allow proto udp to any port 53 comment lanpost']);
    expect(commands('iptables', []).join('\n')).not.toContain(' -s ');
    expect(commands('firewalld', [])).toContain('sudo firewall-cmd --permanent --add-port=53/udp');
  });

  it('gives no commands when no port is enabled', () => {
    expect(firewallCommands([], LAN).every((f) => f.commands.length === 0)).toBe(true);
  });
});

describe('ports below 1024 on Linux', () => {
  it('offers setcap for the program and the sysctl from the lowest port', () => {
    const result = lowPortCommands([2525, 587, 25, 53, 25], '/usr/bin/node');
    expect(result!.ports).toEqual([25, 53, 587]);
    expect(result!.commands).toContain(`sudo setcap 'cap_net_bind_service=+ep' "$(readlink -f '/usr/bin/node')"`);
    expect(result!.commands).toContain('sudo sysctl net.ipv4.ip_unprivileged_port_start=25');
    expect(result!.commands).toContain("echo 'net.ipv4.ip_unprivileged_port_start=25' | sudo tee /etc/sysctl.d/50-lanpost.conf");
  });

  it('is not needed when every port is 1024 or above (or picked freely)', () => {
    expect(lowPortCommands([2525, 0, 5353], '/usr/bin/node')).toBeNull();
  });
});

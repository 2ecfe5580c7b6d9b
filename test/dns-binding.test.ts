// Where the responder listens (`auto`: the mail host's LAN addresses and 127.0.0.1, never the
// wildcard) and which addresses the zone publishes for the mail host.
import os from 'node:os';
import { describe, expect, it } from 'vitest';
import { autoListenAddresses, mailHostAddresses } from '../server/dns/addresses.js';
import { lanAddresses } from '../server/net/interfaces.js';
import { defaultSettings } from '../server/settings/defaults.js';
import type { Settings } from '../server/settings/schema.js';
import { dig } from './dns-helpers.js';
import { startTestEngine } from './helpers/engine.js';

const local = new Set(Object.values(os.networkInterfaces()).flatMap((entries) => (entries ?? []).map((e) => e.address.toLowerCase())));

function settingsWith(change: (settings: Settings) => void): Settings {
  const settings = defaultSettings();
  change(settings);
  return settings;
}

describe('DNS binding', () => {
  it('with address auto listens on the mail host addresses of this machine and 127.0.0.1, UDP and TCP on one port', async () => {
    // The mail host published at this machine's LAN address (when it has one): two addresses to listen on.
    const lan = lanAddresses().find((entry) => entry.family === 'IPv4')?.address;
    const test = await startTestEngine({
      change: (settings) => {
        settings.services.dns = { enabled: true, address: 'auto', port: 0 };
        settings.dns.hostAddresses = lan ? [lan] : [];
      },
    });
    try {
      const status = test.engine.status('dns');
      expect(status.state).toBe('listening');
      const addresses = status.address.split(',');
      expect(addresses).toEqual(lan ? [lan, '127.0.0.1'] : ['127.0.0.1']);
      expect(addresses).not.toContain('0.0.0.0');
      expect(addresses).not.toContain('::');
      for (const address of addresses) expect(local.has(address), address).toBe(true);
      expect(addresses).toEqual(autoListenAddresses(mailHostAddresses(test.engine.context.settings())));
      expect((await dig(test.port('dns'), ['lanpost.lan', 'SOA'])).status).toBe('NOERROR');
      expect((await dig(test.port('dns'), ['+tcp', 'lanpost.lan', 'SOA'])).status).toBe('NOERROR');
    } finally {
      await test.stop();
    }
  });

  it('leaves out addresses that are not on this machine', () => {
    expect(autoListenAddresses(['192.0.2.254', '127.0.0.1'])).toEqual(['127.0.0.1']);
  });
});

describe('DNS: the mail host addresses', () => {
  it('uses dns.hostAddresses when set', () => {
    expect(mailHostAddresses(settingsWith((s) => (s.dns.hostAddresses = ['192.168.1.20', 'FD00::20'])))).toEqual(['192.168.1.20', 'fd00::20']);
  });

  it('takes the address the mail services listen on when it is a specific one', () => {
    const settings = settingsWith((s) => {
      for (const name of ['smtp', 'submission', 'smtps', 'imap', 'imaps', 'pop3', 'pop3s'] as const) s.services[name].address = '127.0.0.1';
    });
    expect(mailHostAddresses(settings)).toEqual(['127.0.0.1']);
  });

  it('for the IPv4 wildcard takes the IPv4 addresses of one LAN interface (no AAAA where nothing listens on IPv6)', () => {
    const addresses = mailHostAddresses(defaultSettings());
    const lan = lanAddresses();
    if (!lan.length) {
      expect(addresses).toEqual(['127.0.0.1']);
      return;
    }
    expect(addresses.length).toBeGreaterThan(0);
    const interfaces = new Set(addresses.map((a) => lan.find((entry) => entry.address.toLowerCase() === a)?.interface));
    expect(interfaces.size).toBe(1);
    expect(addresses.every((a) => !a.includes(':'))).toBe(true);
  });

  it('for the IPv6 wildcard adds that interface’s IPv6 addresses', () => {
    const settings = settingsWith((s) => (s.services.smtp.address = '::'));
    const v4only = mailHostAddresses(defaultSettings());
    const both = mailHostAddresses(settings);
    expect(both.slice(0, v4only.length)).toEqual(v4only);
    const lan = lanAddresses();
    const name = lan.find((entry) => entry.address === v4only[0])?.interface;
    const v6 = lan.filter((entry) => entry.interface === name && entry.family === 'IPv6').map((entry) => entry.address.toLowerCase());
    expect(both.slice(v4only.length)).toEqual(v6);
  });

  it('falls back to 127.0.0.1 when no mail service is enabled', () => {
    const settings = settingsWith((s) => {
      for (const name of ['smtp', 'submission', 'smtps', 'imap', 'imaps', 'pop3', 'pop3s'] as const) s.services[name].enabled = false;
    });
    expect(mailHostAddresses(settings)).toEqual(['127.0.0.1']);
  });
});

import { describe, expect, it } from 'vitest';
import { snapshotKey, type NetworkSnapshot } from '../../../../host/netmon/snapshot.js';

const base: NetworkSnapshot = {
  interfaces: [
    { name: 'eth0', up: true, addresses: ['192.0.2.10/24', '2001:db8::5/64'], vpn: false },
    { name: 'wg0', up: true, addresses: ['10.8.0.2/32'], vpn: true },
  ],
  defaultRoutes: [
    { gateway: '192.0.2.1', interface: 'eth0', family: 4 },
    { gateway: null, interface: 'wg0', family: 4 },
  ],
  dnsServers: ['192.0.2.53', '192.0.2.54'],
  searchDomains: ['corp.example'],
};

describe('snapshotKey', () => {
  it('does not depend on the order anything is listed in', () => {
    const shuffled: NetworkSnapshot = {
      interfaces: [base.interfaces[1]!, { ...base.interfaces[0]!, addresses: ['2001:db8::5/64', '192.0.2.10/24'] }],
      defaultRoutes: [...base.defaultRoutes].reverse(),
      dnsServers: ['192.0.2.54', '192.0.2.53'],
      searchDomains: ['Corp.Example.'],
    };
    expect(snapshotKey(shuffled)).toBe(snapshotKey(base));
  });

  it('changes with any address, link state, VPN flag, route, server or domain', () => {
    const variants: NetworkSnapshot[] = [
      { ...base, interfaces: [{ ...base.interfaces[0]!, addresses: ['192.0.2.11/24'] }, base.interfaces[1]!] },
      { ...base, interfaces: [{ ...base.interfaces[0]!, up: false }, base.interfaces[1]!] },
      { ...base, interfaces: [base.interfaces[0]!, { ...base.interfaces[1]!, vpn: false }] },
      { ...base, defaultRoutes: [{ gateway: '192.0.2.2', interface: 'eth0', family: 4 }] },
      { ...base, defaultRoutes: [...base.defaultRoutes, { gateway: 'fe80::1', interface: 'eth0', family: 6 }] },
      { ...base, dnsServers: ['192.0.2.53'] },
      { ...base, searchDomains: [] },
    ];
    const keys = new Set([base, ...variants].map(snapshotKey));
    expect(keys.size).toBe(variants.length + 1);
  });

  it('does not confuse an interface name with an address', () => {
    const a: NetworkSnapshot = { ...base, interfaces: [{ name: 'a', up: true, addresses: ['b'], vpn: false }] };
    const b: NetworkSnapshot = { ...base, interfaces: [{ name: 'a b', up: true, addresses: [], vpn: false }] };
    expect(snapshotKey(a)).not.toBe(snapshotKey(b));
  });
});

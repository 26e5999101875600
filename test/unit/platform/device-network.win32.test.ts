import { describe, expect, it } from 'vitest';
import type { NetworkCommand, TunnelNetworkPlan } from '../../../platform/device-network.js';
import {
  parseWin32Occupied,
  win32BlockedRouteCommand,
  win32DnsCommands,
  win32DnsRevertCommands,
  win32LinkCommands,
  win32RouteCommand,
  win32UnlinkCommands,
} from '../../../platform/device-network.win32.js';

const plan: TunnelNetworkPlan = { tunName: 'Waygate', address: '100.64.0.2/16', mtu: 1400, tunnelRoutes: [], blockedRoutes: [], dns: null };
const argv = (commands: readonly NetworkCommand[]): string[] => commands.map((command) => command.argv.join(' '));

describe('Windows link commands', () => {
  it('sets a static address with its mask, the MTU and the lowest metric, all until reboot (store=active)', () => {
    expect(argv(win32LinkCommands(plan, null))).toEqual([
      'netsh.exe interface ipv4 set address name=Waygate source=static address=100.64.0.2 mask=255.255.0.0 store=active',
      'netsh.exe interface ipv4 set subinterface Waygate mtu=1400 store=active',
      'netsh.exe interface ipv4 set interface Waygate metric=1 store=active',
    ]);
  });

  it('leaves the address alone when only the MTU changes, and removes it tolerantly', () => {
    expect(argv(win32LinkCommands({ ...plan, mtu: 1280 }, { address: '100.64.0.2/16' }))[0]).toBe('netsh.exe interface ipv4 set subinterface Waygate mtu=1280 store=active');
    expect(win32UnlinkCommands('Waygate', '100.64.0.2/16')).toEqual([
      { argv: ['netsh.exe', 'interface', 'ipv4', 'delete', 'address', 'name=Waygate', 'address=100.64.0.2', 'store=active'], mayFail: true },
    ]);
  });
});

describe('Windows routes', () => {
  it('adds and deletes routes into the TUN per family', () => {
    expect(win32RouteCommand('add', 'Waygate', '0.0.0.0/1').argv.join(' ')).toBe('netsh.exe interface ipv4 add route prefix=0.0.0.0/1 interface=Waygate store=active');
    expect(win32RouteCommand('delete', 'Waygate', '::/1').argv.join(' ')).toBe('netsh.exe interface ipv6 delete route prefix=::/1 interface=Waygate store=active');
  });

  it('blocks by routing into the TUN, which carries no IPv6', () => {
    expect(win32BlockedRouteCommand('add', 'Waygate', '8000::/1').argv.join(' ')).toBe('netsh.exe interface ipv6 add route prefix=8000::/1 interface=Waygate store=active');
  });
});

describe('Windows DNS', () => {
  it('sets the first server of each family and appends the rest, without validation', () => {
    expect(argv(win32DnsCommands('Waygate', { servers: ['100.64.0.1', 'fd00::53', '100.64.0.2'], searchDomains: [] }))).toEqual([
      'netsh.exe interface ipv4 set dnsservers name=Waygate source=static address=100.64.0.1 register=none validate=no',
      'netsh.exe interface ipv4 add dnsservers name=Waygate address=100.64.0.2 index=2 validate=no',
      'netsh.exe interface ipv6 set dnsservers name=Waygate source=static address=fd00::53 register=none validate=no',
    ]);
  });

  it('reverts by deleting every server of the TUN in both families', () => {
    expect(argv(win32DnsRevertCommands('Waygate'))).toEqual([
      'netsh.exe interface ipv4 delete dnsservers name=Waygate address=all validate=no',
      'netsh.exe interface ipv6 delete dnsservers name=Waygate address=all validate=no',
    ]);
  });
});

describe('Windows occupied networks', () => {
  it('reads PowerShell JSON rows (one row comes as an object), leaving out the own TUN', () => {
    const addresses = JSON.stringify([
      { IPAddress: '192.168.1.23', PrefixLength: 24, InterfaceAlias: 'Wi-Fi' },
      { IPAddress: '100.64.0.2', PrefixLength: 16, InterfaceAlias: 'Waygate' },
    ]);
    const routes = JSON.stringify({ DestinationPrefix: '10.20.0.0/16', InterfaceAlias: 'Ethernet' });
    expect(parseWin32Occupied(addresses, routes, 'Waygate')).toEqual(['192.168.1.23/24', '10.20.0.0/16']);
  });
});

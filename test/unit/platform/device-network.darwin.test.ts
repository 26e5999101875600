import { describe, expect, it } from 'vitest';
import type { NetworkCommand, TunnelNetworkPlan } from '../../../platform/device-network.js';
import {
  darwinBlockedRouteCommand,
  darwinLinkCommands,
  darwinRouteCommand,
  darwinUnlinkCommands,
  parseDarwinOccupied,
  parsePrimaryService,
  parseScutilDns,
  scutilRestoreDnsScript,
  scutilSetDnsScript,
} from '../../../platform/device-network.darwin.js';

const plan: TunnelNetworkPlan = { tunName: 'utun7', address: '100.64.0.2/16', mtu: 1400, tunnelRoutes: [], blockedRoutes: [], dns: null };
const argv = (commands: readonly NetworkCommand[]): string[] => commands.map((command) => command.argv.join(' '));

describe('macOS link commands', () => {
  it('gives the utun its point-to-point address, a route for its subnet, the MTU and up', () => {
    expect(argv(darwinLinkCommands(plan, null))).toEqual([
      '/sbin/ifconfig utun7 inet 100.64.0.2/16 100.64.0.2 alias',
      '/sbin/route -q -n add -inet -net 100.64.0.0/16 -interface utun7',
      '/sbin/ifconfig utun7 mtu 1400 up',
    ]);
  });

  it('takes the old address and its subnet route away before a new address', () => {
    expect(argv(darwinLinkCommands({ ...plan, address: '100.65.0.2/16' }, { address: '100.64.0.2/16' }))).toEqual([
      '/sbin/route -q -n delete -inet -net 100.64.0.0/16 -interface utun7',
      '/sbin/ifconfig utun7 inet 100.64.0.2 -alias',
      '/sbin/ifconfig utun7 inet 100.65.0.2/16 100.65.0.2 alias',
      '/sbin/route -q -n add -inet -net 100.65.0.0/16 -interface utun7',
      '/sbin/ifconfig utun7 mtu 1400 up',
    ]);
    expect(argv(darwinLinkCommands({ ...plan, mtu: 1300 }, { address: '100.64.0.2/16' }))).toEqual(['/sbin/ifconfig utun7 mtu 1300 up']);
    expect(darwinUnlinkCommands('utun7', '100.64.0.2/16').every((command) => command.mayFail)).toBe(true);
  });
});

describe('macOS routes', () => {
  it('routes each family into the utun', () => {
    expect(darwinRouteCommand('add', 'utun7', '0.0.0.0/1').argv.join(' ')).toBe('/sbin/route -q -n add -inet -net 0.0.0.0/1 -interface utun7');
    expect(darwinRouteCommand('delete', 'utun7', '8000::/1').argv.join(' ')).toBe('/sbin/route -q -n delete -inet6 -net 8000::/1 -interface utun7');
  });

  it('blocks with -reject routes to loopback, deleted without the flag', () => {
    expect(darwinBlockedRouteCommand('add', 'utun7', '::/1').argv.join(' ')).toBe('/sbin/route -q -n add -inet6 -net ::/1 ::1 -reject');
    expect(darwinBlockedRouteCommand('delete', 'utun7', '::/1').argv.join(' ')).toBe('/sbin/route -q -n delete -inet6 -net ::/1 ::1');
  });
});

describe('macOS DNS through scutil', () => {
  it('replaces the primary service DNS dictionary', () => {
    expect(scutilSetDnsScript('ABC-123', { servers: ['100.64.0.1', '100.64.0.2'], searchDomains: ['corp.example'] }).split('\n')).toEqual([
      'd.init',
      'd.add ServerAddresses * 100.64.0.1 100.64.0.2',
      'd.add SearchDomains * corp.example',
      'set State:/Network/Service/ABC-123/DNS',
      'quit',
      '',
    ]);
  });

  it('restores the saved dictionary, or removes the key when there was none', () => {
    const original = { servers: ['192.168.1.1'], searchDomains: [], domainName: 'lan' };
    expect(scutilRestoreDnsScript('ABC-123', original)).toBe('d.init\nd.add ServerAddresses * 192.168.1.1\nd.add DomainName lan\nset State:/Network/Service/ABC-123/DNS\nquit\n');
    expect(scutilRestoreDnsScript('ABC-123', null)).toBe('remove State:/Network/Service/ABC-123/DNS\nquit\n');
  });

  it('reads the primary service and a DNS dictionary as scutil prints them', () => {
    expect(parsePrimaryService('<dictionary> {\n  PrimaryInterface : en0\n  PrimaryService : 8F1B6B3C-1F2E-4D5A\n  Router : 192.168.1.1\n}\n')).toBe('8F1B6B3C-1F2E-4D5A');
    expect(parsePrimaryService('  No such key\n')).toBeNull();
    const shown = [
      '<dictionary> {',
      '  DomainName : lan',
      '  SearchDomains : <array> {',
      '    0 : lan',
      '    1 : corp.example',
      '  }',
      '  ServerAddresses : <array> {',
      '    0 : 192.168.1.1',
      '    1 : fd00::1',
      '  }',
      '}',
    ].join('\n');
    expect(parseScutilDns(shown)).toEqual({ servers: ['192.168.1.1', 'fd00::1'], searchDomains: ['lan', 'corp.example'], domainName: 'lan' });
    expect(parseScutilDns('  No such key\n')).toBeNull();
  });
});

describe('macOS occupied networks', () => {
  it('reads ifconfig netmasks and netstat destinations with their dropped zero octets', () => {
    const ifconfig = [
      'lo0: flags=8049<UP,LOOPBACK,RUNNING,MULTICAST> mtu 16384',
      '\tinet 127.0.0.1 netmask 0xff000000',
      'en0: flags=8863<UP,BROADCAST,SMART,RUNNING,SIMPLEX,MULTICAST> mtu 1500',
      '\tinet 192.168.1.23 netmask 0xffffff00 broadcast 192.168.1.255',
      'utun7: flags=8051<UP,POINTOPOINT,RUNNING,MULTICAST> mtu 1400',
      '\tinet 100.64.0.2 --> 100.64.0.2 netmask 0xffff0000',
    ].join('\n');
    const netstat = [
      'Routing tables',
      '',
      'Internet:',
      'Destination        Gateway            Flags           Netif Expire',
      'default            192.168.1.1        UGScg             en0',
      '10.20/16           192.168.1.254      UGSc              en0',
      '100.64/16          utun7              USc             utun7',
      '169.254            link#6             UCS               en0      !',
      '192.168.1.1        0:11:22:33:44:55   UHLWIir           en0   1182',
    ].join('\n');
    expect(parseDarwinOccupied(ifconfig, netstat, 'utun7')).toEqual(['127.0.0.1/8', '192.168.1.23/24', '10.20.0.0/16', '169.254.0.0/16', '192.168.1.1/32']);
  });
});

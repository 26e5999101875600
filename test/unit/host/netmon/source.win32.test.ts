import { describe, expect, it } from 'vitest';
import { parseWindowsSnapshot } from '../../../../host/netmon/parse-win32.js';
import { POWERSHELL_ARGS, WINDOWS_POLL_MS, WindowsNetmonSource } from '../../../../host/netmon/source.win32.js';
import type { CommandRunner } from '../../../../host/proxy/system-proxy.js';
import { ManualClock } from '../../../fakes/manual-clock.js';

/** As Windows PowerShell 5.1 prints the snapshot script on a laptop on Wi-Fi with a WireGuard tunnel and unplugged Ethernet. */
const LAPTOP = JSON.stringify({
  addresses: [
    { InterfaceIndex: 12, InterfaceAlias: 'Wi-Fi', IPAddress: 'fe80::8d4c:2b1a:77e0:1c3f%12', PrefixLength: 64 },
    { InterfaceIndex: 12, InterfaceAlias: 'Wi-Fi', IPAddress: '2001:db8:1::23', PrefixLength: 128 },
    { InterfaceIndex: 7, InterfaceAlias: 'Ethernet', IPAddress: 'fe80::5d1:aa2:3b4:9e1%7', PrefixLength: 64 },
    { InterfaceIndex: 1, InterfaceAlias: 'Loopback Pseudo-Interface 1', IPAddress: '::1', PrefixLength: 128 },
    { InterfaceIndex: 12, InterfaceAlias: 'Wi-Fi', IPAddress: '192.168.1.23', PrefixLength: 24 },
    { InterfaceIndex: 7, InterfaceAlias: 'Ethernet', IPAddress: '169.254.12.7', PrefixLength: 16 },
    { InterfaceIndex: 31, InterfaceAlias: 'corp', IPAddress: '10.8.0.2', PrefixLength: 32 },
    { InterfaceIndex: 1, InterfaceAlias: 'Loopback Pseudo-Interface 1', IPAddress: '127.0.0.1', PrefixLength: 8 },
  ],
  adapters: [
    { ifIndex: 12, Name: 'Wi-Fi', InterfaceDescription: 'Intel(R) Wi-Fi 6 AX201 160MHz', Status: 'Up' },
    { ifIndex: 7, Name: 'Ethernet', InterfaceDescription: 'Realtek USB GbE Family Controller', Status: 'Disconnected' },
    { ifIndex: 31, Name: 'corp', InterfaceDescription: 'WireGuard Tunnel', Status: 'Up' },
  ],
  routes: [
    { InterfaceIndex: 12, InterfaceAlias: 'Wi-Fi', DestinationPrefix: '0.0.0.0/0', NextHop: '192.168.1.1' },
    { InterfaceIndex: 31, InterfaceAlias: 'corp', DestinationPrefix: '0.0.0.0/0', NextHop: '0.0.0.0' },
    { InterfaceIndex: 12, InterfaceAlias: 'Wi-Fi', DestinationPrefix: '::/0', NextHop: 'fe80::1' },
  ],
  dns: [
    { InterfaceIndex: 12, InterfaceAlias: 'Wi-Fi', ServerAddresses: ['192.168.1.1'] },
    { InterfaceIndex: 12, InterfaceAlias: 'Wi-Fi', ServerAddresses: ['fec0:0:0:ffff::1', 'fec0:0:0:ffff::2', 'fec0:0:0:ffff::3'] },
    { InterfaceIndex: 7, InterfaceAlias: 'Ethernet', ServerAddresses: ['192.0.2.53'] },
    { InterfaceIndex: 31, InterfaceAlias: 'corp', ServerAddresses: ['10.8.0.1'] },
    { InterfaceIndex: 1, InterfaceAlias: 'Loopback Pseudo-Interface 1', ServerAddresses: [] },
  ],
  searchList: ['corp.example'],
});

describe('parseWindowsSnapshot', () => {
  it('joins addresses to adapters, takes DNS from connected interfaces only, and knows WireGuard by its driver', () => {
    expect(parseWindowsSnapshot(LAPTOP)).toEqual({
      interfaces: [
        { name: 'Wi-Fi', up: true, addresses: ['fe80::8d4c:2b1a:77e0:1c3f/64', '2001:db8:1::23/128', '192.168.1.23/24'], vpn: false },
        { name: 'Ethernet', up: false, addresses: ['fe80::5d1:aa2:3b4:9e1/64', '169.254.12.7/16'], vpn: false },
        { name: 'corp', up: true, addresses: ['10.8.0.2/32'], vpn: true },
        { name: 'Loopback Pseudo-Interface 1', up: true, addresses: ['::1/128', '127.0.0.1/8'], vpn: false },
      ],
      defaultRoutes: [
        { gateway: '192.168.1.1', interface: 'Wi-Fi', family: 4 },
        { gateway: null, interface: 'corp', family: 4 },
        { gateway: 'fe80::1', interface: 'Wi-Fi', family: 6 },
      ],
      dnsServers: ['192.168.1.1', '10.8.0.1'],
      searchDomains: ['corp.example'],
    });
  });

  it("accepts ConvertTo-Json's collapsed single entries, {value, Count} arrays and nulls", () => {
    const text = JSON.stringify({
      addresses: { value: [{ InterfaceIndex: 4, InterfaceAlias: 'Ethernet', IPAddress: '192.0.2.10', PrefixLength: 24 }], Count: 1 },
      adapters: { ifIndex: 4, Name: 'Ethernet', InterfaceDescription: 'Intel(R) Ethernet Connection I219-V', Status: 'Up' },
      routes: { InterfaceIndex: 4, InterfaceAlias: 'Ethernet', DestinationPrefix: '0.0.0.0/0', NextHop: '192.0.2.1' },
      dns: { InterfaceIndex: 4, InterfaceAlias: 'Ethernet', ServerAddresses: '192.0.2.53' },
      searchList: null,
    });
    expect(parseWindowsSnapshot(text)).toEqual({
      interfaces: [{ name: 'Ethernet', up: true, addresses: ['192.0.2.10/24'], vpn: false }],
      defaultRoutes: [{ gateway: '192.0.2.1', interface: 'Ethernet', family: 4 }],
      dnsServers: ['192.0.2.53'],
      searchDomains: [],
    });
  });

  it('throws on output that is not the JSON object it asked for', () => {
    expect(() => parseWindowsSnapshot('Get-NetIPAddress : Access is denied.')).toThrow();
  });
});

describe('WindowsNetmonSource', () => {
  it('runs one PowerShell without profile or prompts and parses what it prints', async () => {
    const calls: string[][] = [];
    const run: CommandRunner = (file, args) => {
      calls.push([file, ...args]);
      return Promise.resolve({ code: 0, stdout: LAPTOP, stderr: '' });
    };
    const snapshot = await new WindowsNetmonSource(run, new ManualClock()).read();
    expect(snapshot.searchDomains).toEqual(['corp.example']);
    expect(calls).toEqual([['powershell.exe', ...POWERSHELL_ARGS]]);
    expect(POWERSHELL_ARGS.slice(0, 2)).toEqual(['-NoProfile', '-NonInteractive']);
    const script = POWERSHELL_ARGS.at(-1) ?? '';
    for (const cmdlet of ['Get-NetIPAddress', 'Get-NetRoute', 'Get-DnsClientServerAddress', 'Get-DnsClientGlobalSetting', 'ConvertTo-Json']) expect(script).toContain(cmdlet);
  });

  it('rejects with what PowerShell said when it fails', async () => {
    const run: CommandRunner = () => Promise.resolve({ code: 127, stdout: '', stderr: 'powershell.exe: not found' });
    await expect(new WindowsNetmonSource(run, new ManualClock()).read()).rejects.toThrow(/not found/);
  });

  it('raises an event every 5 s until stopped', () => {
    const clock = new ManualClock();
    let events = 0;
    const stop = new WindowsNetmonSource(undefined, clock).watch(() => (events += 1));
    clock.advance(2 * WINDOWS_POLL_MS);
    stop();
    clock.advance(2 * WINDOWS_POLL_MS);
    expect(events).toBe(2);
  });
});

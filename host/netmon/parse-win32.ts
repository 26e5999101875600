/**
 * The Windows snapshot: one PowerShell run (starting PowerShell costs far more than the queries) of
 * Get-NetIPAddress, Get-NetAdapter, Get-NetRoute, Get-DnsClientServerAddress and
 * Get-DnsClientGlobalSetting, printed as one JSON object, and its pure parser.
 */
import { z } from 'zod';
import { isVpnName, stripZone, type DefaultRoute, type NetworkInterface, type NetworkSnapshot } from './snapshot.js';

export const WINDOWS_SNAPSHOT_SCRIPT = [
  "$ErrorActionPreference = 'SilentlyContinue'",
  '[pscustomobject]@{',
  '  addresses = @(Get-NetIPAddress | Select-Object InterfaceIndex, InterfaceAlias, IPAddress, PrefixLength)',
  '  adapters = @(Get-NetAdapter -IncludeHidden | Select-Object ifIndex, Name, InterfaceDescription, Status)',
  "  routes = @(Get-NetRoute -DestinationPrefix '0.0.0.0/0', '::/0' -PolicyStore ActiveStore | Select-Object InterfaceIndex, InterfaceAlias, DestinationPrefix, NextHop)",
  '  dns = @(Get-DnsClientServerAddress | Select-Object InterfaceIndex, InterfaceAlias, ServerAddresses)',
  '  searchList = @((Get-DnsClientGlobalSetting).SuffixSearchList)',
  '} | ConvertTo-Json -Depth 4 -Compress',
].join('\n');

/**
 * A list as ConvertTo-Json writes it: a one-element array may come as the element itself, Windows
 * PowerShell 5.1 sometimes wraps arrays as `{value, Count}`, and null stands for none. Entries of
 * another shape are skipped.
 */
function list<T>(item: z.ZodType<T>) {
  return z.unknown().transform((value): T[] => {
    const values: unknown[] =
      value === null || value === undefined
        ? []
        : Array.isArray(value)
          ? value
          : typeof value === 'object' && 'value' in value && Array.isArray(value.value)
            ? value.value
            : [value];
    return values.flatMap((v) => {
      const result = item.safeParse(v);
      return result.success ? [result.data] : [];
    });
  });
}

const Address = z.object({ InterfaceIndex: z.number(), InterfaceAlias: z.string(), IPAddress: z.string(), PrefixLength: z.number() });
const Adapter = z.object({ ifIndex: z.number(), Name: z.string(), InterfaceDescription: z.string().nullish(), Status: z.string().nullish() });
const Route = z.object({ InterfaceIndex: z.number(), InterfaceAlias: z.string(), DestinationPrefix: z.string(), NextHop: z.string() });
const Dns = z.object({ InterfaceIndex: z.number(), InterfaceAlias: z.string(), ServerAddresses: list(z.string()) });

const WindowsSnapshot = z.object({
  addresses: list(Address),
  adapters: list(Adapter),
  routes: list(Route),
  dns: list(Dns),
  searchList: list(z.string()),
});

/** Adapter descriptions of VPN drivers: their aliases are whatever the user named the connection. */
const VPN_DESCRIPTION = /wireguard|wintun|tap-windows|openvpn|vpn|anyconnect|fortinet|globalprotect|pangp|juniper|pulse secure|zscaler|ppp/i;

/** Windows lists these for every interface without IPv6 DNS configured: placeholders, not servers. */
const SITE_LOCAL_DNS_PLACEHOLDER = /^fec0:0:0:ffff::[123]$/i;

/**
 * Interfaces that Get-NetAdapter does not list (the loopback pseudo-interface) count as up. DNS
 * servers come only from interfaces that are up: a disconnected adapter keeps its static servers.
 */
export function parseWindowsSnapshot(json: string): NetworkSnapshot {
  const data = WindowsSnapshot.parse(JSON.parse(json));
  const adapters = new Map(data.adapters.map((a) => [a.ifIndex, a]));
  const isUp = (index: number): boolean => {
    const status = adapters.get(index)?.Status;
    return status === undefined || status === null || status === 'Up';
  };

  const interfaces = new Map<number, NetworkInterface>();
  const interfaceFor = (index: number, alias: string): NetworkInterface => {
    let found = interfaces.get(index);
    if (!found) {
      const description = adapters.get(index)?.InterfaceDescription ?? '';
      found = { name: alias, up: isUp(index), addresses: [], vpn: isVpnName(alias) || VPN_DESCRIPTION.test(description) };
      interfaces.set(index, found);
    }
    return found;
  };
  for (const adapter of data.adapters) interfaceFor(adapter.ifIndex, adapter.Name);
  for (const a of data.addresses) interfaceFor(a.InterfaceIndex, a.InterfaceAlias).addresses.push(`${stripZone(a.IPAddress)}/${a.PrefixLength}`);

  const defaultRoutes = data.routes.flatMap((r): DefaultRoute[] => {
    const family = r.DestinationPrefix === '0.0.0.0/0' ? 4 : r.DestinationPrefix === '::/0' ? 6 : null;
    if (family === null) return [];
    const onLink = r.NextHop === '0.0.0.0' || r.NextHop === '::';
    return [{ gateway: onLink ? null : stripZone(r.NextHop), interface: r.InterfaceAlias, family }];
  });

  const dnsServers = data.dns
    .filter((d) => isUp(d.InterfaceIndex))
    .flatMap((d) => d.ServerAddresses.map(stripZone))
    .filter((server) => !SITE_LOCAL_DNS_PLACEHOLDER.test(server));

  return {
    interfaces: [...interfaces.values()],
    defaultRoutes,
    dnsServers: [...new Set(dnsServers)],
    searchDomains: data.searchList,
  };
}

/**
 * The device's tunnel network on Windows, written against Microsoft's documented netsh commands
 * ("Netsh interface ipv4/ipv6" in the Windows Commands reference) and unit-tested on what it
 * generates (Linux is where it runs for real here). Every change is `store=active`: it lasts until
 * the next boot at most, so a crash followed by a reboot leaves nothing behind.
 *
 * - `netsh interface ipv4 set address name=TUN source=static address=A mask=M store=active`
 * - `netsh interface ipv4 set subinterface TUN mtu=N store=active`
 * - `netsh interface ipv4 set interface TUN metric=1 store=active`: the lowest metric makes Windows
 *   ask the tunnel's DNS servers first, and prefer its routes where prefixes tie.
 * - `netsh interface ipv4|ipv6 add|delete route prefix=CIDR interface=TUN store=active`
 * - `netsh interface ipv4|ipv6 set|add dnsservers name=TUN … validate=no` (validate=no: the servers
 *   are only reachable once the routes are up), `delete dnsservers name=TUN address=all` to undo.
 * - networks in use from PowerShell's Get-NetIPAddress / Get-NetRoute as JSON (netsh's tables are
 *   translated into the display language, JSON is not).
 *
 * Limits: netsh has no reject route, so blocked ranges are routed into the TUN, where the relay
 * drops what it does not carry; a Wintun adapter goes away with the service, taking those routes
 * with it. netsh cannot set a per-interface search list, so search domains are not applied.
 */
import { execFile } from 'node:child_process';
import { z } from 'zod';
import { parseCidr } from '../protocol/ip.js';
import { parseInterfaceAddress } from '../protocol/tunnel.js';
import {
  DeviceNetworkError,
  type DeviceNetworkBackend,
  type DnsLeftover,
  type NetworkCommand,
  type TunnelDns,
  type TunnelNetworkPlan,
} from './device-network.js';

const COMMAND_TIMEOUT_MS = 15_000;
const NETSH = 'netsh.exe';
const POWERSHELL = 'powershell.exe';
const HINT = 'The service must run as LocalSystem (or an administrator) to change the network.';

function dotted(value: bigint): string {
  return [24n, 16n, 8n, 0n].map((shift) => String((value >> shift) & 0xffn)).join('.');
}

function context(cidrOrIp: string): 'ipv4' | 'ipv6' {
  return cidrOrIp.includes(':') ? 'ipv6' : 'ipv4';
}

// ── commands (pure) ──────────────────────────────────────────────────────────────────────────────

export function win32LinkCommands(plan: TunnelNetworkPlan, previous: { readonly address: string } | null): NetworkCommand[] {
  const { tunName, address, mtu } = plan;
  const parsed = parseInterfaceAddress(address);
  if (parsed === null) throw new DeviceNetworkError(`Tunnel network: "${address}" is not an IPv4 address with a prefix.`);
  const prefix = BigInt(parsed.network.prefix);
  const mask = ((1n << 32n) - 1n) ^ ((1n << (32n - prefix)) - 1n);
  const commands: NetworkCommand[] = [];
  // `set address … source=static` replaces every address on the interface, the previous one included.
  if (previous === null || previous.address !== address) {
    commands.push({
      argv: [NETSH, 'interface', 'ipv4', 'set', 'address', `name=${tunName}`, 'source=static', `address=${dotted(parsed.address.value)}`, `mask=${dotted(mask)}`, 'store=active'],
    });
  }
  commands.push(
    { argv: [NETSH, 'interface', 'ipv4', 'set', 'subinterface', tunName, `mtu=${mtu}`, 'store=active'] },
    { argv: [NETSH, 'interface', 'ipv4', 'set', 'interface', tunName, 'metric=1', 'store=active'] },
  );
  return commands;
}

export function win32UnlinkCommands(tunName: string, address: string): NetworkCommand[] {
  return [{ argv: [NETSH, 'interface', 'ipv4', 'delete', 'address', `name=${tunName}`, `address=${address.split('/')[0] ?? address}`, 'store=active'], mayFail: true }];
}

export function win32RouteCommand(action: 'add' | 'delete', tunName: string, cidr: string): NetworkCommand {
  const parsed = parseCidr(cidr);
  const family = parsed.ok && parsed.cidr.version === 'ipv6' ? 'ipv6' : 'ipv4';
  return { argv: [NETSH, 'interface', family, action, 'route', `prefix=${cidr}`, `interface=${tunName}`, 'store=active'] };
}

/** See the module comment: into the TUN, where nothing not carried gets through. */
export function win32BlockedRouteCommand(action: 'add' | 'delete', tunName: string, cidr: string): NetworkCommand {
  return win32RouteCommand(action, tunName, cidr);
}

/** The first server of each family with `set` (replacing any), the rest appended with `add … index=N`. */
export function win32DnsCommands(tunName: string, dns: TunnelDns): NetworkCommand[] {
  const commands: NetworkCommand[] = [];
  for (const family of ['ipv4', 'ipv6'] as const) {
    const servers = dns.servers.filter((server) => context(server) === family);
    servers.forEach((server, index) => {
      commands.push({
        argv:
          index === 0
            ? [NETSH, 'interface', family, 'set', 'dnsservers', `name=${tunName}`, 'source=static', `address=${server}`, 'register=none', 'validate=no']
            : [NETSH, 'interface', family, 'add', 'dnsservers', `name=${tunName}`, `address=${server}`, `index=${index + 1}`, 'validate=no'],
      });
    });
  }
  return commands;
}

export function win32DnsRevertCommands(tunName: string): NetworkCommand[] {
  return (['ipv4', 'ipv6'] as const).map((family) => ({
    argv: [NETSH, 'interface', family, 'delete', 'dnsservers', `name=${tunName}`, 'address=all', 'validate=no'],
    mayFail: true,
  }));
}

const PowerShellRows = z.union([z.array(z.record(z.string(), z.unknown())), z.record(z.string(), z.unknown())]);

/**
 * `Get-NetIPAddress -AddressFamily IPv4 | Select-Object IPAddress,PrefixLength,InterfaceAlias | ConvertTo-Json`
 * and the same of `Get-NetRoute` (DestinationPrefix, InterfaceAlias). ConvertTo-Json prints a single
 * row as an object rather than an array of one.
 */
export function parseWin32Occupied(addressesJson: string, routesJson: string, ownTun: string): string[] {
  const rows = (text: string): Record<string, unknown>[] => {
    if (text.trim() === '') return [];
    const parsed = PowerShellRows.safeParse(JSON.parse(text));
    if (!parsed.success) throw new DeviceNetworkError('Tunnel network: PowerShell printed something other than the expected JSON rows.');
    return Array.isArray(parsed.data) ? parsed.data : [parsed.data];
  };
  const occupied = new Set<string>();
  for (const row of rows(addressesJson)) {
    if (row.InterfaceAlias === ownTun || typeof row.IPAddress !== 'string' || typeof row.PrefixLength !== 'number') continue;
    occupied.add(`${row.IPAddress}/${row.PrefixLength}`);
  }
  for (const row of rows(routesJson)) {
    if (row.InterfaceAlias === ownTun || typeof row.DestinationPrefix !== 'string') continue;
    occupied.add(row.DestinationPrefix);
  }
  return [...occupied];
}

// ── running them ─────────────────────────────────────────────────────────────────────────────────

function run(command: NetworkCommand): Promise<string> {
  const [program, ...args] = command.argv;
  return new Promise((resolve, reject) => {
    execFile(program, args, { encoding: 'utf8', timeout: COMMAND_TIMEOUT_MS, windowsHide: true }, (error, stdout, stderr) => {
      // netsh writes its errors to stdout.
      if (error) reject(DeviceNetworkError.commandFailed(command.argv, stderr || stdout || error.message, HINT));
      else resolve(stdout);
    });
  });
}

function powershellJson(script: string): NetworkCommand {
  return { argv: [POWERSHELL, '-NoProfile', '-NonInteractive', '-Command', script] };
}

export class WindowsDeviceNetworkBackend implements DeviceNetworkBackend {
  readonly readdressKeepsRoutes = true;
  readonly run = run;
  readonly linkCommands = win32LinkCommands;
  readonly unlinkCommands = win32UnlinkCommands;
  readonly routeCommand = win32RouteCommand;
  readonly blockedRouteCommand = win32BlockedRouteCommand;

  /** Nothing to save: ours are the TUN adapter's own DNS servers, and deleting them is the whole undo. */
  readonly prepareDns = (): Promise<DnsLeftover> => Promise.resolve({ kind: 'netsh' });

  readonly setDns = async (tunName: string, dns: TunnelDns): Promise<void> => {
    for (const command of win32DnsCommands(tunName, dns)) await run(command);
  };

  readonly restoreDns = async (tunName: string, saved: DnsLeftover): Promise<boolean> => {
    if (saved.kind !== 'netsh') return false;
    let any = false;
    for (const command of win32DnsRevertCommands(tunName)) any = (await run(command).then(() => true, () => false)) || any;
    return any;
  };

  /** A Wintun adapter is the TUN module's to delete (by the Wintun API, not by name from here). */
  readonly deleteTun = (): Promise<boolean> => Promise.resolve(false);

  readonly occupiedNetworks = async (ownTun: string): Promise<string[]> => {
    const [addresses, routes] = await Promise.all([
      run(powershellJson('Get-NetIPAddress -AddressFamily IPv4 | Select-Object IPAddress,PrefixLength,InterfaceAlias | ConvertTo-Json -Compress')),
      run(powershellJson('Get-NetRoute -AddressFamily IPv4 | Select-Object DestinationPrefix,InterfaceAlias | ConvertTo-Json -Compress')),
    ]);
    return parseWin32Occupied(addresses, routes, ownTun);
  };
}

/**
 * The device's tunnel network on macOS, written against Apple's documented commands and unit-tested
 * on what it generates (Linux is where it runs for real here):
 *
 * - ifconfig(8): `ifconfig utunN inet ADDR/PREFIX ADDR alias` (a utun is point-to-point, so the local
 *   address is also given as the destination, as wg-quick's darwin script does), `-alias` to take it
 *   away, `mtu N up`. The interface's own subnet then gets a route with route(8), since a
 *   point-to-point address brings only a host route.
 * - route(8): `route -q -n add -inet|-inet6 -net CIDR -interface utunN` into the tunnel; blocked
 *   ranges get `-reject` routes to the loopback address ("emit an ICMP unreachable when matched").
 * - scutil(8) dynamic store, the way Tunnelblick's and OpenVPN's macOS up-scripts do: the primary
 *   service's ID from State:/Network/Global/IPv4 (PrimaryService), its State:/Network/Service/ID/DNS
 *   dictionary saved, then replaced with ours (d.init, d.add ServerAddresses * …, set …); restored
 *   (or removed, when it had none) afterwards.
 *
 * Limits: a utun disappears when its descriptor closes, so there is no TUN to delete after a crash
 * (its routes go with it; the -reject routes and the DNS do not, and are cleaned up). configd may
 * rewrite the primary service's DNS on a DHCP renewal while the tunnel is up; the manager's next
 * apply puts ours back.
 */
import { execFile } from 'node:child_process';
import { parseCidr, parseIp } from '../protocol/ip.js';
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
const IFCONFIG = '/sbin/ifconfig';
const ROUTE = '/sbin/route';
const SCUTIL = '/usr/sbin/scutil';
const NETSTAT = '/usr/sbin/netstat';

type SavedScutilDns = Extract<DnsLeftover, { kind: 'scutil' }>['original'];

function familyFlag(cidr: string): '-inet' | '-inet6' {
  const parsed = parseCidr(cidr);
  return parsed.ok && parsed.cidr.version === 'ipv6' ? '-inet6' : '-inet';
}

/** The network of an interface address, `100.64.0.2/16` → `100.64.0.0/16`. */
function subnetOf(address: string): string {
  const parsed = parseInterfaceAddress(address);
  if (parsed === null) throw new DeviceNetworkError(`Tunnel network: "${address}" is not an IPv4 address with a prefix.`);
  const { network, prefix } = parsed.network;
  return `${[24n, 16n, 8n, 0n].map((shift) => String((network >> shift) & 0xffn)).join('.')}/${prefix}`;
}

function hostOf(address: string): string {
  return address.split('/')[0] ?? address;
}

// ── commands (pure) ──────────────────────────────────────────────────────────────────────────────

export function darwinLinkCommands(plan: TunnelNetworkPlan, previous: { readonly address: string } | null): NetworkCommand[] {
  const { tunName, address, mtu } = plan;
  const commands: NetworkCommand[] = [];
  if (previous !== null && previous.address !== address) commands.push(...darwinUnlinkCommands(tunName, previous.address));
  if (previous === null || previous.address !== address) {
    commands.push(
      { argv: [IFCONFIG, tunName, 'inet', address, hostOf(address), 'alias'] },
      // "File exists" when a crashed run's route is still there, which is the route we want.
      { argv: [ROUTE, '-q', '-n', 'add', '-inet', '-net', subnetOf(address), '-interface', tunName], mayFail: true },
    );
  }
  commands.push({ argv: [IFCONFIG, tunName, 'mtu', String(mtu), 'up'] });
  return commands;
}

export function darwinUnlinkCommands(tunName: string, address: string): NetworkCommand[] {
  return [
    { argv: [ROUTE, '-q', '-n', 'delete', '-inet', '-net', subnetOf(address), '-interface', tunName], mayFail: true },
    { argv: [IFCONFIG, tunName, 'inet', hostOf(address), '-alias'], mayFail: true },
  ];
}

export function darwinRouteCommand(action: 'add' | 'delete', tunName: string, cidr: string): NetworkCommand {
  return { argv: [ROUTE, '-q', '-n', action, familyFlag(cidr), '-net', cidr, '-interface', tunName] };
}

export function darwinBlockedRouteCommand(action: 'add' | 'delete', _tunName: string, cidr: string): NetworkCommand {
  const family = familyFlag(cidr);
  const loopback = family === '-inet6' ? '::1' : '127.0.0.1';
  return { argv: [ROUTE, '-q', '-n', action, family, '-net', cidr, loopback, ...(action === 'add' ? ['-reject'] : [])] };
}

export function serviceDnsKey(serviceId: string): string {
  return `State:/Network/Service/${serviceId}/DNS`;
}

/** scutil reads its commands from stdin; one value per argument of `d.add KEY * …` makes an array. */
export function scutilSetDnsScript(serviceId: string, dns: { servers: readonly string[]; searchDomains: readonly string[]; domainName?: string | null }): string {
  return [
    'd.init',
    `d.add ServerAddresses * ${dns.servers.join(' ')}`,
    ...(dns.searchDomains.length > 0 ? [`d.add SearchDomains * ${dns.searchDomains.join(' ')}`] : []),
    ...(dns.domainName ? [`d.add DomainName ${dns.domainName}`] : []),
    `set ${serviceDnsKey(serviceId)}`,
    'quit',
    '',
  ].join('\n');
}

export function scutilRestoreDnsScript(serviceId: string, original: SavedScutilDns): string {
  if (original === null) return `remove ${serviceDnsKey(serviceId)}\nquit\n`;
  return scutilSetDnsScript(serviceId, original);
}

/** `PrimaryService : <id>` from `show State:/Network/Global/IPv4`. */
export function parsePrimaryService(stdout: string): string | null {
  return /^\s*PrimaryService : (\S+)\s*$/m.exec(stdout)?.[1] ?? null;
}

/**
 * A DNS dictionary as `scutil` prints it (`show KEY`): arrays as `Name : <array> {` then `N : value`
 * lines, plain values as `Name : value`. null when the key does not exist ("No such key").
 */
export function parseScutilDns(stdout: string): SavedScutilDns {
  if (!stdout.includes('<dictionary>')) return null;
  const arrays = new Map<string, string[]>();
  let current: string[] | null = null;
  let domainName: string | null = null;
  for (const line of stdout.split(/\r?\n/)) {
    const start = /^\s*(\w+) : <array> \{\s*$/.exec(line);
    if (start?.[1] !== undefined) {
      current = [];
      arrays.set(start[1], current);
      continue;
    }
    if (/^\s*\}\s*$/.test(line)) {
      current = null;
      continue;
    }
    const item = /^\s*\d+ : (.+?)\s*$/.exec(line);
    if (current !== null && item?.[1] !== undefined) {
      current.push(item[1]);
      continue;
    }
    const value = /^\s*DomainName : (.+?)\s*$/.exec(line);
    if (value?.[1] !== undefined) domainName = value[1];
  }
  return { servers: arrays.get('ServerAddresses') ?? [], searchDomains: arrays.get('SearchDomains') ?? [], domainName };
}

/**
 * IPv4 networks from `ifconfig` (`inet A netmask 0xffff0000`) and `netstat -rn -f inet`, whose
 * destinations drop trailing zero octets (`10.0.2/24`, and `169.254` for a classful /16).
 */
export function parseDarwinOccupied(ifconfig: string, netstat: string, ownTun: string): string[] {
  const occupied = new Set<string>();
  let iface = '';
  for (const line of ifconfig.split(/\r?\n/)) {
    const header = /^(\S+?):/.exec(line);
    if (header?.[1] !== undefined) iface = header[1];
    const inet = /^\s+inet (\S+) .*netmask 0x([0-9a-f]{8})/.exec(line);
    if (inet?.[1] === undefined || inet[2] === undefined || iface === ownTun) continue;
    const prefix = [...parseInt(inet[2], 16).toString(2)].filter((bit) => bit === '1').length;
    occupied.add(`${inet[1]}/${prefix}`);
  }
  for (const line of netstat.split(/\r?\n/)) {
    const [destination = '', , , netif = ''] = line.trim().split(/\s+/);
    if (netif === ownTun || !/^\d+(\.\d+){0,3}(\/\d+)?$/.test(destination)) continue;
    const [dotted = '', prefixText] = destination.split('/');
    const octets = dotted.split('.');
    const prefix = prefixText ?? String(octets.length * 8);
    const padded = [...octets, '0', '0', '0'].slice(0, 4).join('.');
    if (parseIp(padded) !== null) occupied.add(`${padded}/${prefix}`);
  }
  return [...occupied];
}

// ── running them ─────────────────────────────────────────────────────────────────────────────────

function run(command: NetworkCommand): Promise<string> {
  const [program, ...args] = command.argv;
  return new Promise((resolve, reject) => {
    const child = execFile(program, args, { encoding: 'utf8', timeout: COMMAND_TIMEOUT_MS }, (error, stdout, stderr) => {
      if (error) reject(DeviceNetworkError.commandFailed(command.argv, stderr || error.message, 'The service must run as root (its LaunchDaemon) to change the network.'));
      // scutil exits 0 even when a `set` or `remove` fails, and says so on stdout, where it prints
      // nothing otherwise; only `show` scripts are expected to print. Removing what is gone is fine.
      else if (program === SCUTIL && scutilFailed(command.stdin ?? '', stdout)) {
        reject(DeviceNetworkError.commandFailed(command.argv, stdout, 'The service must run as root (its LaunchDaemon) to change DNS.'));
      } else resolve(stdout);
    });
    child.stdin?.on('error', () => undefined);
    child.stdin?.end(command.stdin);
  });
}

function scutilFailed(script: string, stdout: string): boolean {
  if (script.startsWith('show ') || stdout.trim() === '') return false;
  return !(script.startsWith('remove ') && /No such key/.test(stdout));
}

function scutil(script: string): NetworkCommand {
  return { argv: [SCUTIL], stdin: script };
}

export class DarwinDeviceNetworkBackend implements DeviceNetworkBackend {
  readonly readdressKeepsRoutes = true;
  readonly run = run;
  readonly linkCommands = darwinLinkCommands;
  readonly unlinkCommands = darwinUnlinkCommands;
  readonly routeCommand = darwinRouteCommand;
  readonly blockedRouteCommand = darwinBlockedRouteCommand;

  readonly prepareDns = async (): Promise<DnsLeftover> => {
    const serviceId = parsePrimaryService(await run(scutil('show State:/Network/Global/IPv4\nquit\n')));
    if (serviceId === null) throw new DeviceNetworkError('Tunnel network: macOS has no primary network service (State:/Network/Global/IPv4), so there is no DNS to replace; connect to a network first.');
    const original = parseScutilDns(await run(scutil(`show ${serviceDnsKey(serviceId)}\nquit\n`)));
    return { kind: 'scutil', serviceId, original };
  };

  readonly setDns = async (_tunName: string, dns: TunnelDns, saved: DnsLeftover): Promise<void> => {
    if (saved.kind !== 'scutil') throw new DeviceNetworkError(`Tunnel network: DNS saved as "${saved.kind}" cannot be set on macOS.`);
    await run(scutil(scutilSetDnsScript(saved.serviceId, dns)));
  };

  readonly restoreDns = async (_tunName: string, saved: DnsLeftover): Promise<boolean> => {
    if (saved.kind !== 'scutil') return false;
    await run(scutil(scutilRestoreDnsScript(saved.serviceId, saved.original)));
    return true;
  };

  /** A utun exists only while its descriptor is open: a crashed run's is already gone. */
  readonly deleteTun = (): Promise<boolean> => Promise.resolve(false);

  readonly occupiedNetworks = async (ownTun: string): Promise<string[]> => {
    const [ifconfig, netstat] = await Promise.all([run({ argv: [IFCONFIG, '-a'] }), run({ argv: [NETSTAT, '-rn', '-f', 'inet'] })]);
    return parseDarwinOccupied(ifconfig, netstat, ownTun);
  };
}


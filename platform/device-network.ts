/**
 * The device's network around its tunnel TUN: the TUN's address and MTU, the routes that send
 * traffic into it, the unreachable routes that keep IPv6 from leaking past it, and the DNS servers
 * the device uses while it is up. The service's tunnel manager is the only user.
 *
 * This file holds the interface, the pure checks, the leftovers record and the factory. Each OS file
 * (`device-network.linux.ts`, `.darwin.ts`, `.win32.ts`) exports its commands as pure functions
 * (unit-tested as data) and a `DeviceNetworkBackend` that runs them; `device-network-session.ts`
 * holds the logic every OS shares (diffing plans, the leftovers file, undo on failure), and
 * `device-network.fake.ts` stands in for all of it in tests without root.
 *
 * Crash safety: before anything changes, the leftovers record (in the service's state dir) lists
 * everything that may be in place afterwards: the TUN, every route, and what DNS looked like before
 * ours. A service killed while the tunnel is up calls `removeLeftovers` at its next start.
 */
import { rename } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { checkHostname } from '../protocol/hostname.js';
import { parseCidr, parseIp } from '../protocol/ip.js';
import { parseInterfaceAddress } from '../protocol/tunnel.js';
import type { NetworkCommand } from './netconfig.js';
import { readStateFile, writeFileAtomic } from './state-file.js';

export type { NetworkCommand } from './netconfig.js';

export interface TunnelNetworkPlan {
  readonly tunName: string;
  /** The device's address with its prefix, e.g. '100.64.0.2/16'. */
  readonly address: string;
  readonly mtu: number;
  /** CIDRs routed into the TUN (from planRoutes). */
  readonly tunnelRoutes: readonly string[];
  /** CIDRs made unreachable while the tunnel is up. */
  readonly blockedRoutes: readonly string[];
  /** null: leave the device's DNS alone. */
  readonly dns: TunnelDns | null;
}

export interface TunnelDns {
  readonly servers: readonly string[];
  readonly searchDomains: readonly string[];
}

export interface DeviceNetwork {
  /**
   * Address + MTU + link up, routes, DNS. Applying a new plan replaces the previous one (only the
   * differences change). Writes what it is about to change to the leftovers file (in stateDir, via
   * platform/state-file.ts) BEFORE changing anything. On failure undoes its own partial changes and
   * throws DeviceNetworkError naming the command and its stderr.
   */
  apply(plan: TunnelNetworkPlan): Promise<void>;
  /** Takes routes (tunnel and blocked) and DNS away but keeps the interface: fail-open while the edge is unreachable. A later apply() puts them back. */
  withdraw(): Promise<void>;
  /** Undoes everything this object applied and deletes the leftovers file. Idempotent. */
  remove(): Promise<void>;
}

export interface LeftoverReport {
  /** The TUN that was deleted; null when it was already gone (or, on Windows and macOS, cannot be deleted by name). */
  readonly tun: string | null;
  /** How many routes (tunnel and blocked) were still there and were removed. */
  readonly routes: number;
  /** Whether the device's DNS was put back as it was before the crashed run. */
  readonly dnsRestored: boolean;
  /** What could not be undone, each a sentence saying what to do; absent when everything was. */
  readonly problems?: readonly string[];
}

export interface DeviceNetworkPlatform {
  open(stateDir: string): DeviceNetwork;
  /**
   * At service start: undo what a crashed run left (routes, blocked routes, DNS, and the TUN
   * interface by name — the service makes its TUN persistent so a crash keeps blocking until
   * cleanup). null when nothing was left.
   */
  removeLeftovers(stateDir: string): Promise<LeftoverReport | null>;
  /** Networks in use on this device — interface addresses with prefix and route destinations — not counting `ownTun`; input for chooseTunnelRange. */
  occupiedNetworks(ownTun: string): Promise<string[]>;
}

/** A configuration step failed. When a command failed, `command` and `stderr` say which and what it printed. */
export class DeviceNetworkError extends Error {
  constructor(
    message: string,
    readonly command: readonly string[] | null = null,
    readonly stderr = '',
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'DeviceNetworkError';
  }

  /** `ip route replace …` exited non-zero: the message quotes the command and the first line of its stderr. */
  static commandFailed(argv: readonly string[], stderr: string, hint = 'The service must run as root (CAP_NET_ADMIN) to change the network.'): DeviceNetworkError {
    const said = (stderr.trim().split('\n')[0] ?? '').replace(/[.\s]+$/, '');
    return new DeviceNetworkError(`Tunnel network: \`${argv.join(' ')}\` failed${said ? `: ${said}` : ''}. ${hint}`, argv, stderr);
  }
}

// ── checks ───────────────────────────────────────────────────────────────────────────────────────

/**
 * Letters, digits, "_", "." and "-", up to 15: what Linux allows (IFNAMSIZ) without needing quotes
 * anywhere, and what utunN and a Wintun adapter name fit in.
 */
const TUN_NAME = /^[A-Za-z0-9_.-]{1,15}$/;
const MIN_IPV4_MTU = 576;
/** IPv6 requires every link to carry 1280-byte packets (RFC 8200 §5). */
const MIN_IPV6_MTU = 1280;
const MAX_MTU = 65_535;
/** Far more than any resolver reads (glibc: 3 servers); a bound only so that a broken plan cannot balloon the file. */
const MAX_DNS_ENTRIES = 32;

/** Throws a DeviceNetworkError saying which part of the plan is wrong. */
export function checkTunnelNetworkPlan(plan: TunnelNetworkPlan): void {
  const fail = (message: string): never => {
    throw new DeviceNetworkError(`Tunnel network plan: ${message}`);
  };
  if (!TUN_NAME.test(plan.tunName)) fail(`TUN name "${plan.tunName}" must be 1 to 15 letters, digits, "_", "." or "-".`);
  if (parseInterfaceAddress(plan.address) === null) fail(`address "${plan.address}" must be an IPv4 address with a prefix, like 100.64.0.2/16.`);
  const routes = [...plan.tunnelRoutes, ...plan.blockedRoutes].map((text) => {
    const parsed = parseCidr(text);
    if (!parsed.ok) return fail(`route "${text}" is not a network: ${parsed.message}`);
    return parsed.cidr;
  });
  const carriesIpv6 = routes.slice(0, plan.tunnelRoutes.length).some((cidr) => cidr.version === 'ipv6');
  const minMtu = carriesIpv6 ? MIN_IPV6_MTU : MIN_IPV4_MTU;
  if (!Number.isInteger(plan.mtu) || plan.mtu < minMtu || plan.mtu > MAX_MTU) {
    fail(`MTU ${plan.mtu} must be a whole number from ${minMtu} to ${MAX_MTU}${carriesIpv6 ? ' when IPv6 is routed into the tunnel' : ''}.`);
  }
  const overlap = plan.tunnelRoutes.find((route) => plan.blockedRoutes.includes(route));
  if (overlap !== undefined) fail(`${overlap} is both routed into the tunnel and blocked.`);
  if (plan.dns !== null) {
    const { servers, searchDomains } = plan.dns;
    if (servers.length === 0 || servers.length > MAX_DNS_ENTRIES) fail(`give 1 to ${MAX_DNS_ENTRIES} DNS servers (or dns: null), not ${servers.length}.`);
    for (const server of servers) {
      if (parseIp(server) === null || server.startsWith('[')) fail(`DNS server "${server}" is not an IPv4 or IPv6 address.`);
    }
    if (searchDomains.length > MAX_DNS_ENTRIES) fail(`give at most ${MAX_DNS_ENTRIES} search domains, not ${searchDomains.length}.`);
    for (const domain of searchDomains) {
      const problem = checkHostname(domain);
      if (problem !== null) fail(`search domain "${domain}": ${problem}`);
    }
  }
}

// ── leftovers record ─────────────────────────────────────────────────────────────────────────────

/** What DNS looked like before ours, per mechanism: enough to put it back after a crash. */
export const DnsLeftover = z.discriminatedUnion('kind', [
  /** systemd-resolved: our settings live on the TUN's link only; `resolvectl revert` drops them. */
  z.object({ kind: z.literal('resolved') }),
  /** A resolv.conf we rewrote in place; `original` is null when there was none. */
  z.object({ kind: z.literal('resolv-conf'), path: z.string().min(1), original: z.string().nullable() }),
  /** macOS: the primary network service whose State:/ DNS dictionary we replaced; `original` is null when it had none. */
  z.object({
    kind: z.literal('scutil'),
    serviceId: z.string().min(1),
    original: z.object({ servers: z.array(z.string()), searchDomains: z.array(z.string()), domainName: z.string().nullable() }).nullable(),
  }),
  /** Windows: static DNS servers on the TUN adapter only; deleting them (or the adapter) is the whole undo. */
  z.object({ kind: z.literal('netsh') }),
]);
export type DnsLeftover = z.infer<typeof DnsLeftover>;

export const DeviceNetworkLeftovers = z.object({
  version: z.literal(1),
  tun: z.string().min(1),
  /** The address set on the TUN; null before any was. */
  address: z.string().nullable(),
  tunnelRoutes: z.array(z.string()),
  blockedRoutes: z.array(z.string()),
  dns: DnsLeftover.nullable(),
});
export type DeviceNetworkLeftovers = z.infer<typeof DeviceNetworkLeftovers>;

export const LEFTOVERS_FILE = 'device-network.json';

export function leftoversPath(stateDir: string): string {
  return join(stateDir, LEFTOVERS_FILE);
}

/**
 * 0600: it holds the user's previous resolv.conf, which is no secret, but nobody else has a reason
 * to read or change what the service will run as root at its next start.
 */
export async function writeLeftovers(stateDir: string, record: DeviceNetworkLeftovers): Promise<void> {
  await writeFileAtomic(leftoversPath(stateDir), `${JSON.stringify(record, null, 2)}\n`, 0o600);
}

/**
 * The record, or null when there is none. One that cannot be read is moved aside (it would block every
 * later start) and reported, since whatever it described may still be in place.
 */
export async function readLeftovers(stateDir: string): Promise<DeviceNetworkLeftovers | null> {
  const path = leftoversPath(stateDir);
  try {
    return (await readStateFile(path, DeviceNetworkLeftovers)) ?? null;
  } catch (error) {
    const aside = `${path}.corrupt`;
    await rename(path, aside).catch(() => undefined);
    throw new DeviceNetworkError(
      `Tunnel network: the record of a previous run's changes (${path}) could not be read, so they were not undone; it was moved to ${aside}. ` +
        'Check the routes and DNS by hand (ip route, /etc/resolv.conf).',
      null,
      '',
      { cause: error },
    );
  }
}

// ── the OS side ──────────────────────────────────────────────────────────────────────────────────

/**
 * What each OS provides: its commands as data, and the few steps that need to read the system first
 * (DNS, the TUN's existence, the networks in use). `run` rejects with a DeviceNetworkError.
 */
export interface DeviceNetworkBackend {
  run(command: NetworkCommand): Promise<string>;
  /** True where changing the TUN's address never drops its routes, so they need not be set again (and adding one twice fails). */
  readonly readdressKeepsRoutes?: boolean;
  /** Address, MTU and link up; `previous` is what an earlier apply set, whose address goes if it differs. */
  linkCommands(plan: TunnelNetworkPlan, previous: { readonly address: string; readonly mtu: number } | null): NetworkCommand[];
  /** Takes the address away (the TUN itself belongs to the service); may fail when the TUN is gone. */
  unlinkCommands(tunName: string, address: string): NetworkCommand[];
  routeCommand(action: 'add' | 'delete', tunName: string, cidr: string): NetworkCommand;
  blockedRouteCommand(action: 'add' | 'delete', tunName: string, cidr: string): NetworkCommand;
  /** Reads what must be saved before our DNS goes in. */
  prepareDns(tunName: string): Promise<DnsLeftover>;
  setDns(tunName: string, dns: TunnelDns, saved: DnsLeftover): Promise<void>;
  /** Puts back what `saved` describes; false when there was nothing of ours left to undo. */
  restoreDns(tunName: string, saved: DnsLeftover): Promise<boolean>;
  /** Deletes a TUN a crashed run left; false when it does not exist (or cannot be deleted by name here). */
  deleteTun(tunName: string): Promise<boolean>;
  occupiedNetworks(ownTun: string): Promise<string[]>;
}

/** The implementation for this OS (dynamic import of the .linux/.darwin/.win32 module). */
export async function deviceNetworkPlatform(platform: NodeJS.Platform = process.platform): Promise<DeviceNetworkPlatform> {
  const { platformFor } = await import('./device-network-session.js');
  switch (platform) {
    case 'linux': {
      const { LinuxDeviceNetworkBackend } = await import('./device-network.linux.js');
      return platformFor(new LinuxDeviceNetworkBackend());
    }
    case 'darwin': {
      const { DarwinDeviceNetworkBackend } = await import('./device-network.darwin.js');
      return platformFor(new DarwinDeviceNetworkBackend());
    }
    case 'win32': {
      const { WindowsDeviceNetworkBackend } = await import('./device-network.win32.js');
      return platformFor(new WindowsDeviceNetworkBackend());
    }
    default:
      throw new DeviceNetworkError(`The tunnel's network setup is not supported on ${platform}; Waygate's tunnel runs on Linux, macOS and Windows.`);
  }
}

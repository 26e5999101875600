/**
 * The device's tunnel network on Linux, with iproute2 (ip-address(8), ip-link(8), ip-route(8)) and,
 * for DNS, systemd-resolved (resolvectl(1)) when it is in charge, else /etc/resolv.conf
 * (resolv.conf(5)). Commands are pure functions below, unit-tested as data; the backend runs them
 * with execFile (no shell) and a timeout.
 *
 * Needs CAP_NET_ADMIN in the network namespace it runs in; it changes nothing outside it except
 * /etc/resolv.conf as the process sees it (a bind mount under `ip netns exec`).
 */
import { execFile } from 'node:child_process';
import { open, readFile, readlink, rm } from 'node:fs/promises';
import { z } from 'zod';
import { parseCidr } from '../protocol/ip.js';
import {
  DeviceNetworkError,
  type DeviceNetworkBackend,
  type DnsLeftover,
  type NetworkCommand,
  type TunnelDns,
  type TunnelNetworkPlan,
} from './device-network.js';

/** A wedged command (resolved not answering on D-Bus) must not hang the tunnel manager. */
const COMMAND_TIMEOUT_MS = 15_000;
export const RESOLV_CONF = '/etc/resolv.conf';
/** resolv.conf is a symlink into this directory when systemd-resolved manages it (systemd-resolved.service(8)). */
const RESOLVED_DIR = '/run/systemd/resolve/';
/** The first line of every resolv.conf we write: how we (and whoever reads the file) know it is ours. */
export const RESOLV_CONF_MARKER = '# Written by Waygate while its tunnel is up.';

// ── commands (pure) ──────────────────────────────────────────────────────────────────────────────

function family(cidr: string): '-4' | '-6' {
  const parsed = parseCidr(cidr);
  return parsed.ok && parsed.cidr.version === 'ipv6' ? '-6' : '-4';
}

/**
 * Address, MTU, link up. When the address changes, the new one is added before the old goes (so the
 * TUN is never without one, which would flush its routes), then set again: with
 * promote_secondaries off, deleting the old primary also deletes a new address in the same subnet.
 */
export function linkCommands(plan: TunnelNetworkPlan, previous: { readonly address: string } | null): NetworkCommand[] {
  const { tunName, address, mtu } = plan;
  const set: NetworkCommand = { argv: ['ip', 'address', 'replace', address, 'dev', tunName] };
  const change: NetworkCommand[] =
    previous === null || previous.address === address ? [] : [{ argv: ['ip', 'address', 'delete', previous.address, 'dev', tunName], mayFail: true }, set];
  return [set, ...change, { argv: ['ip', 'link', 'set', 'dev', tunName, 'mtu', String(mtu), 'up'] }];
}

/** The TUN itself belongs to the service (it closes or deletes it); only our address goes. */
export function unlinkCommands(tunName: string, address: string): NetworkCommand[] {
  return [{ argv: ['ip', 'address', 'delete', address, 'dev', tunName], mayFail: true }];
}

/** `replace` rather than `add`: a route a crashed run left is taken over instead of failing with "File exists". */
export function routeCommand(action: 'add' | 'delete', tunName: string, cidr: string): NetworkCommand {
  return { argv: ['ip', family(cidr), 'route', action === 'add' ? 'replace' : 'delete', cidr, 'dev', tunName] };
}

/** An `unreachable` route answers local senders at once (EHOSTUNREACH) instead of letting them time out. */
export function blockedRouteCommand(action: 'add' | 'delete', _tunName: string, cidr: string): NetworkCommand {
  return { argv: ['ip', family(cidr), 'route', action === 'add' ? 'replace' : 'delete', 'unreachable', cidr] };
}

/**
 * systemd-resolved: our servers on the TUN's link, `~.` to make it the route for every name (plus
 * the search domains, which also route their names there), and default-route for resolved ≥ 249.
 */
export function resolvedDnsCommands(tunName: string, dns: TunnelDns): NetworkCommand[] {
  return [
    { argv: ['resolvectl', 'dns', tunName, ...dns.servers] },
    { argv: ['resolvectl', 'domain', tunName, '~.', ...dns.searchDomains] },
    { argv: ['resolvectl', 'default-route', tunName, 'yes'] },
  ];
}

export function resolvedRevertCommand(tunName: string): NetworkCommand {
  return { argv: ['resolvectl', 'revert', tunName] };
}

/** Our resolv.conf: the marker line, then what glibc and musl read. */
export function resolvConfText(dns: TunnelDns): string {
  return [
    RESOLV_CONF_MARKER,
    '# Waygate puts the previous file back when the tunnel stops; edits made here are lost then.',
    ...dns.servers.map((server) => `nameserver ${server}`),
    ...(dns.searchDomains.length > 0 ? [`search ${dns.searchDomains.join(' ')}`] : []),
    '',
  ].join('\n');
}

export function isWaygateResolvConf(text: string): boolean {
  return text.startsWith(RESOLV_CONF_MARKER);
}

const AddressList = z.array(
  z.object({
    ifname: z.string(),
    addr_info: z.array(z.object({ local: z.string().optional(), prefixlen: z.number().int().optional() })).default([]),
  }),
);
const RouteList = z.array(z.object({ dst: z.string().optional(), dev: z.string().optional() }));

/**
 * Networks in use from `ip -j address show` and `ip -j [-6] route show table all`: addresses with
 * their prefix, then route destinations (`ip` prints a host route without its /32 or /128). "default"
 * is left out: it claims no addresses. Anything on `ownTun` is ours and left out too.
 */
export function parseOccupied(addressJson: string, routeJsons: readonly string[], ownTun: string): string[] {
  const parse = <T>(schema: z.ZodType<T>, text: string): T | [] => {
    if (text.trim() === '') return [];
    const parsed = schema.safeParse(JSON.parse(text));
    if (!parsed.success) throw new DeviceNetworkError(`Tunnel network: \`ip -j\` printed something other than the expected list: ${parsed.error.message}`);
    return parsed.data;
  };
  const occupied = new Set<string>();
  for (const link of parse(AddressList, addressJson)) {
    if (link.ifname === ownTun) continue;
    for (const { local, prefixlen } of link.addr_info) if (local !== undefined && prefixlen !== undefined) occupied.add(`${local}/${prefixlen}`);
  }
  for (const text of routeJsons) {
    for (const route of parse(RouteList, text)) {
      if (route.dst === undefined || route.dst === 'default' || route.dev === ownTun) continue;
      occupied.add(route.dst);
    }
  }
  return [...occupied];
}

// ── running them ─────────────────────────────────────────────────────────────────────────────────

function run(command: NetworkCommand): Promise<string> {
  const [program, ...args] = command.argv;
  return new Promise((resolve, reject) => {
    execFile(program, args, { encoding: 'utf8', timeout: COMMAND_TIMEOUT_MS }, (error, stdout, stderr) => {
      if (!error) resolve(stdout);
      else if (error.code === 'ENOENT') reject(DeviceNetworkError.commandFailed(command.argv, `${program}: not found`, `Install ${program === 'ip' ? 'iproute2' : program}.`));
      else if (error.killed) reject(DeviceNetworkError.commandFailed(command.argv, `no answer after ${COMMAND_TIMEOUT_MS / 1000} s`));
      else reject(DeviceNetworkError.commandFailed(command.argv, stderr || error.message));
    });
  });
}

function isMissing(error: unknown): boolean {
  return error instanceof Error && 'code' in error && error.code === 'ENOENT';
}

/**
 * Rewrites the file in the same inode. Not temp + rename: containers and `ip netns exec` bind-mount
 * resolv.conf, and a rename over a mount point fails with EBUSY. The new text is written over the old
 * from the start, then the rest cut off, so an interrupted write still starts with our marker line.
 */
async function writeInPlace(path: string, text: string): Promise<void> {
  const handle = await open(path, 'r+').catch((error: unknown) => {
    if (isMissing(error)) return open(path, 'w', 0o644);
    throw error;
  });
  try {
    const data = Buffer.from(text);
    await handle.write(data, 0, data.length, 0);
    await handle.truncate(data.length);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function readIfPresent(path: string): Promise<string | null> {
  return readFile(path, 'utf8').catch((error: unknown) => {
    if (isMissing(error)) return null;
    throw error;
  });
}

export interface LinuxDeviceNetworkOptions {
  /** The resolv.conf to rewrite when systemd-resolved is not in charge. */
  readonly resolvConf?: string;
  /** 'resolv-conf' never asks systemd-resolved (tests in a namespace, whose resolved is the host's). */
  readonly dns?: 'auto' | 'resolv-conf';
}

export class LinuxDeviceNetworkBackend implements DeviceNetworkBackend {
  private readonly resolvConf: string;
  private readonly dnsMode: 'auto' | 'resolv-conf';

  constructor(options: LinuxDeviceNetworkOptions = {}) {
    this.resolvConf = options.resolvConf ?? RESOLV_CONF;
    this.dnsMode = options.dns ?? 'auto';
  }

  readonly run = run;
  readonly linkCommands = linkCommands;
  readonly unlinkCommands = unlinkCommands;
  readonly routeCommand = routeCommand;
  readonly blockedRouteCommand = blockedRouteCommand;

  readonly prepareDns = async (): Promise<DnsLeftover> => {
    if (await this.resolvedInCharge()) return { kind: 'resolved' };
    return { kind: 'resolv-conf', path: this.resolvConf, original: await readIfPresent(this.resolvConf) };
  };

  readonly setDns = async (tunName: string, dns: TunnelDns, saved: DnsLeftover): Promise<void> => {
    if (saved.kind === 'resolved') {
      for (const command of resolvedDnsCommands(tunName, dns)) await run(command);
    } else if (saved.kind === 'resolv-conf') {
      await writeInPlace(saved.path, resolvConfText(dns)).catch((error: unknown) => {
        throw new DeviceNetworkError(`Tunnel network: could not write ${saved.path} (${String(error)}); the service must run as root.`, null, '', { cause: error });
      });
    } else {
      throw new DeviceNetworkError(`Tunnel network: DNS saved as "${saved.kind}" cannot be set on Linux.`);
    }
  };

  /**
   * resolv.conf is put back only while it is still ours. Otherwise something else (NetworkManager,
   * dhclient, resolvconf, an admin) wrote it after us: that content is newer than our saved copy and
   * describes the network the device is on now, so it stays, and our copy is dropped.
   */
  readonly restoreDns = async (tunName: string, saved: DnsLeftover): Promise<boolean> => {
    if (saved.kind === 'resolved') {
      // The link may be gone already (a crash, then the TUN deleted), and resolved forgets it with it.
      return run(resolvedRevertCommand(tunName)).then(() => true, () => false);
    }
    if (saved.kind !== 'resolv-conf') return false;
    const current = await readIfPresent(saved.path);
    if (current === null || !isWaygateResolvConf(current)) return false;
    if (saved.original !== null) await writeInPlace(saved.path, saved.original);
    // There was no file before ours; a bind-mounted one cannot be deleted, so it is emptied instead.
    else await rm(saved.path).catch(() => writeInPlace(saved.path, ''));
    return true;
  };

  readonly deleteTun = async (tunName: string): Promise<boolean> => {
    const exists = await run({ argv: ['ip', 'link', 'show', 'dev', tunName] }).then(() => true, () => false);
    if (!exists) return false;
    await run({ argv: ['ip', 'link', 'delete', 'dev', tunName] });
    return true;
  };

  readonly occupiedNetworks = async (ownTun: string): Promise<string[]> => {
    const [addresses, v4, v6] = await Promise.all([
      run({ argv: ['ip', '-j', 'address', 'show'] }),
      run({ argv: ['ip', '-j', '-4', 'route', 'show', 'table', 'all'] }),
      run({ argv: ['ip', '-j', '-6', 'route', 'show', 'table', 'all'] }),
    ]);
    return parseOccupied(addresses, [v4, v6], ownTun);
  };

  /** resolv.conf links into /run/systemd/resolve and resolvectl is installed (systemd-resolved.service(8), "/etc/resolv.conf"). */
  private async resolvedInCharge(): Promise<boolean> {
    if (this.dnsMode === 'resolv-conf') return false;
    const target = await readlink(this.resolvConf).catch(() => null);
    if (target === null || !target.includes(RESOLVED_DIR.slice(1))) return false;
    return run({ argv: ['resolvectl', '--version'] }).then(() => true, () => false);
  }
}

/**
 * The host network around the edge's TUN: its address and MTU, IPv4 forwarding, and NAT with MSS
 * clamping for the tunnel pool. Linux only: the edge runs on Linux servers, so there is no macOS or
 * Windows implementation (the device side configures its own TUN elsewhere).
 *
 * Everything here is pure: option checks and the command lists, so they are unit-tested as data.
 * `netconfig.linux.ts` runs them (execFile, no shell); `netconfig.fake.ts` records them for tests.
 *
 * The firewall rules live in one table (nftables) or two chains (iptables fallback) named after the
 * TUN and owned by nobody else, so setup can replace a crash's leftovers and removal cannot touch
 * anyone else's rules.
 */
import { parseCidr } from '../protocol/ip.js';
import { parseInterfaceAddress } from '../protocol/tunnel.js';

export interface EdgeNetworkOptions {
  /** The TUN interface, already open (platform/tun.ts). */
  readonly tunName: string;
  /** The edge's own address on the TUN with the prefix routed into it, e.g. `100.64.0.1/10`. */
  readonly address: string;
  /** Sources to masquerade when they leave through any other interface: the devices' pool, e.g. `100.64.0.0/10`. */
  readonly poolCidr: string;
  readonly mtu: number;
}

export interface EdgeNetwork {
  /** Which firewall holds the NAT and MSS rules. */
  readonly firewall: FirewallBackend;
  /** Undoes everything apply did, newest first, carrying on past failures; later calls share the first call's outcome. */
  remove(): Promise<void>;
}

/**
 * Brings the TUN up, turns on forwarding and installs the NAT and MSS rules. Applying again for the
 * same TUN (after a crash) replaces the old rules. If a step fails, the earlier ones are undone.
 */
export type ApplyEdgeNetwork = (options: EdgeNetworkOptions) => Promise<EdgeNetwork>;

export type FirewallBackend = 'nftables' | 'iptables';

export interface NetworkCommand {
  /** Program and arguments, run without a shell. */
  readonly argv: readonly [string, ...string[]];
  /** Fed to the program's stdin (an nft script). */
  readonly stdin?: string;
  /** Removes what may not be there (a crash's leftovers, a TUN already closed): its failure is expected. */
  readonly mayFail?: boolean;
}

/** What to run to put a piece of configuration in place and to take it away again. */
export interface CommandPlan {
  readonly setup: readonly NetworkCommand[];
  readonly remove: readonly NetworkCommand[];
}

/** A command that exited non-zero or could not start; the message names it and quotes its stderr. */
export class NetworkCommandError extends Error {
  constructor(
    readonly command: readonly string[],
    readonly stderr: string,
  ) {
    super(`\`${command.join(' ')}\` failed: ${stderr.trim() || 'no error output'}`);
    this.name = 'NetworkCommandError';
  }
}

export const IP_FORWARD_SYSCTL = 'net.ipv4.ip_forward';

/** Safe inside an nft string and as an iptables argument; the kernel allows more, the edge needs no more. */
const TUN_NAME = /^[A-Za-z0-9_.-]{1,15}$/;
const MIN_IPV4_MTU = 68;
const MAX_MTU = 65_535;

/** Throws an Error saying which option is wrong and what is expected. */
export function checkEdgeNetworkOptions(options: EdgeNetworkOptions): void {
  if (!TUN_NAME.test(options.tunName)) {
    throw new Error(`Edge network: TUN name "${options.tunName}" must be 1 to 15 letters, digits, "_", "." or "-".`);
  }
  if (parseInterfaceAddress(options.address) === null) {
    throw new Error(`Edge network: address "${options.address}" must be an IPv4 address with a prefix, like 100.64.0.1/10.`);
  }
  const pool = parseCidr(options.poolCidr);
  if (!pool.ok) throw new Error(`Edge network: pool "${options.poolCidr}" is not a network: ${pool.message}`);
  if (pool.cidr.version !== 'ipv4') throw new Error(`Edge network: pool "${options.poolCidr}" must be IPv4; the tunnel carries IPv4 only.`);
  if (!Number.isInteger(options.mtu) || options.mtu < MIN_IPV4_MTU || options.mtu > MAX_MTU) {
    throw new Error(`Edge network: MTU ${options.mtu} must be a whole number from ${MIN_IPV4_MTU} to ${MAX_MTU}.`);
  }
}

/** Address and MTU on the TUN, and the link up. Removal may fail harmlessly: closing the TUN deletes it. */
export function linkCommands({ tunName, address, mtu }: EdgeNetworkOptions): CommandPlan {
  return {
    setup: [
      { argv: ['ip', 'address', 'replace', address, 'dev', tunName] },
      { argv: ['ip', 'link', 'set', 'dev', tunName, 'mtu', String(mtu), 'up'] },
    ],
    remove: [
      { argv: ['ip', 'link', 'set', 'dev', tunName, 'down'], mayFail: true },
      { argv: ['ip', 'address', 'delete', address, 'dev', tunName], mayFail: true },
    ],
  };
}

/** `waygate_edge_<tun>`; nft identifiers take no "." or "-". */
export function nftTableName(tunName: string): string {
  return `waygate_edge_${tunName.replace(/[.-]/g, '_')}`;
}

/**
 * One `nft -f -` transaction: creating then deleting the table clears any leftover without failing
 * when there is none, and the new table replaces it atomically.
 * MSS clamping applies to SYNs in both directions through the TUN only, so other forwarded traffic
 * on the host is untouched.
 */
export function nftablesCommands(options: EdgeNetworkOptions): CommandPlan {
  const table = nftTableName(options.tunName);
  const tun = JSON.stringify(options.tunName);
  const clampSyn = 'tcp flags & (syn | rst) == syn tcp option maxseg size set rt mtu';
  const script = [
    `add table ip ${table}`,
    `delete table ip ${table}`,
    `table ip ${table} {`,
    `  chain forward {`,
    `    type filter hook forward priority mangle; policy accept;`,
    `    iifname ${tun} ${clampSyn}`,
    `    oifname ${tun} ${clampSyn}`,
    `  }`,
    `  chain postrouting {`,
    `    type nat hook postrouting priority srcnat; policy accept;`,
    `    ip saddr ${options.poolCidr} oifname != ${tun} masquerade`,
    `  }`,
    `}`,
    '',
  ].join('\n');
  return {
    setup: [{ argv: ['nft', '-f', '-'], stdin: script }],
    remove: [{ argv: ['nft', 'delete', 'table', 'ip', table] }],
  };
}

/** Chain names of the iptables fallback, `WAYGATE_<tun>_NAT` / `_MSS`: at most 27 of the 28 characters allowed. */
export function iptablesChainNames(tunName: string): { nat: string; mss: string } {
  return { nat: `WAYGATE_${tunName}_NAT`, mss: `WAYGATE_${tunName}_MSS` };
}

/** For hosts without nft: our own chains, entered by one jump each from the built-in chains. */
export function iptablesCommands(options: EdgeNetworkOptions): CommandPlan {
  const { tunName, poolCidr } = options;
  const { nat, mss } = iptablesChainNames(tunName);
  // -w: wait for the xtables lock instead of failing while another tool holds it.
  const iptables = (...args: string[]): readonly [string, ...string[]] => ['iptables', '-w', ...args];
  const clampSyn = ['-p', 'tcp', '--tcp-flags', 'SYN,RST', 'SYN', '-j', 'TCPMSS', '--clamp-mss-to-pmtu'];
  const teardown = (mayFail: boolean): NetworkCommand[] =>
    [
      iptables('-t', 'nat', '-D', 'POSTROUTING', '-j', nat),
      iptables('-t', 'nat', '-F', nat),
      iptables('-t', 'nat', '-X', nat),
      iptables('-t', 'mangle', '-D', 'FORWARD', '-j', mss),
      iptables('-t', 'mangle', '-F', mss),
      iptables('-t', 'mangle', '-X', mss),
    ].map((argv) => (mayFail ? { argv, mayFail } : { argv }));
  return {
    setup: [
      ...teardown(true),
      { argv: iptables('-t', 'nat', '-N', nat) },
      { argv: iptables('-t', 'nat', '-A', nat, '-s', poolCidr, '!', '-o', tunName, '-j', 'MASQUERADE') },
      { argv: iptables('-t', 'nat', '-A', 'POSTROUTING', '-j', nat) },
      { argv: iptables('-t', 'mangle', '-N', mss) },
      { argv: iptables('-t', 'mangle', '-A', mss, '-i', tunName, ...clampSyn) },
      { argv: iptables('-t', 'mangle', '-A', mss, '-o', tunName, ...clampSyn) },
      { argv: iptables('-t', 'mangle', '-A', 'FORWARD', '-j', mss) },
    ],
    remove: teardown(false),
  };
}

export function firewallCommands(backend: FirewallBackend, options: EdgeNetworkOptions): CommandPlan {
  return backend === 'nftables' ? nftablesCommands(options) : iptablesCommands(options);
}

/** Applies the edge network on this OS; only Linux has one (see the module comment). */
export async function applyEdgeNetwork(options: EdgeNetworkOptions): Promise<EdgeNetwork> {
  if (process.platform !== 'linux') throw new Error(`The edge's network setup runs on Linux only, not ${process.platform}.`);
  const { applyLinuxEdgeNetwork } = await import('./netconfig.linux.js');
  return applyLinuxEdgeNetwork(options);
}

/**
 * Which destinations the device routes into its tunnel, and which IPv6 destinations it makes
 * unreachable while the tunnel is up. Pure: CIDR text in, CIDR text out.
 *
 * The plan is set subtraction (include minus exclude), so excluded destinations get no route of ours
 * and simply follow the device's own routing table: there is no physical gateway to track, and a
 * network change under the tunnel needs no new plan. The result is the fewest prefixes that cover
 * exactly that set, so adjacent networks merge (10.0.0.0/9 + 10.128.0.0/9 → 10.0.0.0/8).
 *
 * A /0 is never emitted: it becomes two /1s (OpenVPN's "def1"). Being more specific than the
 * device's default route, they win over it without deleting it, so taking ours away gives the
 * device its own routing back untouched.
 */
import { formatIp, parseCidr, type Cidr, type IpVersion } from '../../protocol/ip.js';

export interface RoutePlanInput {
  /** CIDRs to send through the tunnel; empty = everything (0.0.0.0/0, and ::/0 when carryIpv6). */
  readonly include: readonly string[];
  /** CIDRs that must go direct: the profile's excludes plus host addresses of the edge, portal and captive probe (/32, /128). Exclude wins over include. */
  readonly exclude: readonly string[];
  /** false: IPv6 is not carried; every IPv6 destination outside `exclude` becomes unreachable while the tunnel is up (never leaked). */
  readonly carryIpv6: boolean;
}

export interface RoutePlan {
  readonly tunnelRoutes: string[];
  readonly blockedRoutes: string[];
}

/**
 * More routes than this is a policy mistake (thousands of scattered excludes), and installing them
 * one `ip route` at a time would take minutes; refuse rather than half-apply.
 */
export const MAX_ROUTES = 4096;

const BITS: Record<IpVersion, number> = { ipv4: 32, ipv6: 128 };

/** Inclusive address range; the set arithmetic is done on these and turned back into prefixes at the end. */
interface Range {
  readonly first: bigint;
  readonly last: bigint;
}

/**
 * `tunnelRoutes`: IPv4 prefixes, then IPv6 ones when carried, each family in address order.
 * `blockedRoutes`: IPv6 only, and only when IPv6 is not carried. With a non-empty `include` that names
 * no IPv6 network and IPv6 carried, IPv6 gets no route of ours and goes direct, as split tunnels do.
 * Throws an Error naming a bad entry, or a RangeError past MAX_ROUTES.
 */
export function planRoutes(input: RoutePlanInput): RoutePlan {
  const include = parseAll(input.include, 'include');
  const exclude = parseAll(input.exclude, 'exclude');
  const everything = include.length === 0;
  const wanted = (version: IpVersion): Range[] =>
    everything ? [fullRange(version)] : include.filter((cidr) => cidr.version === version).map(toRange);
  const excluded = (version: IpVersion): Range[] => exclude.filter((cidr) => cidr.version === version).map(toRange);

  const budget = { left: MAX_ROUTES };
  const tunnelRoutes = toPrefixes('ipv4', subtract(wanted('ipv4'), excluded('ipv4')), budget);
  if (input.carryIpv6) tunnelRoutes.push(...toPrefixes('ipv6', subtract(wanted('ipv6'), excluded('ipv6')), budget));
  const blockedRoutes = input.carryIpv6 ? [] : toPrefixes('ipv6', subtract([fullRange('ipv6')], excluded('ipv6')), budget);
  return { tunnelRoutes, blockedRoutes };
}

function parseAll(texts: readonly string[], list: 'include' | 'exclude'): Cidr[] {
  return texts.map((text) => {
    const parsed = parseCidr(text);
    if (!parsed.ok) throw new Error(`Route plan: the ${list} entry "${text}" is not a network: ${parsed.message}`);
    return parsed.cidr;
  });
}

function fullRange(version: IpVersion): Range {
  return { first: 0n, last: (1n << BigInt(BITS[version])) - 1n };
}

function toRange(cidr: Cidr): Range {
  const size = 1n << BigInt(BITS[cidr.version] - cidr.prefix);
  return { first: cidr.network, last: cidr.network + size - 1n };
}

/** Sorted, overlapping and touching ranges joined: the canonical form of a set of addresses. */
function normalize(ranges: readonly Range[]): Range[] {
  const sorted = [...ranges].sort((a, b) => (a.first < b.first ? -1 : a.first > b.first ? 1 : 0));
  const merged: Range[] = [];
  for (const range of sorted) {
    const last = merged.at(-1);
    if (last !== undefined && range.first <= last.last + 1n) {
      if (range.last > last.last) merged[merged.length - 1] = { first: last.first, last: range.last };
    } else {
      merged.push(range);
    }
  }
  return merged;
}

/** Every address of `from` that is in none of `minus`; both normalized, so one sweep does it. */
function subtract(from: readonly Range[], minus: readonly Range[]): Range[] {
  const holes = normalize(minus);
  const result: Range[] = [];
  for (const range of normalize(from)) {
    let first = range.first;
    for (const hole of holes) {
      if (hole.last < first) continue;
      if (hole.first > range.last) break;
      if (hole.first > first) result.push({ first, last: hole.first - 1n });
      first = hole.last + 1n;
      if (first > range.last) break;
    }
    if (first <= range.last) result.push({ first, last: range.last });
  }
  return result;
}

/**
 * The fewest prefixes covering each range: at every step the largest aligned block that starts at
 * the range's first address and does not run past its end. A /0 is emitted as its two halves.
 */
function toPrefixes(version: IpVersion, ranges: readonly Range[], budget: { left: number }): string[] {
  const bits = BITS[version];
  const prefixes: string[] = [];
  const emit = (network: bigint, prefix: number): void => {
    budget.left -= 1;
    if (budget.left < 0) {
      throw new RangeError(
        `Route plan: the includes and excludes need more than ${MAX_ROUTES} routes; merge neighbouring networks or drop excludes that are already outside the includes.`,
      );
    }
    prefixes.push(`${formatIp({ version, value: network })}/${prefix}`);
  };
  for (const range of ranges) {
    let first = range.first;
    while (first <= range.last) {
      const hostBits = largestBlock(first, range.last, bits);
      if (hostBits === bits) {
        emit(0n, 1);
        emit(1n << BigInt(bits - 1), 1);
      } else {
        emit(first, bits - hostBits);
      }
      first += 1n << BigInt(hostBits);
    }
  }
  return prefixes;
}

/** Host bits of the largest block that starts at `first` (aligned to its size) and ends at or before `last`. */
function largestBlock(first: bigint, last: bigint, bits: number): number {
  let hostBits = 0;
  while (hostBits < bits) {
    const size = 1n << BigInt(hostBits + 1);
    if ((first & (size - 1n)) !== 0n || first + size - 1n > last) break;
    hostBits += 1;
  }
  return hostBits;
}

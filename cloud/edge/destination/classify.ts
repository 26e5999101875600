/**
 * The SSRF guard of the edge (issue #4): the edge is a forward proxy inside someone's network, so a
 * destination on loopback, link-local (cloud metadata at 169.254.169.254 and fd00:ec2::254), a
 * private range or the edge's own networks is refused unless the policy allows that address.
 *
 * Classes follow the IANA IPv4 and IPv6 Special-Purpose Address Registries. IPv6 forms that carry an
 * IPv4 address (mapped, compatible, NAT64, 6to4) are judged by the IPv4 address they reach, so
 * `[::ffff:127.0.0.1]` is loopback. The guard is pure: the caller resolves the name, passes every
 * address it got, and must then connect only to those addresses (never resolve again, or a second
 * answer could differ from the one checked).
 */
import { cidrContains, formatIp, parseCidr, parseIp, type Cidr, type IpAddress } from '../../../protocol/ip.js';
import { parseHostLiteral } from './ip-literal.js';

export type AddressClass =
  | 'loopback'
  | 'link-local'
  | 'private'
  | 'unique-local'
  | 'unspecified'
  | 'multicast'
  | 'broadcast'
  | 'reserved'
  | 'shared'
  | 'documentation'
  | 'public';

type Range = readonly [range: Cidr, addressClass: AddressClass];

function cidr(text: string): Cidr {
  const parsed = parseCidr(text);
  if (!parsed.ok) throw new Error(`Built-in range ${text}: ${parsed.message}`);
  return parsed.cidr;
}

/** Most specific first: the first range that contains the address decides. */
const IPV4_RANGES: readonly Range[] = [
  [cidr('255.255.255.255/32'), 'broadcast'],
  // "This network": Linux connects 0.0.0.0 to the local host.
  [cidr('0.0.0.0/8'), 'unspecified'],
  [cidr('10.0.0.0/8'), 'private'],
  [cidr('100.64.0.0/10'), 'shared'],
  [cidr('127.0.0.0/8'), 'loopback'],
  [cidr('169.254.0.0/16'), 'link-local'],
  [cidr('172.16.0.0/12'), 'private'],
  [cidr('192.0.0.0/24'), 'reserved'],
  [cidr('192.0.2.0/24'), 'documentation'],
  [cidr('192.88.99.0/24'), 'reserved'],
  [cidr('192.168.0.0/16'), 'private'],
  [cidr('198.18.0.0/15'), 'reserved'],
  [cidr('198.51.100.0/24'), 'documentation'],
  [cidr('203.0.113.0/24'), 'documentation'],
  [cidr('224.0.0.0/4'), 'multicast'],
  [cidr('240.0.0.0/4'), 'reserved'],
];

const IPV6_RANGES: readonly Range[] = [
  [cidr('::/128'), 'unspecified'],
  [cidr('::1/128'), 'loopback'],
  [cidr('100::/64'), 'reserved'],
  [cidr('2001:db8::/32'), 'documentation'],
  [cidr('2001::/23'), 'reserved'],
  [cidr('3fff::/20'), 'documentation'],
  [cidr('5f00::/16'), 'reserved'],
  [cidr('fc00::/7'), 'unique-local'],
  [cidr('fe80::/10'), 'link-local'],
  // Site-local, deprecated by RFC 3879.
  [cidr('fec0::/10'), 'reserved'],
  [cidr('ff00::/8'), 'multicast'],
];

/** IPv6 ranges whose addresses carry an IPv4 address; `shift` is where its 32 bits end. */
const IPV4_CARRIERS: readonly { readonly range: Cidr; readonly shift: bigint }[] = [
  { range: cidr('::ffff:0:0/96'), shift: 0n }, // IPv4-mapped
  { range: cidr('::ffff:0:0:0/96'), shift: 0n }, // IPv4-translated (SIIT)
  { range: cidr('64:ff9b::/96'), shift: 0n }, // NAT64, well-known prefix
  { range: cidr('64:ff9b:1::/48'), shift: 0n }, // NAT64, local use
  { range: cidr('::/96'), shift: 0n }, // IPv4-compatible, deprecated; :: and ::1 are decided first
  { range: cidr('2002::/16'), shift: 80n }, // 6to4
];

/** Only 2000::/3 is allocated as global unicast; the rest of the IPv6 space is unassigned. */
const GLOBAL_UNICAST = cidr('2000::/3');

/** The IPv4 address an IPv6 address stands for or tunnels to, if any. */
export function embeddedIPv4(address: IpAddress): IpAddress | null {
  if (address.version === 'ipv4') return null;
  const carrier = IPV4_CARRIERS.find(({ range }) => cidrContains(range, address));
  return carrier === undefined ? null : { version: 'ipv4', value: (address.value >> carrier.shift) & 0xffffffffn };
}

export function classifyAddress(address: IpAddress): AddressClass {
  const table = address.version === 'ipv4' ? IPV4_RANGES : IPV6_RANGES;
  const direct = table.find(([range]) => cidrContains(range, address));
  if (direct !== undefined) return direct[1];
  const carried = embeddedIPv4(address);
  if (carried !== null) return classifyAddress(carried);
  if (address.version === 'ipv6' && !cidrContains(GLOBAL_UNICAST, address)) return 'reserved';
  return 'public';
}

export interface DestinationCheck {
  /** The host as the request named it: a URL host or a CONNECT authority's host, without the port. */
  readonly host: string;
  /** Every address the edge's resolver returned for a name, as text; ignored for IP literals. */
  readonly resolvedAddresses: readonly string[];
  /** Policy exceptions: an address inside one is allowed whatever its class. */
  readonly allowCidrs: readonly Cidr[];
  /** The networks the edge itself sits on, refused like private ranges. */
  readonly edgeOwnCidrs: readonly Cidr[];
}

export type DestinationVerdict = { readonly allowed: true } | { readonly allowed: false; readonly code: 'DESTINATION_FORBIDDEN'; readonly reason: string };

const CLASS_WORDS: Record<Exclude<AddressClass, 'public'>, string> = {
  loopback: 'a loopback address (this machine)',
  'link-local': 'a link-local address (which includes cloud metadata services)',
  private: 'a private network address',
  'unique-local': 'a private (unique-local) IPv6 address',
  unspecified: 'the unspecified address',
  multicast: 'a multicast address',
  broadcast: 'the broadcast address',
  reserved: 'a reserved address',
  shared: 'a carrier-grade NAT (shared) address',
  documentation: 'an address reserved for documentation',
};

const HOW_TO_ALLOW = 'The edge does not connect there unless your organisation\'s policy allows that address; ask your administrator if you need it.';

/**
 * Allowed only if every address the destination stands for is allowed: one loopback answer among
 * public ones is enough to refuse, since the caller could connect to any of them.
 */
export function guardDestination(check: DestinationCheck): DestinationVerdict {
  const literal = parseHostLiteral(check.host);
  if (literal.kind === 'invalid') return refuse(`${literal.reason} Check the address you asked for.`);
  if (literal.kind === 'ip') {
    const canonical = formatIp(literal.address);
    const named = canonical === check.host || `[${canonical}]` === check.host ? `"${check.host}"` : `"${check.host}" (${canonical})`;
    return judge(literal.address, `${named} is`, check);
  }
  if (check.resolvedAddresses.length === 0) return refuse(`"${check.host}" did not resolve to any address.`);
  for (const text of check.resolvedAddresses) {
    // A resolver prints canonical text, with a zone after "%" for link-local IPv6; nothing looser.
    const resolved = parseIp(text.split('%')[0] ?? '');
    if (resolved === null) return refuse(`"${check.host}" resolved to "${text}", which is not an IP address.`);
    // The resolved address itself is not shown: it may describe the edge's internal network.
    const verdict = judge(resolved, `"${check.host}" resolves to`, check);
    if (!verdict.allowed) return verdict;
  }
  return { allowed: true };
}

function judge(address: IpAddress, subject: string, check: DestinationCheck): DestinationVerdict {
  const carried = embeddedIPv4(address);
  const covers = (range: Cidr) => cidrContains(range, address) || (carried !== null && cidrContains(range, carried));
  if (check.allowCidrs.some(covers)) return { allowed: true };
  const addressClass = classifyAddress(address);
  if (addressClass !== 'public') return refuse(`${subject} ${CLASS_WORDS[addressClass]}. ${HOW_TO_ALLOW}`);
  if (check.edgeOwnCidrs.some(covers)) return refuse(`${subject} an address on the edge's own network. ${HOW_TO_ALLOW}`);
  return { allowed: true };
}

function refuse(reason: string): DestinationVerdict {
  return { allowed: false, code: 'DESTINATION_FORBIDDEN', reason };
}

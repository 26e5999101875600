/**
 * Which /16 the device's tunnel address comes from. 100.64.0.0/16 by default; when that clashes with
 * a network already on the device (another VPN, a carrier-grade NAT that hands out 100.64/10
 * addresses), the next free /16 up to 100.83.0.0/16. Pure: the caller reads the occupied networks
 * (platform/device-network.ts `occupiedNetworks`).
 */
import { parseCidr, parseIp, type Cidr } from '../../protocol/ip.js';

export const DEFAULT_TUNNEL_RANGE = '100.64.0.0/16';
const FIRST_CANDIDATE_OCTET = 64;
const LAST_CANDIDATE_OCTET = 83;
/**
 * Occupied prefixes shorter than this are catch-alls (a default route, another VPN's 0.0.0.0/1 or
 * 64.0.0.0/2): they overlap every candidate but do not claim its addresses, so they are ignored.
 */
const MIN_CLAIMING_PREFIX = 8;

/**
 * The first /16 among `preferred`, then 100.64.0.0/16 … 100.83.0.0/16, that overlaps none of
 * `occupied`; null when all are taken. `occupied` holds interface addresses with their prefix
 * (`100.64.5.1/16`, host bits allowed), route destinations (`10.0.0.0/8`) or bare addresses (a host).
 * IPv6 entries cannot clash with an IPv4 range and are skipped.
 */
export function chooseTunnelRange(occupied: readonly string[], preferred: string = DEFAULT_TUNNEL_RANGE): string | null {
  const first = parseCidr(preferred);
  if (!first.ok) throw new Error(`Tunnel range: the preferred range "${preferred}" is not a network: ${first.message}`);
  if (first.cidr.version !== 'ipv4') throw new Error(`Tunnel range: the preferred range "${preferred}" must be IPv4; the tunnel address is IPv4.`);
  const claimed = occupied.map(parseOccupied).filter((cidr): cidr is Cidr => cidr !== null && cidr.version === 'ipv4' && cidr.prefix >= MIN_CLAIMING_PREFIX);
  const candidates = [preferred];
  for (let octet = FIRST_CANDIDATE_OCTET; octet <= LAST_CANDIDATE_OCTET; octet += 1) candidates.push(`100.${octet}.0.0/16`);
  for (const candidate of candidates) {
    const parsed = parseCidr(candidate);
    if (parsed.ok && !claimed.some((cidr) => overlaps(cidr, parsed.cidr))) return candidate;
  }
  return null;
}

/** `address/prefix` with host bits allowed (as `ip address` prints it), or a bare address as a host. */
function parseOccupied(text: string): Cidr | null {
  const [addressText = '', prefixText, ...rest] = text.split('/');
  const address = parseIp(addressText);
  const bits = address?.version === 'ipv6' ? 128 : 32;
  if (address === null || rest.length > 0) throw new Error(`Tunnel range: the occupied network "${text}" is not an address or network.`);
  const prefix = prefixText === undefined ? bits : Number(prefixText);
  if (!/^\d{1,3}$/.test(prefixText ?? String(bits)) || prefix > bits) {
    throw new Error(`Tunnel range: the occupied network "${text}" has a prefix length outside 0 to ${bits}.`);
  }
  const hostBits = BigInt(bits - prefix);
  return { version: address.version, network: (address.value >> hostBits) << hostBits, prefix };
}

/** Two prefixes overlap exactly when the shorter one contains the longer one's network. */
function overlaps(a: Cidr, b: Cidr): boolean {
  const shorter = Math.min(a.prefix, b.prefix);
  const hostBits = BigInt(32 - shorter);
  return a.network >> hostBits === b.network >> hostBits;
}

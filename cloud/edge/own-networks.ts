/**
 * The networks the edge itself sits on: every subnet of its interfaces (loopback aside, which the
 * guard refuses anyway) plus what the operator lists. A public address on the edge's own subnet is
 * someone's server next to the edge, not the internet, so the guard refuses it like a private one.
 */
import { networkInterfaces, type NetworkInterfaceInfo } from 'node:os';
import { parseCidr, parseIp, type Cidr } from '../../protocol/ip.js';

/** The subnet of one interface address (`192.0.2.7` with prefix 24 → 192.0.2.0/24). */
export function subnetOf(info: Pick<NetworkInterfaceInfo, 'address' | 'cidr' | 'internal'>): Cidr | null {
  if (info.internal || info.cidr === null) return null;
  const address = parseIp(info.address.split('%')[0] ?? '');
  const prefix = Number(info.cidr.split('/')[1]);
  if (address === null || !Number.isInteger(prefix)) return null;
  const hostBits = BigInt((address.version === 'ipv4' ? 32 : 128) - prefix);
  return { version: address.version, network: (address.value >> hostBits) << hostBits, prefix };
}

/** Interface subnets and the operator's list; throws on a CIDR in the list that does not parse. */
export function ownNetworks(configured: readonly string[], interfaces = networkInterfaces()): Cidr[] {
  const found = Object.values(interfaces).flatMap((infos) => (infos ?? []).flatMap((info) => subnetOf(info) ?? []));
  const listed = configured.map((text) => {
    const parsed = parseCidr(text);
    if (!parsed.ok) throw new Error(`--own-cidrs: ${parsed.message}`);
    return parsed.cidr;
  });
  return [...found, ...listed];
}

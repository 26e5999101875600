/**
 * The tunnel addresses the edge hands to devices. Every device lives in a /16 of 100.64.0.0/10
 * (100.64.0.0/16 unless it asks for another because that one clashes on the device); in each /16
 * the `.0.1` is the edge's end of the tunnel and never handed out, nor are the network and broadcast
 * addresses. The edge's configured pool narrows which addresses of a /16 may be used at all.
 *
 * Addresses are unsigned 32-bit numbers: the downlink looks a session up by the destination of
 * every packet, and a number key costs nothing to build.
 */
import { cidrContains, formatIp, parseCidr, type Cidr } from '../../../protocol/ip.js';

const SUBNET_SIZE = 0x1_0000;
const GATEWAY_HOST = 1;
const SHARED_SPACE = parseCidr('100.64.0.0/10');

export function ipv4ToText(address: number): string {
  return formatIp({ version: 'ipv4', value: BigInt(address) });
}

/** The /16 network holding `address`. */
export function subnetOf(address: number): number {
  return address - (address % SUBNET_SIZE);
}

export function gatewayOf(subnet: number): number {
  return subnet + GATEWAY_HOST;
}

export class AddressPool {
  /** First and last usable address of the pool, inclusive. */
  private readonly first: number;
  private readonly last: number;
  private readonly used = new Set<number>();
  /** Where the next search starts in each /16, so allocations do not rescan the taken front. */
  private readonly cursors = new Map<number, number>();
  /** The /16 of a device that asks for none: the one holding the pool's first address. */
  readonly defaultSubnet: number;

  /** Throws on a pool that is not IPv4 inside 100.64.0.0/10: a configuration error, caught at start. */
  constructor(pool: Cidr) {
    if (!SHARED_SPACE.ok || pool.version !== 'ipv4' || pool.prefix < SHARED_SPACE.cidr.prefix || !cidrContains(SHARED_SPACE.cidr, { version: 'ipv4', value: pool.network })) {
      throw new RangeError('The tunnel address pool must be an IPv4 prefix inside 100.64.0.0/10.');
    }
    this.first = Number(pool.network);
    this.last = this.first + 2 ** (32 - pool.prefix) - 1;
    this.defaultSubnet = subnetOf(this.first);
  }

  get inUse(): number {
    return this.used.size;
  }

  /** A free address of the /16 at `subnet`, or null when none is left there (or the pool has none there). */
  allocate(subnet: number): number | null {
    const low = Math.max(this.first, subnet);
    const high = Math.min(this.last, subnet + SUBNET_SIZE - 1);
    if (low > high) return null;
    const span = high - low + 1;
    const start = this.cursors.get(subnet) ?? low;
    for (let step = 0; step < span; step += 1) {
      const candidate = low + ((start - low + step) % span);
      if (!this.usable(candidate, subnet)) continue;
      this.used.add(candidate);
      this.cursors.set(subnet, candidate + 1 > high ? low : candidate + 1);
      return candidate;
    }
    return null;
  }

  release(address: number): void {
    this.used.delete(address);
  }

  private usable(address: number, subnet: number): boolean {
    const host = address - subnet;
    return host !== 0 && host !== GATEWAY_HOST && host !== SUBNET_SIZE - 1 && !this.used.has(address);
  }
}

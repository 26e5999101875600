/**
 * What network the device is on, as the OS reports it: interfaces and their addresses, default
 * routes, DNS servers and search domains. Every platform source (source.ts) produces one; Netmon
 * compares them by `snapshotKey` to decide whether the network changed.
 */

export interface NetworkInterface {
  name: string;
  /** Administratively up and with a carrier (a TUN nobody has opened is not up). */
  up: boolean;
  /** CIDR, e.g. "192.0.2.10/24", "2001:db8::5/64"; IPv6 zone ids ("%en0") are dropped. */
  addresses: string[];
  /** A tunnel of some VPN (tun, tap, WireGuard, PPP, utun, IPsec…), known by its kind or its name. */
  vpn: boolean;
}

export interface DefaultRoute {
  /** The next hop; null for a route straight onto the link (a point-to-point VPN, say). */
  gateway: string | null;
  interface: string;
  family: 4 | 6;
}

export interface NetworkSnapshot {
  interfaces: NetworkInterface[];
  defaultRoutes: DefaultRoute[];
  dnsServers: string[];
  searchDomains: string[];
}

/** Names that only VPN software gives its interfaces, on any of the three OSes. */
const VPN_NAME = /^(?:(?:tun|tap|wg|ppp|utun|ipsec|gpd|vti|xfrm)\d+|tailscale\d*|zt[0-9a-z]{8,}|nordlynx|proton\d*|mullvad)$/i;

export function isVpnName(name: string): boolean {
  return VPN_NAME.test(name);
}

/** "fe80::1%en0" → "fe80::1"; the interface is recorded next to the address anyway. */
export function stripZone(address: string): string {
  const percent = address.indexOf('%');
  return percent === -1 ? address : address.slice(0, percent);
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function sorted(values: readonly string[]): string[] {
  return [...new Set(values)].sort(compare);
}

/**
 * A string that is equal for two snapshots exactly when they describe the same network: every list
 * is sorted and deduplicated first, so the order in which the OS lists things never matters. DNS
 * servers are compared as a set too (a resolver reordering its servers is not a new network).
 */
export function snapshotKey(s: NetworkSnapshot): string {
  const interfaces = s.interfaces
    .map((i) => [i.name, i.up, i.vpn, sorted(i.addresses)] as const)
    .sort((a, b) => compare(a[0], b[0]));
  const routes = sorted(s.defaultRoutes.map((r) => `${r.family} ${r.interface} ${r.gateway ?? '-'}`));
  const domains = sorted(s.searchDomains.map((d) => d.toLowerCase().replace(/\.$/, '')));
  return JSON.stringify([interfaces, routes, sorted(s.dnsServers), domains]);
}

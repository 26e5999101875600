/**
 * Pure parsers for the macOS commands the darwin source runs: ifconfig(8), `netstat -rn -f inet|inet6`
 * and `scutil --dns`. Written against their documented, long-stable text output.
 */
import { isVpnName, stripZone, type DefaultRoute, type NetworkInterface } from './snapshot.js';

/** `en0: flags=8863<UP,BROADCAST,SMART,RUNNING,SIMPLEX,MULTICAST> mtu 1500` */
const IFCONFIG_HEADER = /^([A-Za-z0-9._-]+): flags=[0-9a-f]+<([^>]*)>/;
const IPV4 = /^\tinet (\S+)(?: --> \S+)? netmask (0x[0-9a-f]{8})/;
const IPV6 = /^\tinet6 (\S+) prefixlen (\d+)/;

function prefixFromHexMask(mask: string): number {
  let bits = Number.parseInt(mask, 16);
  let prefix = 0;
  while (bits & 0x8000_0000) {
    prefix += 1;
    bits = (bits << 1) >>> 0;
  }
  return prefix;
}

/**
 * ifconfig: an interface is up when UP and RUNNING and, where ifconfig reports media, `status: active`
 * (a Wi-Fi card that is on but joined to nothing says `status: inactive`).
 */
export function parseIfconfig(text: string): NetworkInterface[] {
  const interfaces: (NetworkInterface & { inactive: boolean })[] = [];
  for (const line of text.split('\n')) {
    const header = IFCONFIG_HEADER.exec(line);
    if (header) {
      const flags = (header[2] ?? '').split(',');
      const name = header[1] ?? '';
      interfaces.push({ name, up: flags.includes('UP') && flags.includes('RUNNING'), addresses: [], vpn: isVpnName(name), inactive: false });
      continue;
    }
    const current = interfaces.at(-1);
    if (!current) continue;
    const v4 = IPV4.exec(line);
    const v6 = IPV6.exec(line);
    if (v4) current.addresses.push(`${v4[1]}/${prefixFromHexMask(v4[2] ?? '0x0')}`);
    else if (v6) current.addresses.push(`${stripZone(v6[1] ?? '')}/${v6[2]}`);
    else if (/^\tstatus: inactive/.test(line)) current.inactive = true;
  }
  return interfaces.map(({ inactive, ...i }) => ({ ...i, up: i.up && !inactive }));
}

/**
 * `netstat -rn -f inet|inet6`: the `default` rows. A gateway `link#N` (or a MAC address) means the
 * route goes straight onto the link. Interface-scoped rows (flag I) are each interface's own fallback,
 * not the device's way out, so they are left out.
 */
export function parseNetstatRoutes(text: string, family: 4 | 6): DefaultRoute[] {
  const routes: DefaultRoute[] = [];
  for (const line of text.split('\n')) {
    const [destination, gateway, flags, netif] = line.trim().split(/\s+/);
    if (destination !== 'default' || !gateway || !flags || !netif || flags.includes('I')) continue;
    const onLink = gateway.startsWith('link#') || /^[0-9a-f]{1,2}(:[0-9a-f]{1,2}){5}$/i.test(gateway);
    routes.push({ gateway: onLink ? null : stripZone(gateway), interface: netif, family });
  }
  return routes;
}

/**
 * `scutil --dns`: the servers and search domains of the default resolvers, those in the first
 * section ("DNS configuration") that carry no `domain` line. Resolvers with a domain are split DNS
 * (`local` for mDNS, a VPN's corporate zone, reverse zones): they answer only for their domain.
 */
export function parseScutilDns(text: string): { dnsServers: string[]; searchDomains: string[] } {
  const main = text.split(/^DNS configuration \(for scoped queries\)/m)[0] ?? '';
  const dnsServers: string[] = [];
  const searchDomains: string[] = [];
  for (const block of main.split(/^resolver #\d+\s*$/m).slice(1)) {
    const entries = block.split('\n').map((line) => /^\s*([a-z_ ]+?)(?:\[\d+\])?\s*:\s*(.*?)\s*$/.exec(line));
    if (entries.some((entry) => entry?.[1] === 'domain')) continue;
    for (const entry of entries) {
      if (entry?.[1] === 'nameserver' && entry[2]) dnsServers.push(stripZone(entry[2]));
      if (entry?.[1] === 'search domain' && entry[2]) searchDomains.push(entry[2]);
    }
  }
  return { dnsServers: [...new Set(dnsServers)], searchDomains: [...new Set(searchDomains)] };
}

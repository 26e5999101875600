/**
 * Pure parsers for what the Linux source reads: `ip -d -j address show`, `ip -j route show default`
 * (either family) and resolv.conf. Output is checked entry by entry: an entry this iproute2 version
 * shapes differently is skipped rather than failing the whole snapshot.
 */
import { z } from 'zod';
import { isVpnName, stripZone, type DefaultRoute, type NetworkInterface } from './snapshot.js';

const AddrInfo = z.object({
  family: z.string(),
  local: z.string(),
  prefixlen: z.number().int().nonnegative(),
});

const Link = z.object({
  ifname: z.string(),
  flags: z.array(z.string()).default([]),
  link_type: z.string().optional(),
  linkinfo: z.object({ info_kind: z.string().optional() }).optional(),
  addr_info: z.array(z.unknown()).default([]),
});

const Nexthop = z.object({ gateway: z.string().optional(), dev: z.string() });

const Route = z.object({
  type: z.string().optional(),
  gateway: z.string().optional(),
  dev: z.string().optional(),
  nexthops: z.array(z.unknown()).optional(),
});

/** Link kinds (`ip -d`: linkinfo.info_kind) that only VPNs and tunnels to a remote network use; "tun" covers tap too. */
const VPN_KINDS = new Set(['tun', 'wireguard', 'ppp', 'vti', 'vti6', 'xfrm', 'ovpn-dco', 'amneziawg']);

/** Route types that send nothing anywhere: an "unreachable default" is a policy, not a way out. */
const DISCARD_TYPES = new Set(['unreachable', 'blackhole', 'prohibit', 'throw']);

/** An array of JSON values from `ip -j`; older iproute2 prints nothing at all for an empty list. */
function jsonArray(text: string, what: string): unknown[] {
  if (text.trim() === '') return [];
  const parsed = z.array(z.unknown()).safeParse(JSON.parse(text));
  if (!parsed.success) throw new Error(`${what}: expected a JSON array from ip -j.`);
  return parsed.data;
}

function parsed<T>(schema: z.ZodType<T>, values: readonly unknown[]): T[] {
  return values.flatMap((value) => {
    const result = schema.safeParse(value);
    return result.success ? [result.data] : [];
  });
}

/** `ip -d -j address show`: every interface, up when admin-up with a carrier, with its addresses as CIDR. */
export function parseIpAddress(text: string): NetworkInterface[] {
  return parsed(Link, jsonArray(text, 'ip address')).map((link) => {
    const kind = link.linkinfo?.info_kind;
    return {
      name: link.ifname,
      up: link.flags.includes('UP') && link.flags.includes('LOWER_UP'),
      addresses: parsed(AddrInfo, link.addr_info)
        .filter((a) => a.family === 'inet' || a.family === 'inet6')
        .map((a) => `${stripZone(a.local)}/${a.prefixlen}`),
      vpn: (kind !== undefined && VPN_KINDS.has(kind)) || link.link_type === 'ppp' || isVpnName(link.ifname),
    };
  });
}

/** `ip -4|-6 -j route show default`: one entry per way out, multipath routes split into their next hops. */
export function parseIpRoutes(text: string, family: 4 | 6): DefaultRoute[] {
  return parsed(Route, jsonArray(text, 'ip route')).flatMap((route): DefaultRoute[] => {
    if (route.type !== undefined && DISCARD_TYPES.has(route.type)) return [];
    const hops = route.nexthops ? parsed(Nexthop, route.nexthops) : route.dev ? [{ gateway: route.gateway, dev: route.dev }] : [];
    return hops.map((hop) => ({ gateway: hop.gateway === undefined ? null : stripZone(hop.gateway), interface: hop.dev, family }));
  });
}

export interface ResolvConf {
  nameservers: string[];
  search: string[];
}

/**
 * resolv.conf(5): `nameserver` lines in order; `search` and `domain` replace each other, the last
 * one wins; `#` and `;` start comments.
 */
export function parseResolvConf(text: string): ResolvConf {
  const nameservers: string[] = [];
  let search: string[] = [];
  for (const raw of text.split('\n')) {
    const [keyword, ...values] = raw.replace(/[#;].*$/, '').trim().split(/\s+/);
    if (keyword === 'nameserver' && values[0]) nameservers.push(stripZone(values[0]));
    else if (keyword === 'search') search = values.filter((v) => v !== '');
    else if (keyword === 'domain' && values[0]) search = [values[0]];
  }
  return { nameservers, search };
}

/** systemd-resolved's local stub addresses: the real servers are in /run/systemd/resolve/resolv.conf. */
const RESOLVED_STUBS = new Set(['127.0.0.53', '127.0.0.54']);

export function namesOnlyResolvedStub(conf: ResolvConf): boolean {
  return conf.nameservers.length > 0 && conf.nameservers.every((server) => RESOLVED_STUBS.has(server));
}

/**
 * A request's destination, and whether a destination list (include, exclude, private, an access
 * rule) names it: domain patterns match the host name, CIDRs the address. A host that is a name has
 * no address here; at run time the device and the edge match CIDRs against what it resolves to.
 */
import { domainPatternMatches } from '../../protocol/hostname.js';
import { cidrContains, parseCidr, parseIp, type IpAddress } from '../../protocol/ip.js';

export interface Target {
  /** Lowercase; an IPv6 literal without its brackets. */
  host: string;
  /** The host when it is an IP literal; at the edge, an address the name resolved to. */
  address: IpAddress | null;
  port: number;
}

const DEFAULT_PORTS: Readonly<Record<string, number>> = { 'http:': 80, 'ws:': 80, 'https:': 443, 'wss:': 443 };

/** The destination of an http(s):// or ws(s):// URL; null for anything else. */
export function targetOf(url: string): Target | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  const defaultPort = DEFAULT_PORTS[parsed.protocol];
  if (defaultPort === undefined || parsed.hostname === '') return null;
  const host = parsed.hostname.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  return { host, address: parseIp(host), port: parsed.port === '' ? defaultPort : Number(parsed.port) };
}

/**
 * The first entry that names the target, described for a reason ("the domain pattern \".local\""),
 * or null. Domain patterns match a host that is a name; CIDRs match the target's address, which is
 * the literal itself or, at the edge, one address the name resolved to.
 */
export function findDestination(list: { domains: readonly string[]; cidrs: readonly string[] }, target: Target): string | null {
  if (parseIp(target.host) === null) {
    const domain = list.domains.find((pattern) => domainPatternMatches(pattern, target.host));
    if (domain !== undefined) return `the domain pattern "${domain}"`;
  }
  const { address } = target;
  if (address === null) return null;
  const cidr = list.cidrs.find((text) => {
    const parsed = parseCidr(text);
    return parsed.ok && cidrContains(parsed.cidr, address);
  });
  return cidr === undefined ? null : `the CIDR ${cidr}`;
}

export function isEmptyList(list: { domains: readonly string[]; cidrs: readonly string[] }): boolean {
  return list.domains.length === 0 && list.cidrs.length === 0;
}

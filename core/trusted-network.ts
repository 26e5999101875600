/**
 * Trusted-network detection (DESIGN.md, "The forwarding model"): the network type of the moment, as
 * a pure function of the profile's criteria and what the device observed. host/netmon/trust-probes.ts
 * makes the observations; this decides, and says in words what it saw for every criterion, so
 * `waygate status`, the popup and the plan's reasons can show why.
 *
 * Each non-empty list in the criteria is one criterion, met when any of its entries holds; the
 * beacon, when set, is one more. `match` says whether any or all of them must be met.
 */
import type { CriterionCheck } from '../protocol/localapi.js';
import type { NetworkType, TrustedNetworkCriteria } from '../protocol/policy.js';
import { cidrContains, parseCidr, parseIp, type IpAddress } from '../protocol/ip.js';

/** What the device saw on its network, as the criteria need it. */
export interface TrustObservations {
  dnsServers: string[];
  searchDomains: string[];
  defaultGateways: string[];
  /** The device's own addresses, plain (`10.1.2.3`) or with their prefix (`10.1.2.3/24`). */
  addresses: string[];
  /** The default route goes through a VPN interface. */
  vpnDefaultRoute: boolean;
  /** The resolver's answer for each hostname the criteria name. */
  resolved: Record<string, { addresses: string[] } | { error: string }>;
  /** What the criteria's beacon presented, null when it was not checked. */
  beacon: { address: string; spkiSha256: string | null; error: string | null } | null;
}

export interface TrustVerdict {
  type: NetworkType;
  /** The sentences that decided the type, in the order of the criteria. */
  evidence: string[];
  /** Every criterion the profile sets, as evaluated; empty when it defines no trusted network. */
  checks: CriterionCheck[];
}

const VPN_EVIDENCE = 'the default route goes through a VPN interface';

export function evaluateTrust(criteria: TrustedNetworkCriteria | null, obs: TrustObservations): TrustVerdict {
  if (criteria === null) return { type: 'off-trusted', evidence: ['the profile defines no trusted network'], checks: [] };
  const checks = criterionChecks(criteria, obs);
  // The schema refuses criteria that set nothing; were one to get here, `every` would trust any network.
  if (checks.length === 0) return { type: 'off-trusted', evidence: ['the trusted network sets no criteria'], checks };
  const met = criteria.match === 'all' ? checks.every((check) => check.met) : checks.some((check) => check.met);
  if (!met) return { type: 'off-trusted', evidence: checks.filter((check) => !check.met).map((check) => check.detail), checks };
  const evidence = checks.filter((check) => check.met).map((check) => check.detail);
  if (obs.vpnDefaultRoute) return { type: 'vpn-trusted', evidence: [...evidence, VPN_EVIDENCE], checks };
  return { type: 'trusted', evidence, checks };
}

function criterionChecks(criteria: TrustedNetworkCriteria, obs: TrustObservations): CriterionCheck[] {
  const checks: CriterionCheck[] = [];
  if (criteria.dnsServers.length > 0) {
    checks.push(listCheck('dnsServers', DNS_SERVERS, obs.dnsServers, criteria.dnsServers, sameIp));
  }
  if (criteria.dnsSearchDomains.length > 0) {
    checks.push(listCheck('dnsSearchDomains', SEARCH_DOMAINS, obs.searchDomains, criteria.dnsSearchDomains, sameDomain));
  }
  if (criteria.hostnameResolves.length > 0) checks.push(resolvesCheck(criteria.hostnameResolves, obs.resolved));
  if (criteria.defaultGateways.length > 0) {
    checks.push(listCheck('defaultGateways', GATEWAYS, obs.defaultGateways, criteria.defaultGateways, sameIp));
  }
  if (criteria.networkRanges.length > 0) checks.push(rangesCheck(criteria.networkRanges, obs.addresses));
  if (criteria.beacon !== null) checks.push(beaconCheck(criteria.beacon, obs.beacon));
  return checks;
}

/* ───────────── Lists compared entry by entry: DNS servers, search domains, gateways ───────────── */

interface Noun {
  one: string;
  many: string;
}

const DNS_SERVERS: Noun = { one: 'DNS server', many: 'DNS servers' };
const SEARCH_DOMAINS: Noun = { one: 'DNS search domain', many: 'DNS search domains' };
const GATEWAYS: Noun = { one: 'default gateway', many: 'default gateways' };

function listCheck(
  criterion: CriterionCheck['criterion'],
  noun: Noun,
  seen: readonly string[],
  wanted: readonly string[],
  same: (seen: string, wanted: string) => boolean,
): CriterionCheck {
  if (seen.length === 0) return { criterion, met: false, detail: `no ${noun.many} were seen; expected ${oneOf(wanted)}` };
  const hit = wanted.find((entry) => seen.some((observed) => same(observed, entry)));
  const subject = `${seen.length === 1 ? noun.one : noun.many} ${listText(seen)}`;
  if (hit !== undefined) return { criterion, met: true, detail: `${subject} ${seen.length === 1 ? 'is' : 'include'} ${hit}` };
  const verb = seen.length === 1 ? (wanted.length === 1 ? 'is not' : 'is none of') : wanted.length === 1 ? 'do not include' : 'include none of';
  return { criterion, met: false, detail: `${subject} ${verb} ${listText(wanted)}` };
}

function sameIp(seen: string, wanted: string): boolean {
  const a = observedAddress(seen);
  const b = observedAddress(wanted);
  return a !== null && b !== null && a.version === b.version && a.value === b.value;
}

/**
 * An address as the OS reports it, compared as the host it names: a zone id (`fe80::1%eth0`) or a
 * prefix (`10.1.2.3/24`) is dropped, and an IPv4-mapped IPv6 address is its IPv4 address.
 */
function observedAddress(text: string): IpAddress | null {
  const bare = (text.trim().split('/')[0] ?? '').split('%')[0] ?? '';
  const address = parseIp(bare);
  if (address?.version === 'ipv6' && address.value >> 32n === 0xffffn) return { version: 'ipv4', value: address.value & 0xffffffffn };
  return address;
}

function sameDomain(seen: string, wanted: string): boolean {
  return domainKey(seen) === domainKey(wanted);
}

function domainKey(text: string): string {
  const name = text.trim().toLowerCase();
  return name.endsWith('.') ? name.slice(0, -1) : name;
}

/* ───────────── Hostname resolves to IP ───────────── */

function resolvesCheck(entries: TrustedNetworkCriteria['hostnameResolves'], resolved: TrustObservations['resolved']): CriterionCheck {
  const outcomes = entries.map((entry) => resolvesOutcome(entry, answerFor(resolved, entry.hostname)));
  const hit = outcomes.find((outcome) => outcome.met);
  if (hit !== undefined) return { criterion: 'hostnameResolves', met: true, detail: hit.detail };
  return { criterion: 'hostnameResolves', met: false, detail: outcomes.map((outcome) => outcome.detail).join('; ') };
}

type Answer = TrustObservations['resolved'][string];

function answerFor(resolved: TrustObservations['resolved'], hostname: string): Answer | undefined {
  // Own keys only: "constructor" is a valid hostname, and every object inherits one.
  if (Object.hasOwn(resolved, hostname)) return resolved[hostname];
  const key = Object.keys(resolved).find((name) => domainKey(name) === domainKey(hostname));
  return key === undefined ? undefined : resolved[key];
}

function resolvesOutcome(entry: { hostname: string; ip: string }, answer: Answer | undefined): { met: boolean; detail: string } {
  const { hostname, ip } = entry;
  if (answer === undefined) return { met: false, detail: `${hostname} was not looked up` };
  if ('error' in answer) return { met: false, detail: `resolving ${hostname} failed: ${answer.error}` };
  if (answer.addresses.length === 0) return { met: false, detail: `${hostname} resolves to no address; expected ${ip}` };
  const resolvedTo = `${hostname} resolves to ${listText(answer.addresses)}`;
  if (!answer.addresses.some((address) => sameIp(address, ip))) return { met: false, detail: `${resolvedTo}, not ${ip}` };
  const only = answer.addresses.length === 1;
  return { met: true, detail: only ? resolvedTo : `${resolvedTo}, including ${ip}` };
}

/* ───────────── Network ranges ───────────── */

function rangesCheck(ranges: readonly string[], addresses: readonly string[]): CriterionCheck {
  if (addresses.length === 0) return { criterion: 'networkRanges', met: false, detail: `the device has no addresses; expected an address inside ${oneOf(ranges)}` };
  for (const range of ranges) {
    const parsed = parseCidr(range);
    if (!parsed.ok) continue;
    const inside = addresses.find((text) => {
      const address = observedAddress(text);
      return address !== null && cidrContains(parsed.cidr, address);
    });
    if (inside !== undefined) return { criterion: 'networkRanges', met: true, detail: `address ${inside} is inside ${range}` };
  }
  const subject = addresses.length === 1 ? `address ${listText(addresses)} is` : `addresses ${listText(addresses)} are`;
  return { criterion: 'networkRanges', met: false, detail: `${subject} ${ranges.length === 1 ? 'not inside' : 'inside none of'} ${listText(ranges)}` };
}

/* ───────────── TLS beacon ───────────── */

function beaconCheck(beacon: NonNullable<TrustedNetworkCriteria['beacon']>, seen: TrustObservations['beacon']): CriterionCheck {
  const fail = (detail: string): CriterionCheck => ({ criterion: 'beacon', met: false, detail });
  const name = `beacon ${beacon.address}`;
  // Observations of another beacon are stale: the profile changed since they were made.
  if (seen === null || seen.address !== beacon.address) return fail(`${name} was not checked`);
  if (seen.error !== null) return fail(`checking ${name} failed: ${seen.error}`);
  if (seen.spkiSha256 === null) return fail(`${name} presented no certificate`);
  const observed = seen.spkiSha256.toLowerCase();
  if (observed === beacon.spkiSha256.toLowerCase()) return { criterion: 'beacon', met: true, detail: `${name} presented the pinned key` };
  return fail(`${name} presented a key with SHA-256 ${observed} — not the pinned one`);
}

/* ───────────── Words ───────────── */

const SHOWN = 6;

/** A list in a sentence, shortened so that a device with twenty addresses still reads in one line. */
function listText(items: readonly string[]): string {
  if (items.length <= SHOWN) return items.join(', ');
  return `${items.slice(0, SHOWN).join(', ')} and ${items.length - SHOWN} more`;
}

function oneOf(items: readonly string[]): string {
  return items.length === 1 ? listText(items) : `one of ${listText(items)}`;
}

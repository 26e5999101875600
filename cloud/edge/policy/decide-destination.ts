/**
 * The edge's one verdict on a destination, for proxied requests and tunnel packets alike: the
 * organisation's access rules first (cloud/access: the same function the portal's simulator uses),
 * then the SSRF guard for every address the destination stands for.
 *
 * The guard (loopback, link-local, private, the edge's own networks) is lifted for an address only
 * when the allow rule that decided names a CIDR containing it. A domain rule never lifts it: a name
 * can be made to resolve anywhere, and an allow rule for `.example.com` must not open the edge's
 * own network to whoever controls a subdomain's DNS.
 */
import { decideAccess } from '../../access/decide.js';
import type { Person } from '../../access/people.js';
import type { AccessPolicy } from '../../../protocol/policy.js';
import { cidrContains, parseCidr, parseIp, type Cidr, type IpAddress } from '../../../protocol/ip.js';
import { guardDestination } from '../destination/classify.js';

export interface DestinationRequest {
  readonly who: Person;
  /** As the request named it (a name, or an IP literal as the URL parser normalised it). */
  readonly host: string;
  readonly port: number;
  /** What the host stands for: the literal itself, or every address the resolver returned. */
  readonly addresses: readonly string[];
}

export type DestinationDecision =
  | { readonly allowed: true; readonly ruleId: string | null; readonly addresses: readonly string[] }
  | { readonly allowed: false; readonly code: 'ACCESS_BLOCKED' | 'DESTINATION_FORBIDDEN'; readonly ruleId: string | null; readonly reason: string };

export interface DestinationRules {
  readonly access: AccessPolicy;
  /** The networks the edge itself sits on, refused like private ranges. */
  readonly edgeOwnCidrs: readonly Cidr[];
}

/**
 * The verdict that needs no DNS: a block by a domain rule that no CIDR rule comes before (only a
 * CIDR rule could match first once the addresses are known). Null when the addresses are needed.
 * Lets the edge refuse a blocked name without resolving it, and whether or not it resolves.
 */
export function decideByName(rules: DestinationRules, who: Person, host: string, port: number): DestinationDecision | null {
  const name = host.toLowerCase();
  if (parseIp(name.replace(/^\[(.*)\]$/, '$1')) !== null) return null;
  const access = decideAccess(rules.access, { ...who, target: { host: name, address: null, port } });
  if (access.action !== 'block' || access.ruleId === null) return null;
  const index = rules.access.rules.findIndex((rule) => rule.id === access.ruleId);
  if (rules.access.rules.slice(0, index).some((rule) => rule.cidrs.length > 0)) return null;
  return { allowed: false, code: 'ACCESS_BLOCKED', ruleId: access.ruleId, reason: blockedReason({ who, host, port, addresses: [] }, access.ruleId) };
}

/** Blocked if any address is blocked: the caller could connect to any of them. */
export function decideDestination(rules: DestinationRules, request: DestinationRequest): DestinationDecision {
  const host = request.host.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  if (request.addresses.length === 0) {
    return { allowed: false, code: 'DESTINATION_FORBIDDEN', ruleId: null, reason: `"${request.host}" did not resolve to any address.` };
  }
  let ruleId: string | null = null;
  for (const text of request.addresses) {
    const address = parseIp(text.split('%')[0] ?? '');
    if (address === null) {
      return { allowed: false, code: 'DESTINATION_FORBIDDEN', ruleId: null, reason: `"${request.host}" resolved to "${text}", which is not an IP address.` };
    }
    const access = decideAccess(rules.access, { ...request.who, target: { host, address, port: request.port } });
    if (access.action === 'block') {
      return { allowed: false, code: 'ACCESS_BLOCKED', ruleId: access.ruleId, reason: blockedReason(request, access.ruleId) };
    }
    ruleId ??= access.ruleId;
    const exception = explicitCidrs(rules.access, access.ruleId, address);
    const verdict = guardDestination({ host: request.host, resolvedAddresses: [text], allowCidrs: exception, edgeOwnCidrs: rules.edgeOwnCidrs });
    if (!verdict.allowed) return { allowed: false, code: verdict.code, ruleId: null, reason: verdict.reason };
  }
  return { allowed: true, ruleId, addresses: request.addresses };
}

/** The CIDRs of the deciding allow rule that contain the address: the only guard exceptions. */
function explicitCidrs(access: AccessPolicy, ruleId: string | null, address: IpAddress): Cidr[] {
  const rule = ruleId === null ? undefined : access.rules.find((candidate) => candidate.id === ruleId);
  if (rule === undefined) return [];
  return rule.cidrs.flatMap((text) => {
    const parsed = parseCidr(text);
    return parsed.ok && cidrContains(parsed.cidr, address) ? [parsed.cidr] : [];
  });
}

function blockedReason(request: DestinationRequest, ruleId: string | null): string {
  const where = `${request.host}:${request.port}`;
  return ruleId === null
    ? `Your organisation's policy blocks ${where} (no rule allows it). Ask your administrator if you need it.`
    : `Your organisation's policy blocks ${where} (rule "${ruleId}"). Ask your administrator if you need it.`;
}

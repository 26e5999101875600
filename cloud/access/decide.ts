/**
 * The access policy's decision for one request: the first rule that matches decides, else the
 * default action. The edge enforces it on every request and tunnel packet; the portal's simulator
 * explains it. Both use this one function, so what the admin is told is what the edge does.
 */
import type { AccessAction, AccessPolicy, AccessRule } from '../../protocol/policy.js';
import { findDestination, isEmptyList, type Target } from './destinations.js';
import { checkScope, type Person } from './people.js';

export interface AccessRequest extends Person {
  target: Target;
}

export interface AccessDecision {
  action: AccessAction;
  ruleId: string | null;
  /** Which rule decided and why, or that the default did; the simulator prefixes it with a label. */
  reason: string;
}

const VERB: Record<AccessAction, string> = { allow: 'allows', block: 'blocks' };

export function decideAccess(access: AccessPolicy, request: AccessRequest): AccessDecision {
  for (const [index, rule] of access.rules.entries()) {
    const why = ruleMatch(rule, request);
    if (why !== null) {
      return { action: rule.action, ruleId: rule.id, reason: `access.rules[${index}] "${rule.id}" ${VERB[rule.action]} it: ${why}.` };
    }
  }
  const count = access.rules.length === 0 ? 'there are no access rules' : `none of the ${access.rules.length} access rules matches`;
  return { action: access.defaultAction, ruleId: null, reason: `${count}, so the default action ${VERB[access.defaultAction]} it.` };
}

/** Why the rule matches the request, or null when it does not. */
function ruleMatch(rule: AccessRule, request: AccessRequest): string | null {
  const scope = checkScope(rule.users, rule.groups, request);
  if (!scope.matched) return null;
  let destination = 'any destination';
  if (!isEmptyList(rule)) {
    const found = findDestination(rule, request.target);
    if (found === null) return null;
    destination = `${request.target.host} matches ${found}`;
  }
  let port = 'any port';
  if (rule.ports.length > 0) {
    const range = rule.ports.find((r) => request.target.port >= r.from && request.target.port <= r.to);
    if (range === undefined) return null;
    port = range.from === range.to ? `port ${range.from}` : `port ${request.target.port} is in ${range.from}-${range.to}`;
  }
  return `${destination}, ${port}, ${scope.why === 'everyone' ? 'for everyone' : scope.why}`;
}

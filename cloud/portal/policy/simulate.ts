/**
 * The policy simulator: for a user, their groups, an OS, a network type and a URL, which app
 * profile applies, what happens to the request, through which edge, what the edge's access policy
 * says, and why at each step. Pure: the admin API route and the UI's explain view call it as is.
 *
 * It follows the document, not a device: it does not run the PAC file, measure edge latency or
 * resolve names, and says so where that matters.
 */
import { WaygateError } from '../../../protocol/errors.js';
import type {
  DeviceOs,
  Edge,
  ForwardingProfile,
  InternetAction,
  NetworkAction,
  NetworkType,
  PolicyDocument,
  SimulationResult,
} from '../../../protocol/policy.js';
import { decideAccess } from '../../access/decide.js';
import { findDestination, isEmptyList, targetOf, type Target } from '../../access/destinations.js';
import { matchAppProfile } from './match.js';

export interface SimulationInput {
  userEmail: string;
  groups: readonly string[];
  os: DeviceOs;
  networkType: NetworkType;
  url: string;
}

const HOW: Record<Exclude<InternetAction, 'none'>, string> = {
  tunnel: 'it enters the TUN adapter and goes through the packet tunnel to the edge',
  'local-proxy': "the browser and system proxy point at the service's local proxy on 127.0.0.1, which forwards it to the edge",
  'enforce-proxy': 'the browser and system proxy use the PAC file, which points at the edge',
};

export function simulate(policy: PolicyDocument, input: SimulationInput): SimulationResult {
  const target = targetOf(input.url);
  if (target === null) throw new WaygateError('BAD_REQUEST', 'The simulator takes an http://, https://, ws:// or wss:// URL with a host.');
  const reasons: string[] = [];
  const access = decideAccess(policy.access, { userEmail: input.userEmail, groups: input.groups, target });
  const app = matchAppProfile(policy, input);
  reasons.push(app.reason);

  if (app.profile === null) {
    reasons.push('Without an app profile the device receives no config (the portal answers 403), so Waygate forwards nothing for it.');
    reasons.push(`Edge access policy: ${access.reason} No request of this device reaches an edge, though.`);
    return {
      appProfile: null,
      forwardingProfile: null,
      networkType: input.networkType,
      destination: null,
      internetAction: null,
      privateAccess: null,
      edge: null,
      bypassed: null,
      accessDecision: { action: access.action, ruleId: access.ruleId, enforced: false },
      reasons,
    };
  }

  const profile = app.profile;
  const forwarding = policy.forwardingProfiles.find((candidate) => candidate.id === profile.forwardingProfile);
  if (forwarding === undefined) throw new Error(`forwarding profile "${profile.forwardingProfile}" does not exist; validate the policy first`);
  reasons.push(`App profile "${profile.name}" uses forwarding profile "${forwarding.name}" (${forwarding.id}).`);
  reasons.push(networkReason(forwarding, input.networkType));
  const actions = forwarding.actions[input.networkType];
  reasons.push(`On ${aNetwork(input.networkType)} it sets internet traffic to "${actions.internet}" and private access to "${actions.privateAccess}".`);

  const route = routeOf(forwarding, actions, target);
  reasons.push(...route.reasons);
  const edge = route.reachesEdge ? edgesOf(policy, forwarding) : null;
  if (edge) reasons.push(edge.reason);
  if (target.address === null && mentionsCidrs(policy, forwarding)) {
    reasons.push(`${target.host} is a name: CIDR entries match the address it resolves to at run time, which the simulator does not look up.`);
  }
  reasons.push(`Edge access policy: ${access.reason}${route.reachesEdge ? '' : ' This request does not reach an edge, though, so it is not applied.'}`);

  return {
    appProfile: { id: profile.id, name: profile.name, index: app.ruleIndex },
    forwardingProfile: { id: forwarding.id, name: forwarding.name },
    networkType: input.networkType,
    destination: route.destination,
    internetAction: actions.internet,
    privateAccess: actions.privateAccess,
    edge: edge ? { primary: edge.primary, secondary: edge.secondary } : null,
    bypassed: route.bypassed,
    accessDecision: { action: access.action, ruleId: access.ruleId, enforced: route.reachesEdge },
    reasons,
  };
}

function networkReason(forwarding: ForwardingProfile, networkType: NetworkType): string {
  if (forwarding.trustedNetwork === null && networkType !== 'off-trusted') {
    return `"${forwarding.name}" defines no trusted network, so a real device would always be off-trusted; simulating ${networkType} as asked.`;
  }
  return `Simulating ${aNetwork(networkType)}.`;
}

function aNetwork(networkType: NetworkType): string {
  return `${networkType === 'off-trusted' ? 'an' : 'a'} ${networkType} network`;
}

interface Route {
  destination: 'internet' | 'private';
  bypassed: boolean | null;
  reachesEdge: boolean;
  reasons: string[];
}

/** Private destinations follow the private-access action; everything else the internet action and the bypass lists. */
function routeOf(forwarding: ForwardingProfile, actions: NetworkAction, target: Target): Route {
  const privateMatch = findDestination(forwarding.privateDestinations, target);
  if (privateMatch !== null) {
    const reachesEdge = actions.privateAccess === 'tunnel';
    const how = reachesEdge
      ? 'private access is "tunnel", so it goes through the packet tunnel to the edge.'
      : 'private access is "none", so Waygate does not carry it; the device reaches it directly, if it can.';
    return { destination: 'private', bypassed: null, reachesEdge, reasons: [`${target.host} is a private destination (${privateMatch}); ${how}`] };
  }
  const reasons = [`${target.host} is internet traffic: no private destination of the profile names it.`];
  const bypass = bypassOf(forwarding, target);
  reasons.push(bypass.reason);
  if (actions.internet === 'none') {
    reasons.push("The internet action is \"none\": Waygate forwards nothing and the user's own proxy settings apply.");
    return { destination: 'internet', bypassed: bypass.bypassed, reachesEdge: false, reasons };
  }
  if (bypass.bypassed) {
    reasons.push('So it goes directly to the destination, not through an edge.');
    return { destination: 'internet', bypassed: true, reachesEdge: false, reasons };
  }
  reasons.push(`The internet action is "${actions.internet}": ${HOW[actions.internet]}.`);
  if (actions.internet !== 'tunnel') {
    reasons.push('The PAC file can still send this URL elsewhere; the simulator does not run it.');
    if (forwarding.allowUserProxy) reasons.push("allowUserProxy is on: a proxy the user set in their browser is left in place and takes precedence.");
  }
  return { destination: 'internet', bypassed: false, reachesEdge: true, reasons };
}

/** Exclude wins over include; an empty include means everything. */
function bypassOf(forwarding: ForwardingProfile, target: Target): { bypassed: boolean; reason: string } {
  const excluded = findDestination(forwarding.exclude, target);
  if (excluded !== null) return { bypassed: true, reason: `The exclude list names it (${excluded}), so it bypasses Waygate.` };
  if (isEmptyList(forwarding.include)) return { bypassed: false, reason: 'No exclude entry names it, and the include list is empty, which means everything.' };
  const included = findDestination(forwarding.include, target);
  if (included !== null) return { bypassed: false, reason: `The include list names it (${included}) and no exclude entry does.` };
  return { bypassed: true, reason: 'The include list names specific destinations and none of them is this one, so it bypasses Waygate.' };
}

/** Primary and secondary as the profile's edge selection would start out. */
function edgesOf(policy: PolicyDocument, forwarding: ForwardingProfile): { primary: Edge; secondary: Edge | null; reason: string } {
  const edges = forwarding.edgeSelection.edges.flatMap((id) => policy.edges.filter((edge) => edge.id === id));
  const [primary, secondary = null] = edges;
  if (primary === undefined) throw new Error(`forwarding profile "${forwarding.id}" selects no existing edge; validate the policy first`);
  const name = (edge: Edge) => `"${edge.id}" (${edge.region})`;
  const then = secondary === null ? 'there is no secondary, so a failed primary leaves no edge to fail over to' : `then ${name(secondary)}`;
  const reason =
    forwarding.edgeSelection.strategy === 'ordered'
      ? `Edge selection is ordered: ${name(primary)} first, ${then}.`
      : `Edge selection is lowest-latency: the device measures at run time; in the listed order that is ${name(primary)} first, ${then}.`;
  return { primary, secondary, reason };
}

function mentionsCidrs(policy: PolicyDocument, forwarding: ForwardingProfile): boolean {
  const lists = [forwarding.include, forwarding.exclude, forwarding.privateDestinations, ...policy.access.rules];
  return lists.some((list) => list.cidrs.length > 0);
}

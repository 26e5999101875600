/**
 * The plan: what the device does right now, as a pure function of what it knows (DESIGN.md,
 * "The forwarding model"). The service and the extension in browser-only mode both compute it;
 * effects (chrome.proxy, the system proxy, later the TUN) only apply it. Every decision carries
 * its reason in words, so the popup and `waygate explain` can say why.
 *
 * `tunnel` runs where the device can (the privileged service on Linux: `tunnelSupport`); elsewhere
 * it is planned as `enforce-proxy` with a reason saying why. `local-proxy` runs where the service
 * runs its local proxy (`localProxyPort`); in browser-only mode it is planned as `enforce-proxy`.
 */
import type { Edge, EffectiveConfig, InternetAction, NetworkType, PrivateAccessAction } from '../protocol/policy.js';
import type { ProtectionState, TunnelState } from '../protocol/localapi.js';
import { localProxyPac } from './local-proxy-pac.js';
import { proxyHostPort, resolvePac } from './pac-template.js';

export interface EdgeChoice {
  primary: Edge;
  secondary: Edge | null;
  latencyMs: number | null;
}

/** A captive portal pause in force (core/captive-pause.ts): forwarding stands aside until `until`. */
export interface CaptivePause {
  until: number;
  loginUrl: string | null;
}

/** No edge answers: what the profile's failOpen says to do about it (core/edge-selection.ts). */
export interface EdgeFailure {
  mode: 'open' | 'closed';
  reason: string;
}

/** Whether this device can run the full-device tunnel, and if not, why (shown when falling back). */
export type TunnelSupport = { available: true } | { available: false; reason: string };

/** What the tunnel is doing (host/tunnel/tunnel-manager.ts), which decides what protection says. */
export interface TunnelHealth {
  state: TunnelState;
  reason: string;
}

/** The tunnel the plan wants: to which edge, around what, and what to do while the edge is away. */
export interface TunnelPlan {
  mode: 'up';
  edge: Edge;
  /** CIDRs through the tunnel (empty: everything); domains in the profile's lists are for the PAC only. */
  include: string[];
  exclude: string[];
  failOpen: { enabled: boolean; afterSeconds: number };
  /** The profile's /16 for tunnel addresses; the device moves to the next free one on a clash. */
  range: string;
}

/** What the local proxy evaluates per request: the profile's PAC with its edges filled in. */
export interface LocalProxyPlan {
  mode: 'up';
  pacScript: string;
  /** A PAC that cannot answer means DIRECT (true) or blocked (false). */
  failOpen: boolean;
}

export interface PlanInputs {
  signedIn: boolean;
  /** The config in force (verified), null before the first one. */
  config: EffectiveConfig | null;
  network: { type: NetworkType; evidence: readonly string[] };
  edges: EdgeChoice | null;
  /** Epoch ms until which the user turned protection off, or null. */
  disabledUntil: number | null;
  captivePause?: CaptivePause | null;
  edgeFailure?: EdgeFailure | null;
  localProxyPort: number | null;
  /** Absent: no tunnel here (browser-only mode). */
  tunnelSupport?: TunnelSupport;
  tunnelHealth?: TunnelHealth | null;
  now: number;
}

export type BrowserProxyPlan = { mode: 'pac'; pacScript: string; authHosts: string[] } | { mode: 'release' };
export type SystemProxyPlan = { mode: 'pac'; pacScript: string } | { mode: 'restore' };

export interface Plan {
  /** The internet action in force, null when nothing is forwarded for lack of sign-in or config. */
  internet: InternetAction | null;
  private: PrivateAccessAction | null;
  browserProxy: BrowserProxyPlan;
  systemProxy: SystemProxyPlan;
  tunnel: { mode: 'down' } | TunnelPlan;
  localProxy: { mode: 'down' } | LocalProxyPlan;
  status: { state: ProtectionState; reason: string };
  reasons: string[];
  /** When the plan changes by itself (protection turning back on), so the caller re-plans then. */
  replanAt: number | null;
}

const NOTHING = { browserProxy: { mode: 'release' }, systemProxy: { mode: 'restore' }, tunnel: { mode: 'down' }, localProxy: { mode: 'down' } } as const;

export function plan(inputs: PlanInputs): Plan {
  const reasons: string[] = [];
  if (!inputs.signedIn) {
    const reason = 'Not signed in: sign in to be protected.';
    return { ...NOTHING, internet: null, private: null, status: { state: 'signed-out', reason }, reasons: [reason], replanAt: null };
  }
  const { config } = inputs;
  if (config === null) {
    const reason = 'Signed in; waiting for the first policy from the portal.';
    return { ...NOTHING, internet: null, private: null, status: { state: 'waiting', reason }, reasons: [reason], replanAt: null };
  }

  const profile = config.forwardingProfile;
  const type = inputs.network.type;
  const configured = profile.actions[type];
  reasons.push(`Network type ${type}${inputs.network.evidence.length ? ` (${inputs.network.evidence.join('; ')})` : ''}.`);
  reasons.push(`Profile "${profile.name}" says ${configured.internet} for internet traffic on ${type} networks.`);

  if (inputs.disabledUntil !== null && inputs.disabledUntil > inputs.now) {
    const until = new Date(inputs.disabledUntil).toISOString();
    const reason = `Turned off by the user until ${until}; it turns back on by itself.`;
    reasons.push(reason);
    return { ...NOTHING, internet: 'none', private: 'none', status: { state: 'disabled', reason }, reasons, replanAt: inputs.disabledUntil };
  }

  if (configured.internet === 'none') {
    const reason = `Nothing is forwarded on this network (${type}): the profile says none.`;
    return { ...NOTHING, internet: 'none', private: configured.privateAccess, status: { state: 'off', reason }, reasons: [...reasons, reason], replanAt: null };
  }

  const pause = inputs.captivePause;
  if (pause && pause.until > inputs.now) {
    const until = new Date(pause.until).toISOString();
    const reason = `Captive portal: forwarding is paused so you can sign in to this network; protection resumes by ${until}, or as soon as the internet answers.`;
    reasons.push(reason);
    return { ...NOTHING, internet: 'none', private: 'none', status: { state: 'paused', reason }, reasons, replanAt: pause.until };
  }

  if (inputs.edgeFailure?.mode === 'open') {
    const reason = `No edge answers (${inputs.edgeFailure.reason}); the profile fails open, so traffic goes direct until one does.`;
    reasons.push(reason);
    return { ...NOTHING, internet: 'none', private: 'none', status: { state: 'fail-open', reason }, reasons, replanAt: null };
  }

  let internet = configured.internet;
  const support = inputs.tunnelSupport ?? { available: false, reason: 'the browser cannot open a network adapter' };
  if (internet === 'tunnel' && !support.available) {
    reasons.push(`The profile asks for the full-device tunnel, but ${support.reason}; the browser and apps use the edge proxy instead.`);
    internet = 'enforce-proxy';
  }
  if (internet === 'local-proxy' && inputs.localProxyPort === null) {
    reasons.push('The profile asks for the local proxy, which only the Waygate app runs; the browser uses the edge proxy instead.');
    internet = 'enforce-proxy';
  }

  const edges = inputs.edges ?? { primary: firstEdge(config), secondary: config.edges[1] ?? null, latencyMs: null };
  reasons.push(`Edge ${edges.primary.id} (${edges.primary.region})${edges.latencyMs === null ? '' : `, ${Math.round(edges.latencyMs)} ms away`}.`);
  if (internet === 'tunnel') return tunnelPlan(inputs, config, edges, reasons, configured.privateAccess);
  if (internet === 'local-proxy' && inputs.localProxyPort !== null) return localProxyPlan(inputs, inputs.localProxyPort, config, edges, reasons, configured.privateAccess);
  const pacScript = resolvePac(config.pac, { primary: edges.primary, secondary: edges.secondary, localProxyPort: inputs.localProxyPort });
  const authHosts = [...new Set([edges.primary, ...(edges.secondary ? [edges.secondary] : []), ...config.edges].map((edge) => proxyHostPort(edge.proxyUrl)))];

  const browserProxy: BrowserProxyPlan = profile.allowUserProxy ? { mode: 'release' } : { mode: 'pac', pacScript, authHosts };
  if (profile.allowUserProxy) reasons.push('The profile lets the user keep their own browser proxy settings, so the browser is left alone.');
  // Failing closed keeps the PAC naming the edges: internet requests fail while none answers, local
  // names still go direct, and the first edge to answer again carries traffic at once.
  const failedClosed = inputs.edgeFailure?.mode === 'closed';
  const reason = failedClosed
    ? `No edge answers (${inputs.edgeFailure?.reason ?? 'no answer'}); the profile fails closed, so internet traffic is blocked until one does.`
    : `Protected: web traffic goes through edge ${edges.primary.id} as the profile's PAC says.`;
  return {
    internet,
    private: configured.privateAccess,
    browserProxy,
    systemProxy: { mode: 'pac', pacScript },
    tunnel: { mode: 'down' },
    localProxy: { mode: 'down' },
    status: { state: failedClosed ? 'fail-closed' : 'protected', reason },
    reasons: [...reasons, reason],
    replanAt: null,
  };
}

/**
 * The tunnel carries everything, so the browser and system proxy are given back; what protection
 * says follows the tunnel's own state, since only it knows whether packets reach the edge.
 */
function tunnelPlan(inputs: PlanInputs, config: EffectiveConfig, edges: EdgeChoice, reasons: string[], privateAccess: PrivateAccessAction): Plan {
  const profile = config.forwardingProfile;
  const tunnel: TunnelPlan = {
    mode: 'up',
    edge: edges.primary,
    include: profile.include.cidrs,
    exclude: profile.exclude.cidrs,
    failOpen: profile.failOpen,
    range: profile.tunnelRange,
  };
  const split = tunnel.include.length > 0 || tunnel.exclude.length > 0;
  reasons.push(
    split
      ? `Split tunnel: ${tunnel.include.length > 0 ? tunnel.include.join(', ') : 'everything'} through the tunnel${tunnel.exclude.length > 0 ? `, except ${tunnel.exclude.join(', ')}` : ''}.`
      : 'Every IPv4 packet of the device goes through the tunnel; IPv6 is blocked while it is up.',
  );
  const status = tunnelStatus(inputs, edges.primary);
  return { internet: 'tunnel', private: privateAccess, ...NOTHING, tunnel, status, reasons: [...reasons, status.reason], replanAt: null };
}

/**
 * Browsers and apps talk to the local proxy, which runs the profile's PAC per request and adds the
 * edge token itself: no proxy authentication ever reaches the browser. The PAC it runs names the
 * edges (never `${LOCAL_PROXY}`, which would be itself).
 */
function localProxyPlan(inputs: PlanInputs, port: number, config: EffectiveConfig, edges: EdgeChoice, reasons: string[], privateAccess: PrivateAccessAction): Plan {
  const profile = config.forwardingProfile;
  const pacScript = resolvePac(config.pac, { primary: edges.primary, secondary: edges.secondary, localProxyPort: null });
  const pointer = localProxyPac(port);
  const browserProxy: BrowserProxyPlan = profile.allowUserProxy ? { mode: 'release' } : { mode: 'pac', pacScript: pointer, authHosts: [] };
  if (profile.allowUserProxy) reasons.push('The profile lets the user keep their own browser proxy settings, so the browser is left alone.');
  const failedClosed = inputs.edgeFailure?.mode === 'closed';
  const reason = failedClosed
    ? `No edge answers (${inputs.edgeFailure?.reason ?? 'no answer'}); the profile fails closed, so internet traffic is blocked until one does.`
    : `Protected: browsers and apps use the local proxy on 127.0.0.1:${port}, which sends web traffic through edge ${edges.primary.id} as the profile's PAC says.`;
  return {
    internet: 'local-proxy',
    private: privateAccess,
    browserProxy,
    systemProxy: { mode: 'pac', pacScript: pointer },
    tunnel: { mode: 'down' },
    localProxy: { mode: 'up', pacScript, failOpen: profile.failOpen.enabled },
    status: { state: failedClosed ? 'fail-closed' : 'protected', reason },
    reasons: [...reasons, reason],
    replanAt: null,
  };
}

function tunnelStatus(inputs: PlanInputs, edge: Edge): { state: ProtectionState; reason: string } {
  if (inputs.edgeFailure?.mode === 'closed') {
    return { state: 'fail-closed', reason: `No edge answers (${inputs.edgeFailure.reason}); the profile fails closed, so the tunnel drops traffic until one does.` };
  }
  const health = inputs.tunnelHealth ?? { state: 'connecting', reason: `Connecting the tunnel to edge ${edge.id}.` };
  switch (health.state) {
    case 'up':
      return { state: 'protected', reason: `Protected: the device's traffic goes through the tunnel to edge ${edge.id}.` };
    case 'connecting':
    case 'reconnecting':
      return { state: 'waiting', reason: health.reason };
    case 'fail-closed':
      return { state: 'fail-closed', reason: health.reason };
    case 'fail-open':
    case 'unavailable':
      return { state: 'fail-open', reason: health.reason };
  }
}

function firstEdge(config: EffectiveConfig): Edge {
  const edge = config.edges[0];
  // EffectiveConfig requires at least one edge; the schema guarantees this never throws.
  if (!edge) throw new Error('config has no edges');
  return edge;
}

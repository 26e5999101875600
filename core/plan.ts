/**
 * The plan: what the device does right now, as a pure function of what it knows (DESIGN.md,
 * "The forwarding model"). The service and the extension in browser-only mode both compute it;
 * effects (chrome.proxy, the system proxy, later the TUN) only apply it. Every decision carries
 * its reason in words, so the popup and `waygate explain` can say why.
 *
 * This version applies `enforce-proxy` and `none`. `tunnel` and `local-proxy` are planned as
 * `enforce-proxy` with a reason saying so, which keeps the browser protected until the device side
 * of those actions exists.
 */
import type { Edge, EffectiveConfig, InternetAction, NetworkType, PrivateAccessAction } from '../protocol/policy.js';
import type { ProtectionState } from '../protocol/localapi.js';
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
  tunnel: { mode: 'down' };
  status: { state: ProtectionState; reason: string };
  reasons: string[];
  /** When the plan changes by itself (protection turning back on), so the caller re-plans then. */
  replanAt: number | null;
}

const NOTHING = { browserProxy: { mode: 'release' }, systemProxy: { mode: 'restore' }, tunnel: { mode: 'down' } } as const;

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
  if (internet === 'tunnel' || internet === 'local-proxy') {
    reasons.push(`This version of Waygate cannot apply ${internet} yet; the browser and apps use the edge proxy instead.`);
    internet = 'enforce-proxy';
  }

  const edges = inputs.edges ?? { primary: firstEdge(config), secondary: config.edges[1] ?? null, latencyMs: null };
  reasons.push(`Edge ${edges.primary.id} (${edges.primary.region})${edges.latencyMs === null ? '' : `, ${Math.round(edges.latencyMs)} ms away`}.`);
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
    status: { state: failedClosed ? 'fail-closed' : 'protected', reason },
    reasons: [...reasons, reason],
    replanAt: null,
  };
}

function firstEdge(config: EffectiveConfig): Edge {
  const edge = config.edges[0];
  // EffectiveConfig requires at least one edge; the schema guarantees this never throws.
  if (!edge) throw new Error('config has no edges');
  return edge;
}

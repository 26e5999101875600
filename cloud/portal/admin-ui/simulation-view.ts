/** The simulator's answer in words: what each action means for the request, and the access verdict. */
import type { InternetAction, PrivateAccessAction, SimulationResult } from '../../../protocol/policy.js';

const ACTIONS: Record<InternetAction, string> = {
  tunnel: 'Tunnel (whole device)',
  'local-proxy': 'Local proxy',
  'enforce-proxy': 'Proxy via PAC',
  none: 'Direct (not forwarded)',
};

/** The action that applies to this URL: private access for private destinations, else internet. */
export function actionLabel(result: Pick<SimulationResult, 'destination' | 'internetAction' | 'privateAccess' | 'bypassed'>): string {
  if (result.destination === 'private') {
    const action: PrivateAccessAction | null = result.privateAccess;
    return action === null ? '—' : action === 'tunnel' ? 'Tunnel (private access)' : 'Not reachable (private access off)';
  }
  if (result.bypassed) return 'Direct (bypassed)';
  return result.internetAction === null ? '—' : ACTIONS[result.internetAction];
}

export function destinationLabel(destination: SimulationResult['destination']): string {
  return destination === 'private' ? 'Private app' : destination === 'internet' ? 'Internet' : '—';
}

export function accessLabel(decision: SimulationResult['accessDecision']): string {
  const verdict = decision.action === 'allow' ? 'Allowed' : 'Blocked';
  const by = decision.ruleId ? `by rule “${decision.ruleId}”` : 'by default';
  return decision.enforced ? `${verdict} ${by}` : `${verdict} ${by} (not enforced: the request does not reach an edge)`;
}

export const NETWORK_LABELS: Record<SimulationResult['networkType'], string> = {
  trusted: 'Trusted network',
  'vpn-trusted': 'Trusted via VPN',
  'off-trusted': 'Off trusted network',
};

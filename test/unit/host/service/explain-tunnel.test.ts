import { describe, expect, it } from 'vitest';
import { plan } from '../../../../core/plan.js';
import { explain } from '../../../../host/service/explain.js';
import type { NetworkView } from '../../../../protocol/localapi.js';
import { EDGE_EU, effectiveConfig } from '../../../fakes/portal-config.js';

const NETWORK: NetworkView = { type: 'off-trusted', evidence: [], checks: [], changedAt: null };

function tunnelPlan(include: string[], exclude: string[]) {
  const config = effectiveConfig({
    forwarding: {
      actions: { trusted: { internet: 'none', privateAccess: 'none' }, 'vpn-trusted': { internet: 'none', privateAccess: 'none' }, 'off-trusted': { internet: 'tunnel', privateAccess: 'none' } },
      include: { domains: [], cidrs: include },
      exclude: { domains: [], cidrs: exclude },
    },
  });
  const current = plan({
    signedIn: true,
    config,
    network: NETWORK,
    edges: { primary: EDGE_EU, secondary: null, latencyMs: 5 },
    disabledUntil: null,
    localProxyPort: null,
    tunnelSupport: { available: true },
    tunnelHealth: { state: 'up', reason: 'up' },
    now: 0,
  });
  return { plan: current, config, network: NETWORK };
}

describe('explain in tunnel mode', () => {
  it('sends names through the tunnel to the edge, and says which ranges would go direct', async () => {
    const answer = await explain('https://example.com/', tunnelPlan([], ['192.0.2.0/24']));
    expect(answer).toMatchObject({ action: 'tunnel', pacResult: null, route: { kind: 'edge', edgeId: EDGE_EU.id, proxy: 'full-device tunnel' } });
    expect(answer.reasons.at(-1)).toBe(`Every packet goes through the tunnel to edge ${EDGE_EU.id} unless example.com resolves into an excluded range (192.0.2.0/24).`);
  });

  it('judges addresses by the profile’s include and exclude ranges, and blocks IPv6', async () => {
    const split = tunnelPlan(['10.0.0.0/8'], ['10.9.0.0/16']);
    expect((await explain('http://10.1.2.3/', split)).route).toEqual({ kind: 'edge', edgeId: EDGE_EU.id, proxy: 'full-device tunnel' });
    expect((await explain('http://10.9.2.3/', split)).route).toEqual({ kind: 'direct' });
    expect((await explain('http://8.8.8.8/', split)).route).toEqual({ kind: 'direct' });
    expect((await explain('http://[2001:db8::1]/', split)).route).toEqual({ kind: 'blocked' });
  });
});

import { describe, expect, it } from 'vitest';
import { plan, type PlanInputs } from '../../../core/plan.js';
import type { InternetAction, NetworkType } from '../../../protocol/policy.js';
import { EDGE_AP, EDGE_EU, EDGE_US, effectiveConfig } from '../../fakes/portal-config.js';

const NOW = Date.UTC(2026, 0, 1, 12);
const PAC = 'function FindProxyForURL(url, host) { return "${EDGE}; ${SECONDARY_EDGE}; DIRECT"; }';

function inputs(change: Partial<PlanInputs> = {}): PlanInputs {
  return {
    signedIn: true,
    config: effectiveConfig({ pac: PAC }),
    network: { type: 'off-trusted', evidence: ['no trusted network is defined'] },
    edges: null,
    disabledUntil: null,
    localProxyPort: null,
    now: NOW,
    ...change,
  };
}

/** A config whose forwarding profile says `internet` on off-trusted networks. */
function configWith(internet: InternetAction, extra: { allowUserProxy?: boolean } = {}) {
  const actions = {
    trusted: { internet: 'none', privateAccess: 'none' },
    'vpn-trusted': { internet: 'none', privateAccess: 'none' },
    'off-trusted': { internet, privateAccess: 'none' },
  } as const;
  return effectiveConfig({ pac: PAC, forwarding: { actions, ...extra } });
}

describe('plan', () => {
  it('forwards nothing when signed out', () => {
    const result = plan(inputs({ signedIn: false, config: null }));
    expect(result.status.state).toBe('signed-out');
    expect(result.internet).toBeNull();
    expect(result.private).toBeNull();
    expect(result.browserProxy).toEqual({ mode: 'release' });
    expect(result.systemProxy).toEqual({ mode: 'restore' });
    expect(result.tunnel).toEqual({ mode: 'down' });
    expect(result.replanAt).toBeNull();
  });

  it('waits, forwarding nothing, when signed in before the first config', () => {
    const result = plan(inputs({ config: null }));
    expect(result.status.state).toBe('waiting');
    expect(result.status.reason).toMatch(/waiting for the first policy/);
    expect(result.internet).toBeNull();
    expect(result.browserProxy).toEqual({ mode: 'release' });
    expect(result.systemProxy).toEqual({ mode: 'restore' });
  });

  it('protects with enforce-proxy: the PAC names the primary and secondary edges as directives', () => {
    const result = plan(inputs());
    const pacScript = 'function FindProxyForURL(url, host) { return "HTTPS eu.edge.example:443; HTTPS us.edge.example:8443; DIRECT"; }';
    expect(result.status.state).toBe('protected');
    expect(result.internet).toBe('enforce-proxy');
    expect(result.private).toBe('none');
    expect(result.browserProxy).toEqual({ mode: 'pac', pacScript, authHosts: ['eu.edge.example:443', 'us.edge.example:8443'] });
    expect(result.systemProxy).toEqual({ mode: 'pac', pacScript });
    expect(result.tunnel).toEqual({ mode: 'down' });
    expect(result.status.reason).toContain('edge eu');
  });

  it('uses the chosen edges and still lets the browser authenticate to every edge of the config', () => {
    const config = effectiveConfig({ pac: PAC, edges: [EDGE_EU, EDGE_US, EDGE_AP] });
    const result = plan(inputs({ config, edges: { primary: EDGE_AP, secondary: EDGE_EU, latencyMs: 12.4 } }));
    if (result.browserProxy.mode !== 'pac') throw new Error('expected a PAC plan');
    expect(result.browserProxy.pacScript).toContain('"HTTPS ap.edge.example:9443; HTTPS eu.edge.example:443; DIRECT"');
    expect([...result.browserProxy.authHosts].sort()).toEqual(['ap.edge.example:9443', 'eu.edge.example:443', 'us.edge.example:8443']);
    expect(result.reasons.join('\n')).toContain('Edge ap (ap-south), 12 ms away.');
  });

  it('names the only edge twice when there is no secondary', () => {
    const result = plan(inputs({ config: effectiveConfig({ pac: PAC, edges: [EDGE_EU] }) }));
    if (result.systemProxy.mode !== 'pac') throw new Error('expected a PAC plan');
    expect(result.systemProxy.pacScript).toContain('"HTTPS eu.edge.example:443; HTTPS eu.edge.example:443; DIRECT"');
  });

  it('releases the browser and restores the system proxy when the profile says none', () => {
    const result = plan(inputs({ network: { type: 'trusted', evidence: ['DNS server 10.0.0.53'] } }));
    expect(result.status.state).toBe('off');
    expect(result.internet).toBe('none');
    expect(result.browserProxy).toEqual({ mode: 'release' });
    expect(result.systemProxy).toEqual({ mode: 'restore' });
    expect(result.reasons.join('\n')).toContain('Network type trusted (DNS server 10.0.0.53).');
  });

  it('is disabled until the user’s time runs out, and asks to be re-planned then', () => {
    const until = NOW + 30 * 60_000;
    const result = plan(inputs({ disabledUntil: until }));
    expect(result.status.state).toBe('disabled');
    expect(result.status.reason).toContain(new Date(until).toISOString());
    expect(result.internet).toBe('none');
    expect(result.browserProxy).toEqual({ mode: 'release' });
    expect(result.systemProxy).toEqual({ mode: 'restore' });
    expect(result.replanAt).toBe(until);
  });

  it('is protected again once the disable time has passed', () => {
    const result = plan(inputs({ disabledUntil: NOW - 1 }));
    expect(result.status.state).toBe('protected');
    expect(result.replanAt).toBeNull();
    expect(plan(inputs({ disabledUntil: NOW })).status.state).toBe('protected');
  });

  it('plans local-proxy as enforce-proxy where no local proxy runs (browser-only), and says why', () => {
    const result = plan(inputs({ config: configWith('local-proxy') }));
    expect(result.internet).toBe('enforce-proxy');
    expect(result.status.state).toBe('protected');
    expect(result.browserProxy.mode).toBe('pac');
    expect(result.localProxy).toEqual({ mode: 'down' });
    expect(result.reasons.join('\n')).toContain('only the Waygate app runs');
  });

  it('points the browser and the system at the local proxy, which runs the profile\'s PAC with the edges filled in', () => {
    const result = plan(inputs({ config: configWith('local-proxy'), localProxyPort: 3128, edges: { primary: EDGE_US, secondary: EDGE_EU, latencyMs: 3 } }));
    expect(result.internet).toBe('local-proxy');
    expect(result.status).toEqual({ state: 'protected', reason: expect.stringContaining('local proxy on 127.0.0.1:3128') });
    if (result.browserProxy.mode !== 'pac' || result.systemProxy.mode !== 'pac' || result.localProxy.mode !== 'up') throw new Error('expected PACs and a local proxy');
    // No proxy authentication for the browser: the local proxy adds the token itself.
    expect(result.browserProxy.authHosts).toEqual([]);
    expect(result.browserProxy.pacScript).toContain('return "PROXY 127.0.0.1:3128";');
    expect(result.systemProxy.pacScript).toBe(result.browserProxy.pacScript);
    expect(result.localProxy.pacScript).toContain('HTTPS us.edge.example:8443; HTTPS eu.edge.example:443; DIRECT');
    expect(result.localProxy.failOpen).toBe(false);
    expect(result.tunnel).toEqual({ mode: 'down' });
  });

  it('falls back to enforce-proxy when the device cannot run the tunnel, and says why', () => {
    for (const tunnelSupport of [undefined, { available: false as const, reason: 'the service does not run as root' }]) {
      const result = plan(inputs({ config: configWith('tunnel'), ...(tunnelSupport ? { tunnelSupport } : {}) }));
      expect(result.internet).toBe('enforce-proxy');
      expect(result.browserProxy.mode).toBe('pac');
      expect(result.tunnel).toEqual({ mode: 'down' });
      expect(result.reasons.join('\n')).toContain(tunnelSupport ? 'the service does not run as root' : 'the browser cannot open a network adapter');
    }
  });

  it('plans the tunnel to the chosen edge with the profile\'s routes, and gives the browser and system proxy back', () => {
    const config = effectiveConfig({
      pac: PAC,
      forwarding: {
        actions: { trusted: { internet: 'none', privateAccess: 'none' }, 'vpn-trusted': { internet: 'none', privateAccess: 'none' }, 'off-trusted': { internet: 'tunnel', privateAccess: 'none' } },
        include: { domains: [], cidrs: ['10.0.0.0/8'] },
        exclude: { domains: ['example.com'], cidrs: ['10.9.0.0/16'] },
        failOpen: { enabled: true, afterSeconds: 5 },
      },
    });
    const result = plan(inputs({ config, tunnelSupport: { available: true }, edges: { primary: EDGE_US, secondary: EDGE_EU, latencyMs: 12 }, tunnelHealth: { state: 'up', reason: 'up' } }));
    expect(result.internet).toBe('tunnel');
    expect(result.tunnel).toEqual({ mode: 'up', edge: EDGE_US, include: ['10.0.0.0/8'], exclude: ['10.9.0.0/16'], failOpen: { enabled: true, afterSeconds: 5 }, range: config.forwardingProfile.tunnelRange });
    expect(result.browserProxy).toEqual({ mode: 'release' });
    expect(result.systemProxy).toEqual({ mode: 'restore' });
    expect(result.status).toEqual({ state: 'protected', reason: expect.stringContaining(`tunnel to edge ${EDGE_US.id}`) });
    expect(result.reasons.join('\n')).toContain('Split tunnel: 10.0.0.0/8 through the tunnel, except 10.9.0.0/16.');
  });

  it.each([
    ['connecting', 'waiting'],
    ['reconnecting', 'waiting'],
    ['fail-closed', 'fail-closed'],
    ['fail-open', 'fail-open'],
    ['unavailable', 'fail-open'],
  ] as const)('says what the tunnel does: %s → %s, with the tunnel\'s reason', (state, protection) => {
    const result = plan(inputs({ config: configWith('tunnel'), tunnelSupport: { available: true }, tunnelHealth: { state, reason: `tunnel is ${state}` } }));
    expect(result.tunnel.mode).toBe('up');
    expect(result.status).toEqual({ state: protection, reason: `tunnel is ${state}` });
  });

  it('keeps the tunnel (dropping traffic) while no edge answers and the profile fails closed', () => {
    const result = plan(inputs({ config: configWith('tunnel'), tunnelSupport: { available: true }, tunnelHealth: { state: 'up', reason: '' }, edgeFailure: { mode: 'closed', reason: 'no answer for 3 s' } }));
    expect(result.tunnel.mode).toBe('up');
    expect(result.status.state).toBe('fail-closed');
  });

  it('leaves the browser to the user when the profile allows their own proxy, but keeps the system PAC', () => {
    const result = plan(inputs({ config: configWith('enforce-proxy', { allowUserProxy: true }) }));
    expect(result.browserProxy).toEqual({ mode: 'release' });
    expect(result.systemProxy.mode).toBe('pac');
    expect(result.status.state).toBe('protected');
    expect(result.reasons.join('\n')).toContain('own browser proxy settings');
  });

  it('fills ${LOCAL_PROXY} with the service’s local proxy when it runs one', () => {
    const pac = 'function FindProxyForURL(url, host) { return "${LOCAL_PROXY}"; }';
    const result = plan(inputs({ config: effectiveConfig({ pac }), localProxyPort: 3128 }));
    if (result.systemProxy.mode !== 'pac') throw new Error('expected a PAC plan');
    expect(result.systemProxy.pacScript).toContain('"PROXY 127.0.0.1:3128"');
  });

  const everyState: [string, Partial<PlanInputs>][] = [
    ['signed-out', { signedIn: false, config: null }],
    ['waiting', { config: null }],
    ['protected', {}],
    ['off', { network: { type: 'vpn-trusted' as NetworkType, evidence: [] } }],
    ['disabled', { disabledUntil: NOW + 60_000 }],
  ];

  it.each(everyState)('gives a reason in words for %s', (state, change) => {
    const result = plan(inputs(change));
    expect(result.status.state).toBe(state);
    expect(result.status.reason.trim().length).toBeGreaterThan(10);
  });

  // Bug: plan() returns `reasons: []` when signed out, while every other state lists its status
  // reason, so `waygate explain` (host/service/explain.ts, which prints plan.reasons) never says
  // "not signed in" — contrary to the module doc: "Every decision carries its reason in words".
  it('lists the status reason among the reasons when signed out, as in every other state', () => {
    for (const [, change] of everyState) {
      const result = plan(inputs(change));
      expect(result.reasons).toContain(result.status.reason);
    }
  });
});

describe('plan: captive portals and unreachable edges', () => {
  it('pauses forwarding for a captive portal until its window ends, then protects again', () => {
    const until = NOW + 10 * 60_000;
    const paused = plan(inputs({ captivePause: { until, loginUrl: 'http://portal.cafe.test/login' } }));
    expect(paused.status.state).toBe('paused');
    expect(paused.status.reason).toContain(new Date(until).toISOString());
    expect(paused.browserProxy).toEqual({ mode: 'release' });
    expect(paused.systemProxy).toEqual({ mode: 'restore' });
    expect(paused.replanAt).toBe(until);
    expect(plan(inputs({ captivePause: { until, loginUrl: null }, now: until })).status.state).toBe('protected');
  });

  it('a user turning protection off wins over a captive pause', () => {
    expect(plan(inputs({ disabledUntil: NOW + 60_000, captivePause: { until: NOW + 60_000, loginUrl: null } })).status.state).toBe('disabled');
  });

  it('fails open: releases the browser and the system proxy, and says why', () => {
    const result = plan(inputs({ edgeFailure: { mode: 'open', reason: 'eu-1 and us-1 did not answer for 30 s' } }));
    expect(result.status).toMatchObject({ state: 'fail-open', reason: expect.stringContaining('eu-1 and us-1 did not answer') });
    expect(result.browserProxy).toEqual({ mode: 'release' });
    expect(result.systemProxy).toEqual({ mode: 'restore' });
  });

  it('fails closed: keeps the PAC naming the edges (internet blocked, local names direct) and says why', () => {
    const result = plan(inputs({ edgeFailure: { mode: 'closed', reason: 'no answer' } }));
    expect(result.status.state).toBe('fail-closed');
    expect(result.browserProxy.mode).toBe('pac');
    expect(result.systemProxy.mode).toBe('pac');
  });
});

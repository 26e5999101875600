import { describe, expect, it } from 'vitest';
import { accessLabel, actionLabel, destinationLabel } from '../../../../../cloud/portal/admin-ui/simulation-view.js';

describe('the simulator’s answer in words', () => {
  it('names the action that applies to the URL', () => {
    expect(actionLabel({ destination: 'internet', internetAction: 'enforce-proxy', privateAccess: 'none', bypassed: false })).toBe('Proxy via PAC');
    expect(actionLabel({ destination: 'internet', internetAction: 'tunnel', privateAccess: 'none', bypassed: true })).toBe('Direct (bypassed)');
    expect(actionLabel({ destination: 'private', internetAction: 'none', privateAccess: 'tunnel', bypassed: null })).toBe('Tunnel (private access)');
    expect(actionLabel({ destination: 'private', internetAction: 'tunnel', privateAccess: 'none', bypassed: null })).toBe('Not reachable (private access off)');
    expect(actionLabel({ destination: null, internetAction: null, privateAccess: null, bypassed: null })).toBe('—');
  });

  it('names the destination', () => {
    expect(destinationLabel('private')).toBe('Private app');
    expect(destinationLabel(null)).toBe('—');
  });

  it('says who decided access, and when the edge never sees the request', () => {
    expect(accessLabel({ action: 'block', ruleId: 'no-gambling', enforced: true })).toBe('Blocked by rule “no-gambling”');
    expect(accessLabel({ action: 'allow', ruleId: null, enforced: false })).toBe('Allowed by default (not enforced: the request does not reach an edge)');
  });
});

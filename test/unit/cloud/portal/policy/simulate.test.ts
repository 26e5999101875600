import { describe, expect, it } from 'vitest';
import { WaygateError } from '../../../../../protocol/errors.js';
import { DEFAULT_POLICY, SimulationResult } from '../../../../../protocol/policy.js';
import { simulate, type SimulationInput } from '../../../../../cloud/portal/policy/simulate.js';
import { samplePolicy } from './sample-policy.js';

const policy = samplePolicy();
const staff = { userEmail: 'sam@corp.example.com', groups: ['staff'], os: 'macos' } as const;
const engineer = { userEmail: 'ada@corp.example.com', groups: ['engineering'], os: 'linux' } as const;
const contractor = { userEmail: 'eve@contractor.example', groups: [], os: 'windows' } as const;
const sre = { userEmail: 'sri@corp.example.com', groups: ['sre'], os: 'macos' } as const;

function run(who: Omit<SimulationInput, 'networkType' | 'url'>, networkType: SimulationInput['networkType'], url: string, doc = policy) {
  const result = simulate(doc, { ...who, networkType, url });
  // The admin API sends exactly this shape.
  expect(SimulationResult.parse(result)).toEqual(result);
  return result;
}

describe('simulate with the default policy', () => {
  it('sends an off-trusted request through the PAC to the local edge, and says why at every step', () => {
    const result = run({ userEmail: 'demo@example.com', groups: [], os: 'linux' }, 'off-trusted', 'https://www.example.com/path', DEFAULT_POLICY);
    expect(result).toEqual({
      appProfile: { id: 'everyone', name: 'Everyone', index: 0 },
      forwardingProfile: { id: 'default', name: 'Default' },
      networkType: 'off-trusted',
      destination: 'internet',
      internetAction: 'enforce-proxy',
      privateAccess: 'none',
      edge: { primary: DEFAULT_POLICY.edges[0], secondary: null },
      bypassed: false,
      accessDecision: { action: 'allow', ruleId: null, enforced: true },
      reasons: [
        'appProfiles[0] "Everyone" applies, the first profile: any OS, and it is for everyone.',
        'App profile "Everyone" uses forwarding profile "Default" (default).',
        'Simulating an off-trusted network.',
        'On an off-trusted network it sets internet traffic to "enforce-proxy" and private access to "none".',
        'www.example.com is internet traffic: no private destination of the profile names it.',
        'No exclude entry names it, and the include list is empty, which means everything.',
        'The internet action is "enforce-proxy": the browser and system proxy use the PAC file, which points at the edge.',
        'The PAC file can still send this URL elsewhere; the simulator does not run it.',
        'Edge selection is lowest-latency: the device measures at run time; in the listed order that is "local" (local) first, there is no secondary, so a failed primary leaves no edge to fail over to.',
        'www.example.com is a name: CIDR entries match the address it resolves to at run time, which the simulator does not look up.',
        'Edge access policy: there are no access rules, so the default action allows it.',
      ],
    });
  });

  it('forwards nothing on a trusted network, and notes that the profile defines none', () => {
    const result = run({ userEmail: 'demo@example.com', groups: [], os: 'windows' }, 'trusted', 'https://www.example.com/', DEFAULT_POLICY);
    expect(result).toMatchObject({ internetAction: 'none', edge: null, bypassed: false, accessDecision: { enforced: false } });
    expect(result.reasons).toContain('"Default" defines no trusted network, so a real device would always be off-trusted; simulating trusted as asked.');
    expect(result.reasons).toContain("The internet action is \"none\": Waygate forwards nothing and the user's own proxy settings apply.");
  });

  it('leaves loopback and private addresses out', () => {
    const result = run({ userEmail: 'demo@example.com', groups: [], os: 'linux' }, 'off-trusted', 'http://[::1]:8080/', DEFAULT_POLICY);
    expect(result).toMatchObject({ bypassed: true, edge: null });
    expect(result.reasons).toContain('The exclude list names it (the CIDR ::1/128), so it bypasses Waygate.');
  });
});

describe('simulate with the sample policy', () => {
  it('tunnels a private app to the ordered edges', () => {
    const result = run(engineer, 'vpn-trusted', 'https://wiki.corp.example.com/');
    expect(result).toMatchObject({
      appProfile: { id: 'engineering-linux', index: 1 },
      destination: 'private',
      internetAction: 'local-proxy',
      privateAccess: 'tunnel',
      bypassed: null,
      edge: { primary: { id: 'eu-1' }, secondary: { id: 'us-1' } },
    });
    expect(result.reasons).toContain(
      'wiki.corp.example.com is a private destination (the domain pattern ".corp.example.com"); private access is "tunnel", so it goes through the packet tunnel to the edge.',
    );
    expect(result.reasons).toContain('Edge selection is ordered: "eu-1" (eu-west) first, then "us-1" (us-east).');
  });

  it('does not carry private apps on a trusted network', () => {
    const result = run(engineer, 'trusted', 'http://10.1.2.3/');
    expect(result).toMatchObject({ destination: 'private', privateAccess: 'none', edge: null, accessDecision: { enforced: false } });
    expect(result.reasons.at(-1)).toBe('Edge access policy: none of the 4 access rules matches, so the default action allows it. This request does not reach an edge, though, so it is not applied.');
  });

  it('bypasses excluded domains and CIDRs', () => {
    expect(run(staff, 'off-trusted', 'https://us02web.zoom.us/j/1')).toMatchObject({ bypassed: true, edge: null });
    expect(run(staff, 'off-trusted', 'https://zoom.us/')).toMatchObject({ bypassed: true });
    const lan = run(staff, 'off-trusted', 'http://192.168.1.10/');
    expect(lan.reasons).toContain('The exclude list names it (the CIDR 192.168.0.0/16), so it bypasses Waygate.');
    expect(lan.reasons).toContain('So it goes directly to the destination, not through an edge.');
  });

  it('mentions allowUserProxy for proxy actions', () => {
    const result = run(staff, 'off-trusted', 'https://www.example.com/');
    expect(result).toMatchObject({ internetAction: 'enforce-proxy', bypassed: false, edge: { primary: { id: 'eu-1' } } });
    expect(result.reasons).toContain('allowUserProxy is on: a proxy the user set in their browser is left in place and takes precedence.');
  });

  it('forwards only included destinations, and exclude wins over include', () => {
    const included = run(contractor, 'off-trusted', 'https://www.example.org/');
    expect(included).toMatchObject({ appProfile: { id: 'contractors' }, internetAction: 'tunnel', bypassed: false, edge: { primary: { id: 'us-1' }, secondary: null } });
    expect(included.reasons).toContain('The include list names it (the domain pattern ".example.org") and no exclude entry does.');
    expect(included.reasons).toContain('The internet action is "tunnel": it enters the TUN adapter and goes through the packet tunnel to the edge.');

    const excluded = run(contractor, 'off-trusted', 'https://status.example.org/');
    expect(excluded).toMatchObject({ bypassed: true, edge: null });
    expect(excluded.reasons).toContain('The exclude list names it (the domain pattern "status.example.org"), so it bypasses Waygate.');

    const elsewhere = run(contractor, 'trusted', 'https://news.example.com/');
    expect(elsewhere).toMatchObject({ bypassed: true, edge: null });
    expect(elsewhere.reasons).toContain('The include list names specific destinations and none of them is this one, so it bypasses Waygate.');

    expect(run(contractor, 'vpn-trusted', 'https://203.0.113.9/')).toMatchObject({ bypassed: false, edge: { primary: { id: 'us-1' } } });
  });

  it('reports the access rule that decides, by domain', () => {
    const result = run(staff, 'off-trusted', 'https://www.casino.example/');
    expect(result.accessDecision).toEqual({ action: 'block', ruleId: 'block-casinos', enforced: true });
    expect(result.reasons.at(-1)).toBe(
      'Edge access policy: access.rules[0] "block-casinos" blocks it: www.casino.example matches the domain pattern ".casino.example", any port, for everyone.',
    );
  });

  it('reports the access rule that decides, by group, CIDR and port, in rule order', () => {
    expect(run(sre, 'off-trusted', 'https://10.20.1.5:22/').accessDecision).toEqual({ action: 'allow', ruleId: 'sre-ssh', enforced: true });
    const other = run(staff, 'off-trusted', 'https://10.20.1.5:22/');
    expect(other.accessDecision).toEqual({ action: 'block', ruleId: 'no-remote-shells', enforced: true });
    expect(other.reasons.at(-1)).toBe('Edge access policy: access.rules[2] "no-remote-shells" blocks it: 10.20.1.5 matches the CIDR 10.20.0.0/16, port 22, for everyone.');
    expect(run(staff, 'off-trusted', 'https://db.servers.corp.example.com:3389/').accessDecision.ruleId).toBe('no-remote-shells');
    expect(run(staff, 'off-trusted', 'https://10.20.1.5/').accessDecision).toEqual({ action: 'allow', ruleId: null, enforced: true });
  });

  it('scopes access rules to users, whatever the case of the email', () => {
    const result = run(contractor, 'off-trusted', 'https://203.0.113.9:8080/');
    expect(result.accessDecision).toEqual({ action: 'block', ruleId: 'eve-no-dev-ports', enforced: true });
    expect(result.reasons.at(-1)).toBe('Edge access policy: access.rules[3] "eve-no-dev-ports" blocks it: any destination, port 8080 is in 8000-8999, user eve@contractor.example is listed.');
    expect(run(staff, 'off-trusted', 'https://203.0.113.9:8080/').accessDecision.ruleId).toBeNull();
  });

  it('answers with nulls and the reason when no app profile applies', () => {
    const result = run({ userEmail: 'kim@corp.example.com', groups: ['sales'], os: 'chromeos' }, 'off-trusted', 'https://www.casino.example/');
    expect(result).toEqual({
      appProfile: null,
      forwardingProfile: null,
      networkType: 'off-trusted',
      destination: null,
      internetAction: null,
      privateAccess: null,
      edge: null,
      bypassed: null,
      accessDecision: { action: 'block', ruleId: 'block-casinos', enforced: false },
      reasons: [
        expect.stringMatching(/^No app profile applies to kim@corp.example.com/),
        'Without an app profile the device receives no config (the portal answers 403), so Waygate forwards nothing for it.',
        expect.stringMatching(/^Edge access policy: access.rules\[0\] "block-casinos" blocks it: .* No request of this device reaches an edge, though\.$/),
      ],
    });
  });

  it('refuses URLs it cannot place', () => {
    for (const url of ['mailto:someone@example.com', 'not a url', 'file:///etc/passwd']) {
      expect(() => simulate(policy, { ...staff, networkType: 'off-trusted', url })).toThrow(WaygateError);
    }
  });
});

import { describe, expect, it } from 'vitest';
import {
  AccessRule,
  AppProfile,
  DEFAULT_POLICY,
  EffectiveAppProfile,
  EffectiveForwardingProfile,
  ForwardingProfile,
  Policy,
  PolicyDocument,
  TrustedNetworkCriteria,
} from '../../../protocol/policy.js';
import { DeviceOs } from '../../../protocol/portal.js';

describe('DEFAULT_POLICY', () => {
  it('is a valid document', () => {
    expect(PolicyDocument.safeParse(DEFAULT_POLICY).error).toBeUndefined();
  });

  it('parses to itself: the schema has no defaults or transforms, so a saved document means what it says', () => {
    expect(PolicyDocument.parse(DEFAULT_POLICY)).toEqual(DEFAULT_POLICY);
    expect(PolicyDocument.parse(JSON.parse(JSON.stringify(DEFAULT_POLICY)))).toEqual(DEFAULT_POLICY);
  });

  it('protects everyone off the trusted network through the local demo edge, fail-closed', () => {
    const [app] = DEFAULT_POLICY.appProfiles;
    const [profile] = DEFAULT_POLICY.forwardingProfiles;
    expect(app?.match).toEqual({ os: [], users: [], groups: [] });
    expect(profile?.actions).toEqual({
      trusted: { internet: 'none', privateAccess: 'none' },
      'vpn-trusted': { internet: 'none', privateAccess: 'none' },
      'off-trusted': { internet: 'enforce-proxy', privateAccess: 'none' },
    });
    expect(profile?.failOpen.enabled).toBe(false);
    expect(DEFAULT_POLICY.edges).toEqual([{ id: 'local', region: 'local', proxyUrl: 'http://127.0.0.1:8443', tunnelUrl: 'ws://127.0.0.1:8443/tunnel/v1' }]);
  });
});

describe('the policy schemas', () => {
  it('are the same schema under both names', () => {
    expect(Policy).toBe(PolicyDocument);
  });

  it('use the same OS names as the device API', () => {
    expect(AppProfile.shape.match.shape.os.element.options).toEqual(DeviceOs.options);
  });

  it('put only string literals on the wire', () => {
    const enums = [
      ForwardingProfile.shape.actions.shape.trusted.shape.internet,
      ForwardingProfile.shape.actions.shape.trusted.shape.privateAccess,
      AppProfile.shape.logLevel,
      AccessRule.shape.action,
    ];
    for (const schema of enums) expect(schema.options.every((option) => typeof option === 'string')).toBe(true);
  });

  it('keep the matching rules and the PAC out of what a device receives', () => {
    expect(Object.keys(EffectiveAppProfile.shape)).toEqual(Object.keys(AppProfile.shape).filter((key) => key !== 'match'));
    expect(Object.keys(EffectiveForwardingProfile.shape)).toEqual(Object.keys(ForwardingProfile.shape).filter((key) => key !== 'pac'));
  });

  it('accept a trusted network defined by the beacon alone', () => {
    const criteria = {
      match: 'all',
      dnsServers: [],
      dnsSearchDomains: [],
      hostnameResolves: [],
      defaultGateways: [],
      networkRanges: [],
      beacon: { address: '[2001:db8::10]:443', spkiSha256: 'AB'.repeat(32) },
    };
    expect(TrustedNetworkCriteria.safeParse(criteria).success).toBe(true);
  });

  it('accept an access rule with only a description, scope and ports', () => {
    const rule = { id: 'r1', action: 'block', description: 'no telnet for interns', users: [], groups: ['interns'], domains: [], cidrs: [], ports: [{ from: 23, to: 23 }] };
    expect(AccessRule.parse(rule)).toEqual(rule);
  });
});

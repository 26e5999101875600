import { describe, expect, it } from 'vitest';
import { decideByName, decideDestination, type DestinationRules } from '../../../../../cloud/edge/policy/decide-destination.js';
import { parseCidr } from '../../../../../protocol/ip.js';
import type { AccessRule } from '../../../../../protocol/policy.js';

const uma = { userEmail: 'uma@example.test', groups: ['staff'] };
const eve = { userEmail: 'eve@example.test', groups: ['contractors'] };

function rule(over: Partial<AccessRule> & Pick<AccessRule, 'id' | 'action'>): AccessRule {
  return { users: [], groups: [], domains: [], cidrs: [], ports: [], ...over };
}

function rulesOf(rules: AccessRule[], defaultAction: 'allow' | 'block' = 'allow', own: string[] = []): DestinationRules {
  return {
    access: { defaultAction, rules },
    edgeOwnCidrs: own.map((text) => {
      const parsed = parseCidr(text);
      if (!parsed.ok) throw new Error(parsed.message);
      return parsed.cidr;
    }),
  };
}

describe('decideDestination', () => {
  it('allows a public address when no rule matches and the default allows', () => {
    expect(decideDestination(rulesOf([]), { who: uma, host: 'example.com', port: 443, addresses: ['93.184.215.14'] })).toEqual({ allowed: true, ruleId: null, addresses: ['93.184.215.14'] });
  });

  it('blocks by domain (suffix and exact), naming the rule', () => {
    const rules = rulesOf([rule({ id: 'no-casino', action: 'block', domains: ['.casino.example'] })]);
    const verdict = decideDestination(rules, { who: uma, host: 'www.casino.example', port: 80, addresses: ['93.184.215.14'] });
    expect(verdict).toMatchObject({ allowed: false, code: 'ACCESS_BLOCKED', ruleId: 'no-casino', reason: expect.stringContaining('"no-casino"') });
  });

  it('blocks by CIDR and port range, per group', () => {
    const rules = rulesOf([rule({ id: 'no-db', action: 'block', groups: ['contractors'], cidrs: ['93.184.0.0/16'], ports: [{ from: 5432, to: 5433 }] })]);
    const request = { host: 'db.example', addresses: ['93.184.215.14'] };
    expect(decideDestination(rules, { ...request, who: eve, port: 5432 })).toMatchObject({ allowed: false, ruleId: 'no-db' });
    expect(decideDestination(rules, { ...request, who: eve, port: 443 })).toMatchObject({ allowed: true });
    expect(decideDestination(rules, { ...request, who: uma, port: 5432 })).toMatchObject({ allowed: true });
  });

  it('blocks everything by default when the policy says so', () => {
    expect(decideDestination(rulesOf([], 'block'), { who: uma, host: 'example.com', port: 443, addresses: ['93.184.215.14'] })).toMatchObject({ allowed: false, code: 'ACCESS_BLOCKED', ruleId: null });
  });

  it('refuses loopback, link-local and private addresses even when a domain rule allows the name', () => {
    const rules = rulesOf([rule({ id: 'intranet', action: 'allow', domains: ['intranet.example'] })]);
    for (const address of ['127.0.0.1', '169.254.169.254', '10.1.2.3', '::1']) {
      expect(decideDestination(rules, { who: uma, host: 'intranet.example', port: 80, addresses: [address] })).toMatchObject({ allowed: false, code: 'DESTINATION_FORBIDDEN' });
    }
  });

  it('lifts the guard only where the deciding allow rule names a CIDR containing the address', () => {
    const rules = rulesOf([rule({ id: 'intranet', action: 'allow', groups: ['staff'], cidrs: ['10.1.0.0/16'] })]);
    expect(decideDestination(rules, { who: uma, host: '10.1.2.3', port: 80, addresses: ['10.1.2.3'] })).toMatchObject({ allowed: true, ruleId: 'intranet' });
    expect(decideDestination(rules, { who: uma, host: '10.2.0.1', port: 80, addresses: ['10.2.0.1'] })).toMatchObject({ allowed: false, code: 'DESTINATION_FORBIDDEN' });
    // The rule is for staff: a contractor is not allowed into 10.1.0.0/16.
    expect(decideDestination(rules, { who: eve, host: '10.1.2.3', port: 80, addresses: ['10.1.2.3'] })).toMatchObject({ allowed: false, code: 'DESTINATION_FORBIDDEN' });
  });

  it("refuses the edge's own networks", () => {
    const elsewhere = rulesOf([], 'allow', ['198.51.100.0/24']);
    expect(decideDestination(elsewhere, { who: uma, host: 'next-door', port: 80, addresses: ['93.184.215.14'] }).allowed).toBe(true);
    const own = rulesOf([], 'allow', ['93.184.215.0/24']);
    expect(decideDestination(own, { who: uma, host: 'next-door', port: 80, addresses: ['93.184.215.14'] })).toMatchObject({ allowed: false, code: 'DESTINATION_FORBIDDEN' });
  });

  it('refuses a name when any of its addresses is refused (no rebinding through a second answer)', () => {
    expect(decideDestination(rulesOf([]), { who: uma, host: 'rebind.example', port: 80, addresses: ['93.184.215.14', '127.0.0.1'] })).toMatchObject({ allowed: false, code: 'DESTINATION_FORBIDDEN' });
    expect(decideDestination(rulesOf([]), { who: uma, host: 'nothing.example', port: 80, addresses: [] })).toMatchObject({ allowed: false, code: 'DESTINATION_FORBIDDEN' });
  });
});

describe('decideByName', () => {
  it('blocks a name a domain rule blocks, before any resolution', () => {
    const rules = rulesOf([rule({ id: 'no-casino', action: 'block', domains: ['.casino.example'] })]);
    expect(decideByName(rules, uma, 'WWW.Casino.Example', 80)).toMatchObject({ allowed: false, code: 'ACCESS_BLOCKED', ruleId: 'no-casino' });
    expect(decideByName(rules, uma, 'example.com', 80)).toBeNull();
  });

  it('waits for the addresses when a CIDR rule comes first, or the host is a literal', () => {
    const rules = rulesOf([
      rule({ id: 'partner', action: 'allow', cidrs: ['93.184.215.0/24'] }),
      rule({ id: 'no-casino', action: 'block', domains: ['.casino.example'] }),
    ]);
    expect(decideByName(rules, uma, 'www.casino.example', 80)).toBeNull();
    expect(decideByName(rulesOf([rule({ id: 'x', action: 'block', domains: ['.example'] })]), uma, '[::1]', 80)).toBeNull();
  });
});

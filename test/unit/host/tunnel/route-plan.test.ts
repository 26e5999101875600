import { describe, expect, it } from 'vitest';
import { MAX_ROUTES, planRoutes } from '../../../../host/tunnel/route-plan.js';
import { cidrContains, parseCidr, parseIp, type Cidr } from '../../../../protocol/ip.js';

function cidr(text: string): Cidr {
  const parsed = parseCidr(text);
  if (!parsed.ok) throw new Error(parsed.message);
  return parsed.cidr;
}

/** Addresses covered, checking the prefixes do not overlap (a minimal plan never repeats an address). */
function coverage(prefixes: readonly string[]): bigint {
  const sorted = prefixes.map(cidr).sort((a, b) => (a.network < b.network ? -1 : 1));
  let total = 0n;
  let end = -1n;
  for (const { version, network, prefix } of sorted) {
    const size = 1n << BigInt((version === 'ipv4' ? 32 : 128) - prefix);
    expect(network > end, 'prefixes overlap').toBe(true);
    end = network + size - 1n;
    total += size;
  }
  return total;
}

function covers(prefixes: readonly string[], address: string): boolean {
  const ip = parseIp(address);
  if (ip === null) throw new Error(address);
  return prefixes.some((text) => cidrContains(cidr(text), ip));
}

describe('planRoutes: everything', () => {
  it('splits the IPv4 default into two /1s and blocks IPv6 the same way when IPv6 is not carried', () => {
    expect(planRoutes({ include: [], exclude: [], carryIpv6: false })).toEqual({
      tunnelRoutes: ['0.0.0.0/1', '128.0.0.0/1'],
      blockedRoutes: ['::/1', '8000::/1'],
    });
  });

  it('routes IPv6 into the tunnel instead of blocking it when IPv6 is carried', () => {
    expect(planRoutes({ include: [], exclude: [], carryIpv6: true })).toEqual({
      tunnelRoutes: ['0.0.0.0/1', '128.0.0.0/1', '::/1', '8000::/1'],
      blockedRoutes: [],
    });
  });
});

describe('planRoutes: subtraction', () => {
  it('leaves a host exclude (the edge) to the device routing table: 32 prefixes covering every other address', () => {
    const { tunnelRoutes } = planRoutes({ include: [], exclude: ['203.0.113.7/32'], carryIpv6: false });
    expect(tunnelRoutes).toHaveLength(32);
    expect(coverage(tunnelRoutes)).toBe((1n << 32n) - 1n);
    expect(covers(tunnelRoutes, '203.0.113.7')).toBe(false);
    expect(covers(tunnelRoutes, '203.0.113.6')).toBe(true);
    expect(tunnelRoutes).toContain('0.0.0.0/1');
  });

  it('cuts a hole in an include and returns the fewest prefixes around it', () => {
    const { tunnelRoutes } = planRoutes({ include: ['10.0.0.0/8'], exclude: ['10.1.0.0/16'], carryIpv6: false });
    expect(tunnelRoutes).toEqual([
      '10.0.0.0/16',
      '10.2.0.0/15',
      '10.4.0.0/14',
      '10.8.0.0/13',
      '10.16.0.0/12',
      '10.32.0.0/11',
      '10.64.0.0/10',
      '10.128.0.0/9',
    ]);
  });

  it('lets an exclude win over a narrower include inside it', () => {
    expect(planRoutes({ include: ['10.1.2.0/24', '192.168.0.0/16'], exclude: ['10.0.0.0/8'], carryIpv6: false }).tunnelRoutes).toEqual(['192.168.0.0/16']);
  });

  it('ignores excludes outside every include', () => {
    expect(planRoutes({ include: ['10.0.0.0/8'], exclude: ['192.0.2.1/32', '2001:db8::1/128'], carryIpv6: true }).tunnelRoutes).toEqual(['10.0.0.0/8']);
  });
});

describe('planRoutes: merging', () => {
  it('merges adjacent includes into their parent', () => {
    expect(planRoutes({ include: ['10.128.0.0/9', '10.0.0.0/9'], exclude: [], carryIpv6: false }).tunnelRoutes).toEqual(['10.0.0.0/8']);
    expect(planRoutes({ include: ['192.168.1.0/24', '192.168.0.0/24', '192.168.2.0/23'], exclude: [], carryIpv6: false }).tunnelRoutes).toEqual([
      '192.168.0.0/22',
    ]);
  });

  it('drops includes inside other includes and keeps touching but unaligned ones apart', () => {
    expect(planRoutes({ include: ['10.1.0.0/16', '10.0.0.0/8', '10.0.0.0/8'], exclude: [], carryIpv6: false }).tunnelRoutes).toEqual(['10.0.0.0/8']);
    // 10.1/16 and 10.2/16 touch but are not halves of one /15.
    expect(planRoutes({ include: ['10.2.0.0/16', '10.1.0.0/16'], exclude: [], carryIpv6: false }).tunnelRoutes).toEqual(['10.1.0.0/16', '10.2.0.0/16']);
  });

  it('merges what an exclude leaves with the include next to it', () => {
    // 10.0.0.0/9 minus its upper half, plus 10.0.0.0/9's neighbour from another include.
    expect(planRoutes({ include: ['10.0.0.0/8'], exclude: ['10.64.0.0/10', '10.128.0.0/9'], carryIpv6: false }).tunnelRoutes).toEqual(['10.0.0.0/10']);
  });
});

describe('planRoutes: IPv4 and IPv6 apart', () => {
  it('subtracts each family only from itself', () => {
    const plan = planRoutes({ include: ['10.0.0.0/8', '2001:db8::/32'], exclude: ['2001:db8::/33', '10.0.0.0/9'], carryIpv6: true });
    expect(plan).toEqual({ tunnelRoutes: ['10.128.0.0/9', '2001:db8:8000::/33'], blockedRoutes: [] });
  });

  it('blocks every IPv6 destination but the excluded ones when IPv6 is not carried, whatever the includes', () => {
    const plan = planRoutes({ include: ['10.0.0.0/8', '2001:db8::/32'], exclude: ['2001:db8::1/128'], carryIpv6: false });
    expect(plan.tunnelRoutes).toEqual(['10.0.0.0/8']);
    expect(plan.blockedRoutes).toHaveLength(128);
    expect(coverage(plan.blockedRoutes)).toBe((1n << 128n) - 1n);
    expect(covers(plan.blockedRoutes, '2001:db8::1')).toBe(false);
    expect(covers(plan.blockedRoutes, '2001:db8::2')).toBe(true);
    expect(plan.blockedRoutes.every((route) => route.includes(':'))).toBe(true);
  });
});

describe('planRoutes: refusals', () => {
  it.each([
    [{ include: ['10.0.0.0'] }, /include entry "10.0.0.0" is not a network: Expected address\/prefix/],
    [{ exclude: ['10.0.0.1/8'] }, /exclude entry "10.0.0.1\/8".*did you mean 10.0.0.0\/8/],
    [{ exclude: ['example.com/32'] }, /exclude entry "example.com\/32"/],
    [{ include: ['::/129'] }, /prefix length must be a number from 0 to 128/],
  ])('names the bad entry %o', (change, message) => {
    expect(() => planRoutes({ include: [], exclude: [], carryIpv6: false, ...change })).toThrow(message);
  });

  it(`refuses with a RangeError when the plan needs more than ${MAX_ROUTES} routes`, () => {
    // One host in each /8: every hole costs about 24 prefixes.
    const exclude = Array.from({ length: 250 }, (_, i) => `${i + 1}.0.0.1/32`);
    expect(() => planRoutes({ include: [], exclude, carryIpv6: false })).toThrow(RangeError);
    expect(() => planRoutes({ include: [], exclude, carryIpv6: false })).toThrow(/more than 4096 routes/);
  });
});

import { describe, expect, it } from 'vitest';
import { AddressPool, gatewayOf, ipv4ToText, subnetOf } from '../../../../../cloud/edge/tunnel/address-pool.js';
import { parseCidr, parseIPv4, type Cidr } from '../../../../../protocol/ip.js';

function cidr(text: string): Cidr {
  const parsed = parseCidr(text);
  if (!parsed.ok) throw new Error(parsed.message);
  return parsed.cidr;
}

const ip = (text: string) => Number(parseIPv4(text));

describe('tunnel address pool', () => {
  it('hands out 100.64.0.2 first by default, never the network address or the gateway', () => {
    const pool = new AddressPool(cidr('100.64.0.0/10'));
    expect(ipv4ToText(pool.defaultSubnet)).toBe('100.64.0.0');
    expect(ipv4ToText(gatewayOf(pool.defaultSubnet))).toBe('100.64.0.1');
    const first = pool.allocate(pool.defaultSubnet);
    const second = pool.allocate(pool.defaultSubnet);
    expect([first, second].map((a) => ipv4ToText(a ?? 0))).toEqual(['100.64.0.2', '100.64.0.3']);
    expect(pool.inUse).toBe(2);
  });

  it('hands out addresses from the /16 the device asks for', () => {
    const pool = new AddressPool(cidr('100.64.0.0/10'));
    const address = pool.allocate(ip('100.65.0.0'));
    expect(ipv4ToText(address ?? 0)).toBe('100.65.0.2');
    expect(ipv4ToText(subnetOf(address ?? 0))).toBe('100.65.0.0');
  });

  it('has nothing in a /16 outside the configured pool', () => {
    const pool = new AddressPool(cidr('100.64.0.0/16'));
    expect(pool.allocate(ip('100.65.0.0'))).toBeNull();
  });

  it('runs out, and has the address again once released', () => {
    // 100.64.0.0–3: .0 is the network, .1 the gateway, so two devices fit.
    const pool = new AddressPool(cidr('100.64.0.0/30'));
    const a = pool.allocate(pool.defaultSubnet);
    const b = pool.allocate(pool.defaultSubnet);
    expect(a).not.toBeNull();
    expect(b).not.toBeNull();
    expect(pool.allocate(pool.defaultSubnet)).toBeNull();
    pool.release(a ?? 0);
    expect(pool.allocate(pool.defaultSubnet)).toBe(a);
  });

  it('never hands out the broadcast address of a /16', () => {
    const pool = new AddressPool(cidr('100.64.255.252/30'));
    const got = [pool.allocate(ip('100.64.0.0')), pool.allocate(ip('100.64.0.0')), pool.allocate(ip('100.64.0.0'))];
    expect(got.map((a) => (a === null ? null : ipv4ToText(a)))).toEqual(['100.64.255.252', '100.64.255.253', '100.64.255.254']);
    expect(pool.allocate(ip('100.64.0.0'))).toBeNull();
  });

  it('does not hand out an address twice while the search wraps around', () => {
    const pool = new AddressPool(cidr('100.64.0.0/28'));
    const taken = new Set<number>();
    // .2 to .15: the whole /28 but its network address and the gateway.
    for (let i = 0; i < 14; i++) taken.add(pool.allocate(pool.defaultSubnet) ?? -1);
    expect(taken.size).toBe(14);
    expect(taken.has(-1)).toBe(false);
    expect(pool.allocate(pool.defaultSubnet)).toBeNull();
    pool.release(ip('100.64.0.5'));
    expect(ipv4ToText(pool.allocate(pool.defaultSubnet) ?? 0)).toBe('100.64.0.5');
  });

  it.each(['10.0.0.0/8', '100.0.0.0/8', 'fd00::/8'])('refuses the pool %s', (text) => {
    expect(() => new AddressPool(cidr(text))).toThrow('inside 100.64.0.0/10');
  });
});

import { describe, expect, it } from 'vitest';
import { cidrContains, cidrWithin, formatIp, isLoopbackHost, parseCidr, parseIp, type Cidr } from '../../../protocol/ip.js';

function cidr(text: string): Cidr {
  const parsed = parseCidr(text);
  if (!parsed.ok) throw new Error(parsed.message);
  return parsed.cidr;
}
const ip = (text: string) => parseIp(text)!;

describe('parseIp', () => {
  it.each(['0.0.0.0', '10.0.0.1', '255.255.255.255', '::', '::1', '2001:db8::1', 'fe80::1:2:3:4', '1:2:3:4:5:6:7:8', '1::', '::ffff:192.0.2.1', '64:ff9b::10.0.0.1', '[::1]'])(
    'accepts %s',
    (text) => expect(parseIp(text)).not.toBeNull(),
  );

  it.each(['', '1.2.3', '1.2.3.4.5', '256.0.0.1', '010.0.0.1', '1.2.3.-1', ' 1.2.3.4', '1:2:3:4:5:6:7:8:9', '1::2::3', ':1::', '12345::', 'fe80::1%eth0', '::ffff:300.0.0.1', 'g::1', '1:2:3:4:5:6:7::8'])(
    'refuses %j',
    (text) => expect(parseIp(text)).toBeNull(),
  );

  it('reads the numeric value', () => {
    expect(ip('10.0.0.1')).toEqual({ version: 'ipv4', value: 0x0a000001n });
    expect(ip('::ffff:192.0.2.1').value).toBe(0xffffc0000201n);
    expect(ip('1::').value).toBe(1n << 112n);
  });
});

describe('formatIp', () => {
  it.each([
    ['10.0.0.1', '10.0.0.1'],
    ['2001:0DB8:0000:0000:0000:0000:0000:0001', '2001:db8::1'],
    ['2001:db8:0:1:0:0:0:1', '2001:db8:0:1::1'],
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
    ['::', '::'],
    ['1:0:2:3:4:5:6:7', '1:0:2:3:4:5:6:7'],
  ])('writes %s as %s (RFC 5952)', (input, output) => expect(formatIp(ip(input))).toBe(output));
});

describe('parseCidr', () => {
  it('accepts networks of both versions', () => {
    expect(cidr('10.0.0.0/8')).toEqual({ version: 'ipv4', network: 0x0a000000n, prefix: 8 });
    expect(cidr('0.0.0.0/0').prefix).toBe(0);
    expect(cidr('fd00::/8').version).toBe('ipv6');
    expect(cidr('2001:db8::1/128').prefix).toBe(128);
  });

  it.each([
    ['10.0.0.0', 'Expected address/prefix'],
    ['10.0.0.0/8/8', 'Expected address/prefix'],
    ['10.0.0/8', 'is not an IPv4 or IPv6 address'],
    ['[::1]/128', 'is not an IPv4 or IPv6 address'],
    ['10.0.0.0/33', 'from 0 to 32'],
    ['10.0.0.0/08', 'from 0 to 32'],
    ['10.0.0.0/', 'from 0 to 32'],
    ['fd00::/129', 'from 0 to 128'],
    ['10.1.0.0/8', 'did you mean 10.0.0.0/8?'],
    ['2001:db8::1/32', 'did you mean 2001:db8::/32?'],
  ])('refuses %s', (text, message) => {
    const parsed = parseCidr(text);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.message).toContain(message);
  });
});

describe('cidrContains and cidrWithin', () => {
  it('matches addresses inside the prefix only', () => {
    expect(cidrContains(cidr('10.0.0.0/8'), ip('10.255.0.1'))).toBe(true);
    expect(cidrContains(cidr('10.0.0.0/8'), ip('11.0.0.0'))).toBe(false);
    expect(cidrContains(cidr('0.0.0.0/0'), ip('203.0.113.7'))).toBe(true);
    expect(cidrContains(cidr('fd00::/8'), ip('fd12::1'))).toBe(true);
    expect(cidrContains(cidr('fd00::/8'), ip('fe80::1'))).toBe(false);
  });

  it('never matches across versions, except an IPv4-mapped address against IPv4 networks', () => {
    expect(cidrContains(cidr('::/0'), ip('10.0.0.1'))).toBe(false);
    expect(cidrContains(cidr('10.0.0.0/8'), ip('::ffff:10.1.2.3'))).toBe(true);
    expect(cidrContains(cidr('10.0.0.0/8'), ip('64:ff9b::10.1.2.3'))).toBe(false);
  });

  it('tells whether one network lies inside another', () => {
    expect(cidrWithin(cidr('100.64.0.0/16'), cidr('100.64.0.0/10'))).toBe(true);
    expect(cidrWithin(cidr('100.127.0.0/16'), cidr('100.64.0.0/10'))).toBe(true);
    expect(cidrWithin(cidr('100.128.0.0/16'), cidr('100.64.0.0/10'))).toBe(false);
    expect(cidrWithin(cidr('100.0.0.0/8'), cidr('100.64.0.0/10'))).toBe(false);
  });
});

describe('isLoopbackHost', () => {
  it.each(['localhost', 'LOCALHOST', '127.0.0.1', '127.1.2.3', '::1', '[::1]'])('accepts %s', (host) => expect(isLoopbackHost(host)).toBe(true));
  it.each(['localhost.example.com', '128.0.0.1', '::2', '::ffff:127.0.0.1', 'example.com'])('refuses %s', (host) => expect(isLoopbackHost(host)).toBe(false));
});

import { describe, expect, it } from 'vitest';
import { parseIp, type IpAddress } from '../../../../../protocol/ip.js';
import { classifyAddress, embeddedIPv4 } from '../../../../../cloud/edge/destination/classify.js';

function ip(text: string): IpAddress {
  const address = parseIp(text);
  if (address === null) throw new Error(`test fixture ${text} is not an address`);
  return address;
}

describe('classifyAddress: IPv4 special-purpose registry', () => {
  it.each([
    ['0.0.0.0', 'unspecified'],
    ['0.1.2.3', 'unspecified'],
    ['10.0.0.1', 'private'],
    ['10.255.255.255', 'private'],
    ['100.64.0.1', 'shared'],
    ['100.100.100.200', 'shared'],
    ['100.127.255.255', 'shared'],
    ['127.0.0.1', 'loopback'],
    ['127.255.255.254', 'loopback'],
    ['169.254.169.254', 'link-local'],
    ['169.254.0.1', 'link-local'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.0.0.170', 'reserved'],
    ['192.0.2.1', 'documentation'],
    ['192.88.99.1', 'reserved'],
    ['192.168.1.1', 'private'],
    ['198.18.0.1', 'reserved'],
    ['198.19.255.255', 'reserved'],
    ['198.51.100.7', 'documentation'],
    ['203.0.113.9', 'documentation'],
    ['224.0.0.1', 'multicast'],
    ['239.255.255.250', 'multicast'],
    ['240.0.0.1', 'reserved'],
    ['255.255.255.254', 'reserved'],
    ['255.255.255.255', 'broadcast'],
  ])('%s is %s', (text, expected) => {
    expect(classifyAddress(ip(text))).toBe(expected);
  });

  it.each(['8.8.8.8', '1.1.1.1', '9.255.255.255', '11.0.0.0', '100.63.255.255', '100.128.0.0', '172.15.255.255', '172.32.0.0', '192.167.255.255', '192.169.0.0', '198.17.255.255', '198.20.0.0', '223.255.255.255'])(
    '%s, just outside or far from every special range, is public',
    (text) => {
      expect(classifyAddress(ip(text))).toBe('public');
    },
  );
});

describe('classifyAddress: IPv6 special-purpose registry', () => {
  it.each([
    ['::', 'unspecified'],
    ['::1', 'loopback'],
    ['0:0:0:0:0:0:0:1', 'loopback'],
    ['100::1', 'reserved'],
    ['2001:db8::1', 'documentation'],
    ['2001::1', 'reserved'],
    ['3fff::1', 'documentation'],
    ['5f00::1', 'reserved'],
    ['fc00::1', 'unique-local'],
    ['fd00:ec2::254', 'unique-local'],
    ['fe80::1', 'link-local'],
    ['febf::1', 'link-local'],
    ['fec0::1', 'reserved'],
    ['ff02::1', 'multicast'],
    ['4000::1', 'reserved'],
    ['1::1', 'reserved'],
  ])('%s is %s', (text, expected) => {
    expect(classifyAddress(ip(text))).toBe(expected);
  });

  it.each(['2606:4700:4700::1111', '2001:4860:4860::8888', '2a00:1450::1'])('%s is public', (text) => {
    expect(classifyAddress(ip(text))).toBe('public');
  });
});

describe('classifyAddress: IPv6 that carries an IPv4 address is judged by that address', () => {
  it.each([
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['::ffff:169.254.169.254', 'link-local'],
    ['::ffff:10.0.0.1', 'private'],
    ['::ffff:0:127.0.0.1', 'loopback'],
    ['::127.0.0.1', 'loopback'],
    ['::0.0.0.2', 'unspecified'],
    ['64:ff9b::127.0.0.1', 'loopback'],
    ['64:ff9b::a9fe:a9fe', 'link-local'],
    ['64:ff9b:1::192.168.0.1', 'private'],
    ['2002:7f00:1::', 'loopback'],
    ['2002:a9fe:a9fe::1', 'link-local'],
    ['::ffff:8.8.8.8', 'public'],
    ['64:ff9b::8.8.8.8', 'public'],
    ['2002:808:808::1', 'public'],
  ])('%s is %s', (text, expected) => {
    expect(classifyAddress(ip(text))).toBe(expected);
  });

  it('extracts the carried address and leaves plain addresses alone', () => {
    expect(embeddedIPv4(ip('::ffff:1.2.3.4'))).toEqual(ip('1.2.3.4'));
    expect(embeddedIPv4(ip('2002:102:304::'))).toEqual(ip('1.2.3.4'));
    expect(embeddedIPv4(ip('2606:4700::1'))).toBeNull();
    expect(embeddedIPv4(ip('1.2.3.4'))).toBeNull();
  });
});

import { describe, expect, it } from 'vitest';
import { formatIp } from '../../../../../protocol/ip.js';
import { parseHostLiteral } from '../../../../../cloud/edge/destination/ip-literal.js';

function addressOf(host: string): string | null {
  const literal = parseHostLiteral(host);
  return literal.kind === 'ip' ? formatIp(literal.address) : null;
}

describe('parseHostLiteral: IPv4 in every notation the URL parser and inet_aton accept', () => {
  it.each([
    ['127.0.0.1', '127.0.0.1'],
    ['2130706433', '127.0.0.1'],
    ['0x7f000001', '127.0.0.1'],
    ['0X7F000001', '127.0.0.1'],
    ['0x7f.0.0.1', '127.0.0.1'],
    ['0x7f.1', '127.0.0.1'],
    ['0177.0.0.1', '127.0.0.1'],
    ['017700000001', '127.0.0.1'],
    ['00000177.0.0.01', '127.0.0.1'],
    ['127.1', '127.0.0.1'],
    ['127.0.1', '127.0.0.1'],
    ['0177.0x0.1', '127.0.0.1'],
    ['127.0.0.1.', '127.0.0.1'],
    ['0x7f000001.', '127.0.0.1'],
    ['0x', '0.0.0.0'],
    ['0', '0.0.0.0'],
    ['0x00000000000000a9fea9fe', '169.254.169.254'],
    ['169.254.43518', '169.254.169.254'],
    ['2852039166', '169.254.169.254'],
    ['4294967295', '255.255.255.255'],
    ['８.８.８.８', '8.8.8.8'],
    ['127。0。0。1', '127.0.0.1'],
    ['%31%32%37.0.0.1', '127.0.0.1'],
  ])('%s is %s', (host, expected) => {
    expect(addressOf(host)).toBe(expected);
  });

  it.each(['1.2.3.256', '256.1', '4294967296', '1.2.3.4.5', '0x7g.0.0.1', '08.0.0.1', 'foo.0x10', 'example.123', '1..2.3'])(
    '%s ends in a number but is no address, so it is invalid (not a name to resolve)',
    (host) => {
      expect(parseHostLiteral(host).kind).toBe('invalid');
    },
  );
});

describe('parseHostLiteral agrees with the WHATWG URL parser (Node’s URL) on IPv4 hosts', () => {
  it.each(['0x7f.1', '0177.0x0.1', '1.0x1000000', '0.0.0.0x100', '0x.0x.0x.0x', '09', '0x0x1', '0xffffffff', '0x100000000', '.1', '1.', 'a.b.0x', '%2e1', '1%2e2', '１２７.1'])(
    '%s',
    (host) => {
      let expected: string;
      try {
        const hostname = new URL(`http://${host}/`).hostname;
        expected = /^\d+\.\d+\.\d+\.\d+$/.test(hostname) ? hostname : 'name';
      } catch {
        expected = 'invalid';
      }
      const literal = parseHostLiteral(host);
      expect(literal.kind === 'ip' ? formatIp(literal.address) : literal.kind).toBe(expected);
    },
  );
});

describe('parseHostLiteral: IPv6', () => {
  it.each([
    ['[::1]', '::1'],
    ['::1', '::1'],
    ['[0:0:0:0:0:0:0:1]', '::1'],
    ['[::ffff:127.0.0.1]', '::ffff:7f00:1'],
    ['[::ffff:7f00:1]', '::ffff:7f00:1'],
    ['[64:ff9b::a9fe:a9fe]', '64:ff9b::a9fe:a9fe'],
    ['[FD00:EC2::254]', 'fd00:ec2::254'],
  ])('%s is %s', (host, expected) => {
    expect(addressOf(host)).toBe(expected);
  });

  it('keeps a zone id, written after %25 in URLs or after % by resolvers', () => {
    expect(parseHostLiteral('[fe80::1%25eth0]')).toEqual({ kind: 'ip', address: { version: 'ipv6', value: 0xfe80n << 112n | 1n }, zone: 'eth0' });
    expect(parseHostLiteral('fe80::1%eth0')).toMatchObject({ kind: 'ip', zone: 'eth0' });
  });

  it.each(['[::1', '[127.0.0.1]', '[::1%]', '[::1%25a/b]', '[:::1]', '[::ffff:0177.0.0.1]', '[1:2:3:4:5:6:7:8:9]'])('%s is invalid', (host) => {
    expect(parseHostLiteral(host).kind).toBe('invalid');
  });
});

describe('parseHostLiteral: names', () => {
  it.each(['example.com', 'example.com.', 'localhost', '0x7f.example', '127.0.0.1.nip.io', 'ab.cd', '1x.example'])('%s is a name', (host) => {
    expect(parseHostLiteral(host).kind).toBe('name');
  });

  it('lower-cases the name it hands to the resolver', () => {
    expect(parseHostLiteral('Example.COM')).toEqual({ kind: 'name', name: 'example.com' });
  });

  it.each(['', 'exa mple.com', 'a\u0000b', 'a@b', '%00', '%ff.example'])('%j is invalid', (host) => {
    expect(parseHostLiteral(host).kind).toBe('invalid');
  });
});

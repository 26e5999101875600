import { describe, expect, it } from 'vitest';
import { parseHosts, withStaticHosts } from '../../../../cloud/edge/hosts.js';

describe('parseHosts', () => {
  it('maps every name on a line to its address, skipping comments and blank lines', () => {
    const table = parseHosts(['# test origins', '', '127.0.0.1   origin.test  Other.Test.  # trailing comment', '  ::1\tv6.test', '10.0.0.7 origin.test', '127.0.0.1 origin.test'].join('\n'), 'hosts');
    expect([...table]).toEqual([
      ['origin.test', ['127.0.0.1', '10.0.0.7']],
      ['other.test', ['127.0.0.1']],
      ['v6.test', ['::1']],
    ]);
  });

  it('accepts CRLF line ends and an empty file', () => {
    expect([...parseHosts('192.0.2.1 a.test\r\n192.0.2.2 b.test\r\n', 'hosts')]).toEqual([
      ['a.test', ['192.0.2.1']],
      ['b.test', ['192.0.2.2']],
    ]);
    expect(parseHosts('', 'hosts').size).toBe(0);
  });

  it('names the file, the line and the problem for a bad line', () => {
    expect(() => parseHosts('127.0.0.1 ok.test\norigin.test 127.0.0.1', '/etc/waygate/hosts')).toThrow(
      '/etc/waygate/hosts, line 2 ("origin.test 127.0.0.1"): "origin.test" is not an IP address',
    );
    expect(() => parseHosts('10.0.0.1', 'h')).toThrow('h, line 1 ("10.0.0.1"): no name follows the address.');
    expect(() => parseHosts('10.0.0.1 bad/name', 'h')).toThrow('"bad/name" is not a host name');
    expect(() => parseHosts('10.0.0.256 x.test', 'h')).toThrow('"10.0.0.256" is not an IP address');
    expect(() => parseHosts(`10.0.0.1 ${'a'.repeat(64)}.test`, 'h')).toThrow('is not a host name');
  });
});

describe('withStaticHosts', () => {
  it('answers names from the table, ignoring case and a trailing dot, and sends the rest to the fallback', async () => {
    const asked: string[] = [];
    const resolve = withStaticHosts(parseHosts('127.0.0.1 origin.test', 'h'), (host) => {
      asked.push(host);
      return Promise.resolve(['192.0.2.9']);
    });
    expect(await resolve('origin.test')).toEqual(['127.0.0.1']);
    expect(await resolve('ORIGIN.test.')).toEqual(['127.0.0.1']);
    expect(await resolve('elsewhere.test')).toEqual(['192.0.2.9']);
    expect(asked).toEqual(['elsewhere.test']);
  });
});

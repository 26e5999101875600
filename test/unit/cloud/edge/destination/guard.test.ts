import { describe, expect, it } from 'vitest';
import { parseCidr, type Cidr } from '../../../../../protocol/ip.js';
import { guardDestination, type DestinationCheck } from '../../../../../cloud/edge/destination/classify.js';

function cidrs(...texts: string[]): Cidr[] {
  return texts.map((text) => {
    const parsed = parseCidr(text);
    if (!parsed.ok) throw new Error(parsed.message);
    return parsed.cidr;
  });
}

function guard(check: Partial<DestinationCheck> & { host: string }) {
  return guardDestination({ resolvedAddresses: [], allowCidrs: [], edgeOwnCidrs: [], ...check });
}

describe('guardDestination: SSRF attempts are refused', () => {
  it.each(['127.0.0.1', '[::1]', '0x7f000001', '2130706433', '0177.0.0.1', '127.1', '[::ffff:127.0.0.1]', '[0:0:0:0:0:0:0:1]', '169.254.169.254', '[fd00:ec2::254]', '0.0.0.0', '[::]', '[fe80::1%25eth0]', '[64:ff9b::169.254.169.254]', '100.100.100.200', '10.0.0.5', '192.168.1.1', '224.0.0.1', '255.255.255.255'])(
    'refuses the IP literal %s',
    (host) => {
      expect(guard({ host })).toMatchObject({ allowed: false, code: 'DESTINATION_FORBIDDEN' });
    },
  );

  it('says in plain words what was refused and why, naming the address a disguised literal stands for', () => {
    const verdict = guard({ host: '0x7f000001' });
    expect(verdict).toEqual({
      allowed: false,
      code: 'DESTINATION_FORBIDDEN',
      reason: `"0x7f000001" (127.0.0.1) is a loopback address (this machine). The edge does not connect there unless your organisation's policy allows that address; ask your administrator if you need it.`,
    });
    expect(guard({ host: '169.254.169.254' })).toMatchObject({ reason: expect.stringMatching(/^"169\.254\.169\.254" is a link-local address \(which includes cloud metadata services\)\./) });
  });

  it('refuses a name that resolves to loopback, without showing the resolved address', () => {
    const verdict = guard({ host: 'localtest.me', resolvedAddresses: ['127.0.0.1'] });
    expect(verdict).toMatchObject({ allowed: false, code: 'DESTINATION_FORBIDDEN', reason: expect.stringMatching(/^"localtest\.me" resolves to a loopback address/) });
    expect(verdict.allowed === false && verdict.reason).not.toContain('127.0.0.1');
  });

  it('refuses a name when any one of its addresses is forbidden', () => {
    expect(guard({ host: 'mixed.example', resolvedAddresses: ['93.184.215.14', '2606:2800:21f:cb07:6820:80da:af6b:8b2c', '::ffff:169.254.169.254'] })).toMatchObject({ allowed: false });
    expect(guard({ host: 'mixed.example', resolvedAddresses: ['10.1.2.3', '93.184.215.14'] })).toMatchObject({ allowed: false });
  });

  it('refuses a name that resolved to nothing or to something that is not an address', () => {
    expect(guard({ host: 'nothing.example', resolvedAddresses: [] })).toMatchObject({ allowed: false, reason: '"nothing.example" did not resolve to any address.' });
    expect(guard({ host: 'odd.example', resolvedAddresses: ['0x08080808'] })).toMatchObject({ allowed: false, reason: '"odd.example" resolved to "0x08080808", which is not an IP address.' });
    expect(guard({ host: 'link.example', resolvedAddresses: ['fe80::1%eth0'] })).toMatchObject({ allowed: false, reason: expect.stringContaining('link-local') });
  });

  it('refuses hosts that end in a number but are no address, rather than letting a resolver guess', () => {
    expect(guard({ host: '127.0.0.256', resolvedAddresses: ['93.184.215.14'] })).toMatchObject({ allowed: false, reason: expect.stringContaining('not a valid IPv4 address') });
  });

  it('refuses addresses on the edge’s own networks even when they are public', () => {
    const edgeOwnCidrs = cidrs('203.0.112.0/24', '2a01:4f8::/32');
    expect(guard({ host: '203.0.112.10', edgeOwnCidrs })).toMatchObject({ allowed: false, reason: expect.stringContaining("on the edge's own network") });
    expect(guard({ host: 'peer.example', resolvedAddresses: ['2a01:4f8::5'], edgeOwnCidrs })).toMatchObject({ allowed: false });
    expect(guard({ host: '[::ffff:203.0.112.10]', edgeOwnCidrs })).toMatchObject({ allowed: false });
    expect(guard({ host: '203.0.111.10', edgeOwnCidrs })).toEqual({ allowed: true });
  });
});

describe('guardDestination: what is allowed', () => {
  it.each([
    ['8.8.8.8', []],
    ['[2606:4700:4700::1111]', []],
    ['example.com', ['93.184.215.14', '2606:2800:21f:cb07:6820:80da:af6b:8b2c']],
    ['[::ffff:8.8.8.8]', []],
  ])('allows the public destination %s', (host, resolvedAddresses) => {
    expect(guard({ host, resolvedAddresses })).toEqual({ allowed: true });
  });

  it('allows a private address that an allow CIDR covers, and only that', () => {
    const allowCidrs = cidrs('10.20.0.0/16');
    expect(guard({ host: '10.20.1.5', allowCidrs })).toEqual({ allowed: true });
    expect(guard({ host: 'intranet.corp', resolvedAddresses: ['10.20.1.5'], allowCidrs })).toEqual({ allowed: true });
    expect(guard({ host: '[::ffff:10.20.1.5]', allowCidrs })).toEqual({ allowed: true });
    expect(guard({ host: '10.21.1.5', allowCidrs })).toMatchObject({ allowed: false });
    expect(guard({ host: 'intranet.corp', resolvedAddresses: ['10.20.1.5', '127.0.0.1'], allowCidrs })).toMatchObject({ allowed: false });
  });

  it('lets an allow CIDR override the edge’s own networks and the metadata service when the admin says so', () => {
    expect(guard({ host: '203.0.112.10', edgeOwnCidrs: cidrs('203.0.112.0/24'), allowCidrs: cidrs('203.0.112.10/32') })).toEqual({ allowed: true });
    expect(guard({ host: '[fd00:ec2::254]', allowCidrs: cidrs('fd00:ec2::254/128') })).toEqual({ allowed: true });
  });
});

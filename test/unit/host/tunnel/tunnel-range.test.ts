import { describe, expect, it } from 'vitest';
import { chooseTunnelRange } from '../../../../host/tunnel/tunnel-range.js';

describe('chooseTunnelRange', () => {
  it('takes 100.64.0.0/16 on a device that uses none of the candidates', () => {
    expect(chooseTunnelRange(['192.168.1.23/24', '127.0.0.1/8', '10.0.0.0/8', 'fe80::1/64'])).toBe('100.64.0.0/16');
  });

  it('moves to the next /16 when an interface address (with host bits) sits in it', () => {
    expect(chooseTunnelRange(['100.64.5.1/16'])).toBe('100.65.0.0/16');
    expect(chooseTunnelRange(['100.64.5.1/24', '100.65.0.9/30'])).toBe('100.66.0.0/16');
  });

  it('treats a route destination or a bare address as occupied', () => {
    expect(chooseTunnelRange(['100.64.0.0/15'])).toBe('100.66.0.0/16');
    expect(chooseTunnelRange(['100.64.200.200'])).toBe('100.65.0.0/16');
  });

  it('ignores catch-alls shorter than /8: default routes and other VPNs split defaults', () => {
    expect(chooseTunnelRange(['0.0.0.0/0', '0.0.0.0/1', '64.0.0.0/2', '96.0.0.0/6', '::/0'])).toBe('100.64.0.0/16');
    expect(chooseTunnelRange(['100.0.0.0/8'])).toBeNull();
  });

  it('starts with the preferred range, then falls back to the list', () => {
    expect(chooseTunnelRange([], '100.70.0.0/16')).toBe('100.70.0.0/16');
    expect(chooseTunnelRange(['100.70.1.1/16'], '100.70.0.0/16')).toBe('100.64.0.0/16');
  });

  it('says null when 100.64.0.0/16 to 100.83.0.0/16 are all taken', () => {
    expect(chooseTunnelRange(['100.64.0.0/12', '100.80.0.0/14'])).toBeNull();
    expect(chooseTunnelRange(['100.64.0.0/12', '100.80.0.0/15', '100.82.0.1/16'])).toBe('100.83.0.0/16');
  });

  it('refuses text that is not an address or network, naming it', () => {
    expect(() => chooseTunnelRange(['eth0'])).toThrow(/occupied network "eth0"/);
    expect(() => chooseTunnelRange(['10.0.0.1/33'])).toThrow(/"10.0.0.1\/33" has a prefix length outside 0 to 32/);
    expect(() => chooseTunnelRange([], '100.64.0.1/16')).toThrow(/preferred range "100.64.0.1\/16".*did you mean 100.64.0.0\/16/);
    expect(() => chooseTunnelRange([], 'fd00::/16')).toThrow(/must be IPv4/);
  });
});

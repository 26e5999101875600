import { describe, expect, it } from 'vitest';
import { grantsNetAdmin, tunnelSupport } from '../../../../host/tunnel/support.js';

describe('tunnel support', () => {
  it('reads CAP_NET_ADMIN (bit 12) from the effective capabilities', () => {
    expect(grantsNetAdmin('Name:\tnode\nCapEff:\t000001ffffffffff\n')).toBe(true);
    expect(grantsNetAdmin('CapEff:\t0000000000001000\n')).toBe(true);
    expect(grantsNetAdmin('CapEff:\t0000000000000fff\n')).toBe(false);
    expect(grantsNetAdmin('CapEff:\t0000000000000000\n')).toBe(false);
    expect(grantsNetAdmin('no such line')).toBe(false);
  });

  it('says the tunnel is Linux-only elsewhere', async () => {
    expect(await tunnelSupport('darwin')).toEqual({ available: false, reason: expect.stringContaining('not on darwin') });
    expect(await tunnelSupport('win32')).toEqual({ available: false, reason: expect.stringContaining('not on win32') });
  });
});

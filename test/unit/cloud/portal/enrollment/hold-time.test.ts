import { describe, expect, it } from 'vitest';
import { holdMs } from '../../../../../cloud/portal/enrollment/hold-time.js';

describe('holdMs', () => {
  it('holds for the interval, capped, less a one-second margin', () => {
    expect(holdMs(20, 5, 600_000)).toBe(4000);
    expect(holdMs(20, 25, 600_000)).toBe(19_000);
    expect(holdMs(8, 10, 600_000)).toBe(7000);
  });

  it('never holds past the expiry of the code', () => {
    expect(holdMs(20, 5, 1500)).toBe(1500);
    expect(holdMs(20, 5, 0)).toBe(0);
  });

  it('is 0 — answer at once — when holding is off or the interval leaves no time', () => {
    expect(holdMs(0, 5, 600_000)).toBe(0);
    expect(holdMs(20, 1, 600_000)).toBe(0);
    expect(holdMs(0.5, 5, 600_000)).toBe(0);
  });
});

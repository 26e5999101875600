import { describe, expect, it } from 'vitest';
import { refreshAtMs } from '../../../core/token-schedule.js';

const ISSUED = Date.UTC(2026, 0, 1);
const MINUTE = 60_000;

describe('refreshAtMs', () => {
  it('refreshes a one-hour token 12 minutes (a fifth of its life) before it expires', () => {
    const expires = ISSUED + 60 * MINUTE;
    expect(refreshAtMs(ISSUED, expires)).toBe(expires - 12 * MINUTE);
  });

  it('refreshes a ten-minute token two minutes before it expires', () => {
    expect(refreshAtMs(ISSUED, ISSUED + 10 * MINUTE)).toBe(ISSUED + 8 * MINUTE);
  });

  it.each([30_000, 60_000, 100_000, 119_000])('refreshes a %i ms token at half its life', (lifetime) => {
    expect(refreshAtMs(ISSUED, ISSUED + lifetime)).toBe(ISSUED + lifetime / 2);
  });

  it('never refreshes after expiry, nor before issue, whatever the lifetime', () => {
    for (const lifetime of [0, 1, 999, 60_000, 7 * MINUTE, 3_600_000, 86_400_000]) {
      const at = refreshAtMs(ISSUED, ISSUED + lifetime);
      expect(at).toBeLessThanOrEqual(ISSUED + lifetime);
      expect(at).toBeGreaterThanOrEqual(ISSUED);
    }
  });

  it('refreshes at once a token that was already expired when issued', () => {
    expect(refreshAtMs(ISSUED, ISSUED - MINUTE)).toBeLessThanOrEqual(ISSUED - MINUTE);
  });

  it('refreshes a four-minute token a minute before expiry: the one-minute floor wins over a fifth', () => {
    expect(refreshAtMs(ISSUED, ISSUED + 4 * MINUTE)).toBe(ISSUED + 3 * MINUTE);
  });
});

import { describe, expect, it } from 'vitest';
import { LOCK_MS, MAX_FAILURES, afterFailure, lockedUntil } from '../../../../../cloud/portal/auth/lockout.js';

describe('account lockout', () => {
  it('locks on the fifth consecutive failure, for 15 minutes', () => {
    let user = { failedSignIns: 0, lockedUntil: null as number | null };
    for (let i = 1; i < MAX_FAILURES; i++) {
      user = afterFailure(user, 1000);
      expect(user).toEqual({ failedSignIns: i, lockedUntil: null });
    }
    user = afterFailure(user, 1000);
    expect(user.lockedUntil).toBe(1000 + 15 * 60 * 1000);
    expect(LOCK_MS).toBe(15 * 60 * 1000);
  });

  it('is locked until the time, then open again with a fresh count', () => {
    const locked = afterFailure({ failedSignIns: MAX_FAILURES - 1 }, 0);
    expect(lockedUntil(locked, LOCK_MS - 1)).toBe(LOCK_MS);
    expect(lockedUntil(locked, LOCK_MS)).toBeNull();
    expect(locked.failedSignIns).toBe(0);
  });
});

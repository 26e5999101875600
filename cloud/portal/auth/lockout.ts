/**
 * Account lockout: after MAX_FAILURES consecutive failed sign-ins (wrong password or wrong TOTP
 * code) the account is locked for LOCK_MS. It bounds online guessing per account no matter how
 * many addresses the guesses come from; the per-IP rate limit bounds the other direction.
 *
 * Pure functions over the user's two counters, so the rules are tested without a server.
 */
import type { Millis, User } from '../store/store.js';

export const MAX_FAILURES = 5;
export const LOCK_MS = 15 * 60 * 1000;

/** When the lock ends, or null when the account is not locked at `now`. */
export function lockedUntil(user: Pick<User, 'lockedUntil'>, now: Millis): Millis | null {
  return user.lockedUntil !== null && user.lockedUntil > now ? user.lockedUntil : null;
}

/**
 * The change to store after one more failure. The counter restarts when the lock is set, so after
 * the lock ends the account gets MAX_FAILURES fresh attempts rather than being locked again at once.
 */
export function afterFailure(user: Pick<User, 'failedSignIns'>, now: Millis): Pick<User, 'failedSignIns' | 'lockedUntil'> {
  const failures = user.failedSignIns + 1;
  return failures >= MAX_FAILURES ? { failedSignIns: 0, lockedUntil: now + LOCK_MS } : { failedSignIns: failures, lockedUntil: null };
}

/** The change to store after a success: the count of consecutive failures starts over. */
export const AFTER_SUCCESS: Pick<User, 'failedSignIns' | 'lockedUntil'> = { failedSignIns: 0, lockedUntil: null };

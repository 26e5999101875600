/**
 * What one poll of the token endpoint means for a device authorization (RFC 8628 §3.5), as a pure
 * function of the stored request and the time, so every branch is tested without HTTP.
 */
import type { DeviceAuthorization, Millis } from '../store/store.js';

/** RFC 8628 §3.5: on slow_down the interval grows by 5 s for this and every later request. */
export const SLOW_DOWN_STEP_SECONDS = 5;

export type PollOutcome =
  | { kind: 'consumed' }
  | { kind: 'expired' }
  | { kind: 'denied' }
  | { kind: 'slow_down'; interval: number }
  | { kind: 'pending' }
  | { kind: 'approved'; userId: string };

export function pollOutcome(auth: DeviceAuthorization, now: Millis): PollOutcome {
  if (auth.status === 'consumed') return { kind: 'consumed' };
  if (now >= auth.expiresAt) return { kind: 'expired' };
  if (auth.status === 'denied' || (auth.status === 'approved' && auth.userId === null)) return { kind: 'denied' };
  if (auth.status === 'approved' && auth.userId !== null) return { kind: 'approved', userId: auth.userId };
  // Only a still-pending request is throttled: slow_down is "a variant of authorization_pending",
  // and an approved device should get its credential on its next poll however early it comes.
  if (auth.lastPolledAt !== null && now - auth.lastPolledAt < auth.interval * 1000) {
    return { kind: 'slow_down', interval: auth.interval + SLOW_DOWN_STEP_SECONDS };
  }
  return { kind: 'pending' };
}

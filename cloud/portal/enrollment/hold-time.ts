/** How long the token endpoint holds a pending poll open (RFC 8628 long polling, see held-poll.ts). */

/**
 * A hold ends this long before the device's interval is up, so the answer reaches a client that
 * gives each request no more than its interval before it gives up.
 */
export const HOLD_MARGIN_MS = 1000;

/**
 * `min(interval, cap) − margin`, and never past the code's expiry (the poll then answers
 * expired_token on time); 0 means answer at once. `capSeconds` is the portal's tokenHoldSeconds,
 * which keeps holds under the idle timeouts of proxies in front of the portal.
 */
export function holdMs(capSeconds: number, intervalSeconds: number, msUntilExpiry: number): number {
  if (capSeconds <= 0) return 0;
  return Math.max(0, Math.min(Math.min(intervalSeconds, capSeconds) * 1000 - HOLD_MARGIN_MS, msUntilExpiry));
}

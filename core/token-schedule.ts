/**
 * When to refresh an edge token: well before it expires, so a request never carries an expired one,
 * but not so often that the portal sees a request per minute per device: a fifth of the lifetime
 * before expiry, but at least a minute before (half the lifetime for tokens under two minutes).
 */
export function refreshAtMs(issuedAtMs: number, expiresAtMs: number): number {
  const lifetime = Math.max(0, expiresAtMs - issuedAtMs);
  return expiresAtMs - Math.max(lifetime / 5, Math.min(60_000, lifetime / 2));
}
